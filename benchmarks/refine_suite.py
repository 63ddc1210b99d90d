"""The refined abundance posterior (`c2l_nb.refine`, `export_posterior(refine_abundance=True)`) on the accuracy
suite: for one suite folder, c2l_nb's defaults are trained (or a model saved by an earlier run is loaded), then the
q05/q95 of `w_sf` from the guide and from `refine_abundance` are scored against the truth (`accuracy_suite.metrics`).

    python benchmarks/refine_suite.py bench_out/suite/many_cells_s0 [--models DIR] [--draws 16]
    python benchmarks/refine_suite.py report

`--models DIR`: load `DIR/<regime>_s<seed>` if it exists, else train and save it there. Appends one JSON line per
folder to bench_out/refine/results.jsonl; `report` writes benchmarks/results/refine.md with cell2location's
30,000-step rows of the suite for comparison. One torch thread.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'bench_out', 'refine')


def run(a):
    import numpy as np, torch
    from c2l_nb.models import Cell2location
    from c2l_nb.refine import refine_abundance
    import accuracy_suite as S
    torch.set_num_threads(1)
    meta, sig, truth, vis = S.load(a.data)
    name = f"{meta['regime']}_s{meta['seed']}"
    mdir = os.path.join(a.models, name) if a.models else None
    t0 = time.time()
    if mdir and os.path.exists(os.path.join(mdir, 'model.pt')): mod, trained = Cell2location.load(mdir, vis), False
    else:
        mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20)
        mod.train(progress_bar=False, seed=meta['seed']); trained = True
        if mdir: mod.save(mdir, overwrite=True)
    train_s = time.time() - t0
    T = truth.values
    t0 = time.time(); q05, q95 = (np.asarray(mod.posterior_quantile(q)['w_sf']) for q in (0.05, 0.95)); guide_s = time.time() - t0
    t0 = time.time(); r = refine_abundance(mod, num_draws=a.draws, quantiles=(0.05, 0.95), progress=False); refine_s = time.time() - t0
    rows = [dict(run='guide', **S.metrics(q05, q95, T), s=guide_s),
            dict(run=f'refined ({a.draws} draws)', **S.metrics(r['q05'], r['q95'], T), s=refine_s)]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'results.jsonl'), 'a') as fh:
        for row in rows:
            fh.write(json.dumps(dict(regime=meta['regime'], seed=meta['seed'], steps=len(mod.history_['elbo_train']),
                                     train_s=train_s if trained else None, **row)) + '\n')
    print(name, rows)


def report(a):
    import numpy as np, pandas as pd
    import accuracy_suite as S
    df = pd.read_json(os.path.join(OUT, 'results.jsonl'), lines=True).drop_duplicates(['regime', 'seed', 'run'], keep='last')
    suite = os.path.join(HERE, '..', 'bench_out', 'suite')
    peer = []
    for (reg, seed) in df[['regime', 'seed']].drop_duplicates().itertuples(index=False):
        d = os.path.join(suite, f'{reg}_s{seed}')
        meta, sig, truth, vis = S.load(d)
        p = os.path.join(d, 'peer_own_c2l30k')
        if os.path.exists(os.path.join(p, 'q05_30000.npy')):
            peer.append(dict(regime=reg, seed=seed, run='cell2location, 30,000 steps',
                             **S.metrics(np.load(os.path.join(p, 'q05_30000.npy')), np.load(os.path.join(p, 'q95_30000.npy')), truth.values)))
    df = pd.concat([df, pd.DataFrame(peer)])
    cols = ['r', 'pr_auc', 'jsd', 'cover90', 'above_q05', 'false_presence', 'total_ratio']
    means = df.groupby(['regime', 'run'], sort=False)[cols + ['s']].mean().reset_index()
    order = ['subtypes', 'few_cells', 'mid_cells', 'many_cells', 'tech', 'sections']
    means['o'] = means.regime.map({r: i for i, r in enumerate(order)}); means = means.sort_values(['o', 'run']).drop(columns='o')
    seeds = sorted(df.seed.unique())
    text = ("# The refined abundance posterior on the accuracy suite\n\n"
            "`python benchmarks/refine_suite.py bench_out/suite/<regime>_s<seed> --models bench_out/refine/models`, then "
            "`python benchmarks/refine_suite.py report`. c2l_nb's defaults (`train()`, seeded), scored with the guide's "
            "quantiles of `w_sf` and with `refine_abundance` (`export_posterior(refine_abundance=True)`); cell2location's "
            "30,000 steps from the suite (its own signatures). Means over seeds " + ', '.join(map(str, seeds)) +
            "; `s`: seconds to compute the quantiles (one torch thread, a shared 2-core machine).\n\n" + S.markdown(means) + '\n')
    with open(os.path.join(HERE, 'results', 'refine.md'), 'w') as fh: fh.write(text)
    print(text)


if __name__ == '__main__':
    sys.path.insert(0, HERE)
    if len(sys.argv) > 1 and sys.argv[1] == 'report': report(None)
    else:
        p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument('data'); p.add_argument('--models', default=''); p.add_argument('--draws', type=int, default=16)
        run(p.parse_args())
