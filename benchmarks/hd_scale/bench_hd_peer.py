"""cell2location at Visium HD size, beside c2l_nb: the same simulated 8 um bins (`bench_hd.simulate_hd`), both models
given the true signatures, accuracy of the q05 abundances against the truth along training.

    python benchmarks/hd_scale/bench_hd_peer.py --bins 10000 --max-minutes 100    # cell2location's defaults, then c2l_nb's
    python benchmarks/hd_scale/bench_hd_peer.py --bins 10000 --skip-peer --mode minibatch   # c2l_nb's minibatch mode only
    python benchmarks/hd_scale/bench_hd_peer.py --table                            # benchmarks/hd_scale/results/hd_peer.md only

cell2location runs as its tutorial does (full batch, lr 0.002, `N_cells_per_location=2`, `detection_alpha=20`) in its
own python (`/work/peer_venv`, through `peer_driver.py`), one torch thread, in segments ending at the checkpoints; each
segment is one `train()` call (so its Adam moments restart at each checkpoint, as in the accuracy suite). It stops at
the first checkpoint past `--max-minutes` of training: its 30,000 steps are projected from its seconds per step,
labelled as a projection. c2l_nb then runs `train()` on one thread (`bench_hd.py one`): with `--mode auto` as it
chooses (below 20,000 observations that is full batch, the Visium rule), with `--mode minibatch` the minibatch mode it
chooses for larger HD sections, forced at this size.
Rows are appended to `benchmarks/hd_scale/results/hd_peer.jsonl`; the table is rewritten from all rows. Nothing here runs in CI.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / 'tools')]  # bench_hd, _common
from _common import Driver  # noqa: E402

RESULTS = HERE / 'results'
PEER_PY = os.environ.get('PEER_PYTHON', '/work/peer_venv/bin/python')
STEPS = 30000  # cell2location's default max_epochs (full batch: one step per epoch)


def prepare(bins: int, genes: int, types: int, seed: int, out: Path) -> None:
    "Simulated bins in the files the peer driver reads (vis.h5ad, signatures.csv, meta.json) and the truth."
    import numpy as np, pandas as pd
    from anndata import AnnData
    from bench_hd import simulate_hd
    X, truth, sig, xy = simulate_hd(bins, genes, types, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    ad = AnnData(X, obs=pd.DataFrame({'sample': 's0'}, index=[f'bin_{i}' for i in range(bins)]),
                 var=pd.DataFrame(index=sig.index))
    ad.obsm['spatial'] = xy
    ad.write_h5ad(out / 'vis.h5ad')
    sig.to_csv(out / 'signatures.csv')
    np.save(out / 'truth.npy', truth)
    (out / 'meta.json').write_text(json.dumps({'N_cells_per_location': 2., 'detection_alpha': 20}))


def save(row: dict) -> None:
    "Print a row and append it to benchmarks/hd_scale/results/hd_peer.jsonl at once (a long run killed keeps what it measured)."
    print(json.dumps(row), flush=True)
    with (RESULTS / 'hd_peer.jsonl').open('a') as f: f.write(json.dumps(row) + '\n')


def score(q05, truth) -> dict:
    import numpy as np
    return {'q05_r': float(np.corrcoef(q05.ravel(), truth.ravel())[0, 1]), 'q05_total_ratio': float(q05.sum() / truth.sum())}


def peer(a, data: Path) -> list:
    "cell2location's defaults in segments until the checkpoint past the time limit; one row per checkpoint."
    import numpy as np
    truth = np.load(data / 'truth.npy')
    d = Driver('cell2location', PEER_PY, str(HERE.parent / 'tools' / 'peer_driver.py'), str(data / 'peer.log'), env={'BENCH_THREADS': '1'})
    rows, done, train_s = [], 0, 0.
    try:
        setup = d.ask('spatial_setup', data=str(data))
        for stop in (int(x) for x in a.checkpoints.split(',')):
            q_path = str(data / f'peer_q05_{stop}.npy')
            out = d.ask('spatial_train', train_kwargs={'max_epochs': stop - done, 'lr': 0.002}, q05_path=q_path)
            done, train_s = stop, train_s + out['train_s']
            row = dict(library='cell2location', bins=a.bins, genes=a.genes, types=a.types, threads=1, steps=done,
                       train_s=train_s, s_per_step=out['epoch_s_mean'], setup_s=setup['setup_s'],
                       train_peak_rss_mb=out['train_peak_rss_mb'],
                       load=' '.join(f'{x:.1f}' for x in os.getloadavg()), **score(np.load(q_path), truth))
            rows.append(row)
            save(row)
            if train_s > 60 * a.max_minutes: break
    finally:
        d.close()
    return rows


def ours(a, data: Path) -> dict:
    "c2l_nb's defaults on the same bins (a `bench_hd.py one` process, one thread, the same simulation seed)."
    cmd = [sys.executable, str(HERE / 'bench_hd.py'), 'one', '--bins', str(a.bins), '--genes', str(a.genes),
           '--types', str(a.types), '--seed', str(a.seed), '--mode', a.mode, '--threads', '1']
    line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    r = json.loads(line)
    row = dict(library='c2l_nb', mode=a.mode, bins=a.bins, genes=a.genes, types=a.types, threads=1, steps=r['epochs'],
               train_s=r['train_s'], s_per_step=r['s_per_epoch'], train_peak_rss_mb=r['train_peak_rss_mb'],
               export_s=r.get('export_s'), load=r['load'], chosen=r['chosen'], status=r['status'],
               q05_r=r['q05_r'], q05_total_ratio=None, means_r=r.get('means_r'))
    save(row)
    return row


def write_table(path: Path) -> str:
    "benchmarks/hd_scale/results/hd_peer.md from every row of `path`."
    rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    cols = ['library', 'bins', 'genes', 'types', 'threads', 'steps', 'train_s', 's_per_step', 'train_peak_rss_mb',
            'q05_r', 'q05_total_ratio', 'load']
    fmt = lambda v: '' if v is None else (f'{v:,.3f}' if isinstance(v, float) and abs(v) < 10 else
                                          f'{v:,.0f}' if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v))
    lines = ['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
    lines += ['| ' + ' | '.join(fmt(r.get(c)) for c in cols) + ' |' for r in rows]
    notes = []
    for r in rows:
        if r['library'] == 'cell2location' and r is max((x for x in rows if x['library'] == 'cell2location'
                                                         and x['bins'] == r['bins']), key=lambda x: x['steps']):
            proj = STEPS * r['s_per_step'] / 3600
            notes.append(f"- {r['bins']:,} bins: cell2location's {STEPS:,} default steps at its {r['s_per_step']:.2f} s per "
                         f"step (one thread) would take **~{proj:.1f} h** (projection from the measured steps, not a run); "
                         f"it ran {r['steps']:,} steps in {r['train_s'] / 60:.0f} min.")
        if r['library'] == 'c2l_nb':
            how = ("`train()` defaults" if r.get('mode', 'auto') == 'auto' else
                   "minibatch mode (what `train()` chooses from 20,000 bins, forced at this size)")
            notes.append(f"- {r['bins']:,} bins: c2l_nb's {how}: {r['steps']} epochs in {r['train_s'] / 60:.1f} min "
                         f"({r.get('chosen', '')}), q05 r {r['q05_r']:.3f}.")
    text = ('# cell2location and c2l_nb at Visium HD size\n\n'
            '`python benchmarks/hd_scale/bench_hd_peer.py` (simulated 8 um bins of `bench_hd.py`, ~2 cells and ~280 UMIs per bin, '
            'both models given the true signatures, one torch thread each, on a 2-core machine: `load` says what ran '
            'beside). cell2location: its tutorial\'s full-batch training at lr 0.002, measured at checkpoints; `q05_r` is '
            'the Pearson r of the q05 abundances against the true cells per bin and type, `q05_total_ratio` the q05 '
            'totals over the true totals. c2l_nb: `train()` and `export_posterior` with the defaults.\n\n'
            + '\n'.join(lines) + '\n\n' + '\n'.join(notes) + '\n')
    (RESULTS / 'hd_peer.md').write_text(text)
    return text


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--bins', type=int, default=10000)
    p.add_argument('--genes', type=int, default=5000)
    p.add_argument('--types', type=int, default=40)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--checkpoints', default='250,500,1000,2000,3000,5000,7500,10000,15000,20000,30000')
    p.add_argument('--max-minutes', type=float, default=90.)
    p.add_argument('--data', default='bench_out/hd_peer')
    p.add_argument('--skip-peer', action='store_true')
    p.add_argument('--mode', default='auto', choices=['auto', 'minibatch'],
                   help="c2l_nb's run: `train()` as it chooses, or the minibatches it chooses from 20,000 bins (forced)")
    p.add_argument('--skip-ours', action='store_true')
    p.add_argument('--table', action='store_true', help='only rewrite the table')
    a = p.parse_args(argv)
    if not a.table:
        data = Path(a.data) / str(a.bins)
        if not (data / 'truth.npy').exists(): prepare(a.bins, a.genes, a.types, a.seed, data)
        if not a.skip_peer: peer(a, data)
        if not a.skip_ours: ours(a, data)
    print(write_table(RESULTS / 'hd_peer.jsonl'))


if __name__ == '__main__':
    main()
