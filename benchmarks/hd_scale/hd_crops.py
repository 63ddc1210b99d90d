"""Sparse sections below the minibatch threshold (crops of a Visium HD section, Slide-seq-like pucks): which
schedule `train()` should give them, measured against the truth.

    python benchmarks/hd_scale/hd_crops.py all                  # every row below, each in its own process (~45 min, one thread)
    python benchmarks/hd_scale/hd_crops.py one --data hd8 --bins 10000 --config full_schedule --seed 0
    python benchmarks/hd_scale/hd_crops.py table                # benchmarks/hd_scale/results/hd_crops.md from hd_crops.jsonl

Fewer than 20,000 spots train full batch (`c2l_nb.registry.TIME_MIN_OBS`). Two configurations of that full-batch run:
- `full_schedule`: the full-batch schedule of Visium spots (`train(batch_size=None, max_epochs=5000)`: lr 0.05 -> 0.002
  over 5,000 epochs, cell2location's released form below 10 cells per spot), the default before sparse counts
  got their own; capped at 5,000 epochs (its stopping rule did not end any of these runs earlier);
- `auto`: `train()` with the library's defaults (`batch_size='auto'`): counts with at most `SPARSE_DENSITY` of their
  entries non-zero take the minibatch mode's schedule at full batch (constant lr 0.01 for the global sites, per-spot
  locations 0.05 -> 0.005 over 200 epochs, at most 500 epochs, stopping rule every 25 epochs from 200).
Data: `bench_hd.simulate_hd` (bins on a grid, smooth cell-type fields, true signatures given to the model):
`hd8` ~2 cells and ~280 UMIs per 8 um bin over 5,000 genes and 40 types; `slide` ~1 cell and ~300 UMIs per bead
over 2,000 genes and 20 types. Reported: Pearson r of q05 abundances against the true cell counts along the run
(every 250 epochs, and at the end), and runaway spots (q05 total above ten times `N_cells_per_location`, the
`RunawayTotals` warning), with r over the other spots. One torch thread. Nothing here runs in CI. The `full_schedule`
rows were measured before detection coupling (a spot's total drawn given its detection in the guide, the model
page), the `auto` rows with it.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / 'tools'), str(HERE.parent)]  # bench_hd, _common, make_page
RESULTS = HERE / 'results'
OUT = RESULTS / 'hd_crops.jsonl'
DATA = {'hd8': dict(genes=5000, types=40, cells=2., umis=150.), 'slide': dict(genes=2000, types=20, cells=1., umis=300.)}
ROWS = [('hd8', 3000, 0), ('hd8', 3000, 1), ('hd8', 10000, 0), ('slide', 3000, 0), ('slide', 3000, 1)]
CONFIGS = {'full_schedule': dict(batch_size=None, max_epochs=5000), 'auto': {}}


def one(a) -> dict:
    "Simulate, train one configuration (accuracy every `--every` epochs, not timed), return the row."
    import numpy as np, pandas as pd, torch
    from anndata import AnnData
    from c2l_nb.spatial import Cell2location, RUNAWAY_FACTOR, RunawayTotals
    from bench_hd import simulate_hd, quick_quantile
    torch.set_num_threads(1)
    d = DATA[a.data]
    X, truth, sig, xy = simulate_hd(a.bins, d['genes'], d['types'], cells_per_bin=d['cells'], cell_umis=d['umis'], seed=a.seed)
    ad = AnnData(X, obs=pd.DataFrame(index=[f'bin_{i}' for i in range(a.bins)]), var=pd.DataFrame(index=sig.index))
    Cell2location.setup_anndata(ad)
    mod = Cell2location(ad, cell_state_df=sig, N_cells_per_location=d['cells'], detection_alpha=20)
    limit = RUNAWAY_FACTOR * d['cells']

    def score(q) -> dict:
        run = q.sum(1) > limit
        r = lambda m: float(np.corrcoef(q[m].ravel(), truth[m].ravel())[0, 1])
        return dict(r=r(np.ones(len(q), bool)), runaway=int(run.sum()), r_others=r(~run), max_total=float(q.sum(1).max()))

    curve, t_eval = [], [0.]
    def look(epoch):
        if (epoch + 1) % a.every: return
        t1 = time.perf_counter(); curve.append(dict(epoch=epoch + 1, **score(quick_quantile(mod, 0.05))))
        t_eval[0] += time.perf_counter() - t1
    t0 = time.perf_counter()
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        mod.train(progress_bar=False, seed=a.seed, callback=look, **CONFIGS[a.config])
    train_s = time.perf_counter() - t0 - t_eval[0]
    end = score(np.asarray(mod.posterior_quantile(0.05)['w_sf']))
    return dict(data=a.data, bins=a.bins, seed=a.seed, config=a.config, density=X.nnz / (X.shape[0] * X.shape[1]),
                epochs=len(mod.history_['elbo_train']), status=mod.train_status_, train_s=train_s,
                warned_runaway=any(issubclass(x.category, RunawayTotals) for x in w),
                why=mod.train_mode_['why'], **end, curve=curve)


def write_table(path: Path = OUT) -> str:
    "benchmarks/hd_scale/results/hd_crops.md from the rows (the last row of each data/bins/seed/config)."
    rows = {}
    for line in path.read_text().splitlines():
        r = json.loads(line); rows[(r['data'], r['bins'], r['seed'], r['config'])] = r
    lines = ['# Sparse sections below the minibatch threshold: the full-batch schedule against `train()`\'s default',
             '', '`python benchmarks/hd_scale/hd_crops.py all` (each row in its own process; one torch thread, two such processes '
             'on the machine\'s two cores).', '', __doc__.split('\n\n')[2].strip(), '',
             '| data | bins | seed | config | density | epochs | train_s | q05 r | runaway spots | q05 r, other spots | largest q05 total | best r along the run (epoch) |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for k in sorted(rows, key=lambda k: (k[0], k[1], k[2], k[3] != 'full_schedule')):
        r = rows[k]
        best = max(r['curve'], key=lambda c: c['r']) if r['curve'] else None
        lines.append(f"| {r['data']} | {r['bins']:,} | {r['seed']} | `{r['config']}` | {r['density']:.3f} | {r['epochs']:,} | "
                     f"{r['train_s']:.0f} | {r['r']:.3f} | {r['runaway']} | {r['r_others']:.3f} | {r['max_total']:.1f} | "
                     + (f"{best['r']:.3f} ({best['epoch']:,})" if best else '') + ' |')
    lines += ['', '## r of the q05 abundances along the run', '']
    for k in sorted(rows):
        r = rows[k]
        pts = ', '.join(f"{c['epoch']}: {c['r']:.3f}" + (f" ({c['runaway']} runaway)" if c['runaway'] else '') for c in r['curve'])
        lines.append(f"- {r['data']}, {r['bins']:,} bins, seed {r['seed']}, `{r['config']}`: {pts}")
    text = '\n'.join(lines) + '\n'
    (RESULTS / 'hd_crops.md').write_text(text)
    import make_page
    make_page.main([])  # the Performance page shows this table
    return text


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('cmd', choices=['one', 'all', 'table'])
    p.add_argument('--data', default='hd8', choices=sorted(DATA))
    p.add_argument('--bins', type=int, default=3000)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--config', default='auto', choices=sorted(CONFIGS))
    p.add_argument('--every', type=int, default=250, help='accuracy every this many epochs (auto: 50)')
    a = p.parse_args(argv)
    if a.cmd == 'one':
        if a.config == 'auto' and a.every == 250: a.every = 50
        row = one(a)
        print(json.dumps(row), flush=True)
        with open(OUT, 'a') as f: f.write(json.dumps(row) + '\n')
    elif a.cmd == 'all':
        for data, bins, seed in ROWS:
            for config in CONFIGS:
                print(time.strftime('%H:%M:%S'), data, bins, seed, config, flush=True)
                r = subprocess.run([sys.executable, __file__, 'one', '--data', data, '--bins', str(bins), '--seed', str(seed),
                                    '--config', config], capture_output=True, text=True)
                if r.returncode: print(r.stderr[-3000:], flush=True)
        write_table()
    else: print(write_table())


if __name__ == '__main__':
    main()
