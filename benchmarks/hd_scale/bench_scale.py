"""Training at scale: peak host memory and seconds per epoch of full-batch and minibatch training (counts on the host),
and the accuracy of random minibatches against spatially coherent tiles at equal epochs.

    python benchmarks/hd_scale/bench_scale.py memory   --spots 2000 20000 --out benchmarks/hd_scale/results/scale_memory.md
    python benchmarks/hd_scale/bench_scale.py accuracy --spots 2000 --epochs 400 --batch 250 --lr 0.01 --out benchmarks/hd_scale/results/scale_tiles.md

`memory` runs one process per (size, mode), each on one thread, one after another: the peak RSS of the training
phase is measured from a reset high-water mark (`_common.PhaseMemory`), so it excludes simulating the data.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'tools'))
from _common import PhaseMemory  # noqa: E402

GENES, SEED = 1000, 0


def build(n_spots: int):
    "A Cell2location model on simulated spots (the 'small' preset at `n_spots` spots, GENES genes) and the truth."
    import numpy as np, pandas as pd
    from c2l_nb.sim import simulate
    from c2l_nb.spatial import Cell2location
    _, vis = simulate('small', n_spots=n_spots, n_genes=GENES, ref_n_cells_per_type=20, seed=SEED)
    sig = pd.DataFrame(vis.varm['true_signatures'], index=vis.var_names)
    vis = vis[:, sig.sum(1) > 0].copy(); sig = sig.loc[vis.var_names]
    Cell2location.setup_anndata(vis, batch_key='sample')
    mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=float(vis.uns['sim']['mean_total_cells']),
                       detection_alpha=20)
    return mod, vis


def one(n_spots: int, mode: str, epochs: int, batch: int) -> dict:
    "Train in this process; peak RSS and seconds per epoch of the training phase."
    import torch
    torch.set_num_threads(1)
    mod, _ = build(n_spots)
    kw = dict(batch_size=None, resident='device') if mode == 'full' else dict(batch_size=batch, resident='host')
    with PhaseMemory() as pm:
        mod.train(max_epochs=epochs, lr=0.01, progress_bar=False, early_stopping=False, **kw)
    return dict(spots=n_spots, mode=mode, batch=kw['batch_size'], epochs=epochs, s_per_epoch=pm.seconds / epochs,
                **pm.report('train'))


def tiles(xy, size: int) -> list:
    "Spatially coherent minibatches: a grid of about len(xy) / size square-ish tiles (quantiles of x, then of y)."
    import numpy as np
    k = max(1, int(round(np.sqrt(len(xy) / size))))
    cols = np.minimum((np.argsort(np.argsort(xy[:, 0])) * k) // len(xy), k - 1)
    out = []
    for c in range(k):
        ids = np.flatnonzero(cols == c)
        rows = np.minimum((np.argsort(np.argsort(xy[ids, 1])) * k) // len(ids), k - 1)
        out += [ids[rows == r] for r in range(k)]
    return [t for t in out if len(t)]


def accuracy(n_spots: int, epochs: int, batch: int, lr: float, lr_end: float | None) -> list:
    "q05 Pearson r against the truth after `epochs` epochs: random minibatches, tiles, full batch."
    import numpy as np, torch
    from c2l_nb.svi import run_svi
    from c2l_nb.sim import abundance_accuracy
    torch.set_num_threads(1)
    rows = []
    for how in ('random', 'tiles', 'full'):
        mod, vis = build(n_spots)
        data = mod._data(torch.device('cpu'), resident='host')
        gen = torch.Generator().manual_seed(SEED)
        if how == 'tiles':
            ts = tiles(np.asarray(vis.obsm['spatial']), batch)
            batches = lambda: [data.args(torch.as_tensor(ts[i])) for i in torch.randperm(len(ts), generator=gen)]
        else: batches = data.batches(None if how == 'full' else batch, gen)
        torch.manual_seed(SEED); t0 = time.perf_counter()
        res = run_svi(mod.module.model, mod.module.guide, batches, max_epochs=epochs, lr=lr, lr_end=lr_end,
                      progress=False)
        mod.is_trained_ = True
        q05 = mod.posterior_quantile(0.05)['w_sf']
        acc = abundance_accuracy(q05, vis.obsm['true_abundance']).loc['overall']
        rows.append(dict(spots=n_spots, batches=how, batch=None if how == 'full' else batch, epochs=epochs,
                         lr=f"{lr}" + ('' if lr_end is None else f"->{lr_end}"),
                         steps=epochs * (1 if how == 'full' else -(-n_spots // batch)),
                         pearson=float(acc['pearson']), seconds=time.perf_counter() - t0, final_loss=res.history[-1]))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def table(rows: list) -> str:
    keys = list(rows[0])
    fmt = lambda v: f'{v:.4g}' if isinstance(v, float) else str(v)
    return '\n'.join(['| ' + ' | '.join(keys) + ' |', '|' + '---|' * len(keys)] +
                     ['| ' + ' | '.join(fmt(r[k]) for k in keys) + ' |' for r in rows]) + '\n'


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('what', choices=['memory', 'accuracy', 'one'])
    p.add_argument('--spots', type=int, nargs='+', default=[2000, 20000])
    p.add_argument('--mode', default='full')
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--batch', type=int, default=1000)
    p.add_argument('--lr', type=float, default=0.01)
    p.add_argument('--lr-end', type=float, default=None, help='decay lr geometrically to this over the epochs (default: constant)')
    p.add_argument('--out', type=Path)
    a = p.parse_args()
    if a.what == 'one': print(json.dumps(one(a.spots[0], a.mode, a.epochs, a.batch))); return
    if a.what == 'accuracy': rows = [r for n in a.spots for r in accuracy(n, a.epochs, a.batch, a.lr, a.lr_end)]
    else:
        rows, env = [], dict(os.environ, OMP_NUM_THREADS='1')
        for n in a.spots:
            for mode in ('full', 'minibatch'):
                cmd = [sys.executable, __file__, 'one', '--spots', str(n), '--mode', mode, '--epochs', str(a.epochs),
                       '--batch', str(a.batch)]
                rows.append(json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout.splitlines()[-1]))
                print(json.dumps(rows[-1]), flush=True)
    md = table(rows)
    print(md)
    if a.out: a.out.parent.mkdir(parents=True, exist_ok=True); a.out.write_text(md)


if __name__ == '__main__':
    main()
