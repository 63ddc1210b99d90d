"""Reference signatures against training length: error vs truth, loss, technology effects and the ambient term.

    python benchmarks/reference/reference_drift.py [--data bench_out/suite/subtypes_s0] [--epochs 250,1000,3000]

Re-simulates the suite regime's reference (same settings and seed, so the true technology effects and ambient term
are known), trains c2l_nb's RegressionModel with the tutorial's settings (batch 2,500, lr 0.002) and measures, after
each number of epochs: the signature error (`c2l_nb.reference.signature_error`, mean over types), the mean loss of
the last 50 epochs, the Pearson r and RMS error of the estimated log-ratio of the two technologies' gene effects
against the truth, and the estimated ambient term's total over the true one. Writes
benchmarks/reference/results/reference_drift.{csv,md}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'accuracy_suite'))  # accuracy_suite.markdown


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default=os.path.join(os.path.dirname(os.path.dirname(HERE)), 'bench_out', 'suite', 'subtypes_s0'))
    p.add_argument('--epochs', default='250,1000,3000')
    a = p.parse_args(argv)
    import numpy as np, pandas as pd, torch
    from c2l_nb.sim import simulate
    from c2l_nb.models import RegressionModel
    from c2l_nb.reference import signature_error
    from accuracy_suite import markdown
    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(a.data, 'meta.json')))
    ref, _ = simulate('small', seed=meta['seed'], **meta['simulate'])
    true = ref.varm['true_signatures']
    true = pd.DataFrame(np.asarray(true), index=ref.var_names, columns=true.columns)
    beta, amb = ref.uns['sim']['tech_effect'], ref.uns['sim']['ambient']
    RegressionModel.setup_anndata(ref, batch_key='Sample', labels_key='Subset', categorical_covariate_keys=['Method'])
    m, done, rows = RegressionModel(ref), 0, []
    for ep in map(int, a.epochs.split(',')):
        m.train(max_epochs=ep - done, batch_size=2500, lr=0.002, progress_bar=False); done = ep
        q = {k: np.asarray(v) for k, v in m.posterior_quantile(0.5).items()}
        sig = pd.DataFrame(q['per_cluster_mu_fg'].T, index=ref.var_names, columns=m.factor_names_)
        lr_true = np.log(beta.iloc[:, 1] / beta.iloc[:, 0]).to_numpy()
        lr_est = np.log(q['detection_tech_gene_tg'][1] / q['detection_tech_gene_tg'][0])
        rows.append(dict(epochs=ep, signature_error=float(signature_error(sig[true.columns], true).mean()),
                         loss=float(m.history_['elbo_train']['elbo_train'].iloc[-50:].mean()),
                         tech_log_ratio_r=float(np.corrcoef(lr_true, lr_est)[0, 1]),
                         tech_log_ratio_rmse=float(np.sqrt(np.mean((lr_est - lr_true) ** 2))),
                         ambient_est_over_true=float(q['s_g_gene_add'].sum() / amb.to_numpy().sum())))
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    df.to_csv(os.path.join(HERE, 'results', 'reference_drift.csv'), index=False)
    with open(os.path.join(HERE, 'results', 'reference_drift.md'), 'w') as f:
        f.write(f"# Reference signatures against training length ({os.path.basename(a.data)})\n\n" + markdown(df, 4))


if __name__ == '__main__':
    main()
