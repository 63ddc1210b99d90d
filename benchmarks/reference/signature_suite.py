"""Reference signatures at the tutorial's 250 epochs, against the truth, on every regime and seed of the accuracy
suite: the error (`c2l_nb.reference.signature_error`, scale-free RMS log-deviation, mean over types) of every cached
`signatures_<lib><tag>_seed<seed>.csv` that `suite_job.py` wrote (the exported `means_per_cluster_mu_fg`).

    python benchmarks/reference/signature_suite.py run --lib c2l_nb --tag _exp --ref-model '{"guide_transform": "exp"}' --seeds 0,1,2
    python benchmarks/reference/signature_suite.py report
"""
from __future__ import annotations

import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(os.path.dirname(HERE), 'accuracy_suite')
sys.path[:0] = [SUITE, os.path.dirname(HERE)]  # accuracy_suite, make_page
import accuracy_suite as S  # noqa: E402


def report(out_dir=os.path.join(HERE, 'results'), tag='signatures'):
    import pandas as pd
    from c2l_nb.reference import signature_error
    rows = []
    for data in sorted(glob.glob(os.path.join(S.OUT, '*_s*'))):
        meta = json.load(open(os.path.join(data, 'meta.json')))
        true = pd.read_csv(os.path.join(data, 'true_signatures.csv'), index_col=0)
        for f in sorted(glob.glob(os.path.join(data, 'signatures_*_seed*.csv'))):
            lib = re.match(r'signatures_(.*)_seed\d+\.csv', os.path.basename(f)).group(1)
            est = pd.read_csv(f, index_col=0)
            genes = true.index.intersection(est.index)
            err = signature_error(est.loc[genes, true.columns], true.loc[genes])
            rows.append(dict(regime=meta['regime'], seed=meta['seed'], lib=lib, error=float(err.mean())))
    df = pd.DataFrame(rows)
    if len(df):
        wide = df.pivot_table(index=['regime', 'seed'], columns='lib', values='error').reset_index()
        distinct = df[df.regime.isin(['subtypes', 'few_cells'])]  # the other 20-type regimes share few_cells' reference
        both = distinct.pivot_table(index=['regime', 'seed'], columns='lib', values='error').dropna(axis=1)
        mean = both.mean().rename('mean over the distinct references').reset_index()
        with open(os.path.join(out_dir, f'{tag}.md'), 'w') as fh:
            fh.write(S.markdown(wide, 4) + f'\nMean over the {len(both)} distinct references (subtypes and few_cells, '
                     'seeds 0-2) for the runs that have all of them:\n\n' + S.markdown(mean, 4))
        df.to_csv(os.path.join(out_dir, f'{tag}.csv'), index=False)
    return df


if __name__ == '__main__':
    import argparse
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('cmd', choices=['run', 'report'])
    p.add_argument('--lib', default='c2l_nb')
    p.add_argument('--tag', default='')
    p.add_argument('--ref-model', default='{}')
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--regimes', default='all')
    a = p.parse_args()
    if a.cmd == 'report':
        df = report(); print(df.groupby('lib')['error'].mean())
        import make_page
        make_page.main([]); sys.exit()
    import subprocess
    py = S.PEER_PYTHON if a.lib == 'peer' else sys.executable
    for seed in map(int, a.seeds.split(',')):
        for regime in (list(S.REGIMES) if a.regimes == 'all' else a.regimes.split(',')):
            data = S.prepare(regime, seed)
            if os.path.exists(os.path.join(data, f'signatures_{a.lib}{a.tag}_seed{seed}.csv')): continue
            subprocess.run([py, os.path.join(SUITE, 'suite_job.py'), '--lib', a.lib, '--data', data, '--out',
                            os.path.join(data, 'ref_runs'), '--reference-only', '--seed', str(seed),
                            '--ref-model', a.ref_model, '--ref-tag', a.tag], check=True,
                           env=dict(os.environ, PYTHONNOUSERSITE='1', OMP_NUM_THREADS='1'), capture_output=True)
            print(regime, seed, 'done', flush=True)
