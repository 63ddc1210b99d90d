"""Seconds per training step of each spatial-model variant against the main model, side by side in one run.

    python benchmarks/variants.py [--steps 300] [--repeats 2] [--preset small]

Variants: the main model with its mean-field guide; cell2location's simplified models (`model_class=`: without the
tissue-zone factorisation, without gene sensitivity); the hierarchical guide (`create_autoguide_kwargs=`); the
amortised guide (`amortised=True`, minibatches of 250 spots, the step being one minibatch). Every variant trains the
same simulated data (the simulator's `small` preset by default) with the same constant learning rate for `--steps`
steps, one torch thread; the variants run in turn, `--repeats` times, so that a change of load on the machine hits
them alike. The table (benchmarks/results/variants.md) gives the median seconds per step and its ratio to the main
model. Accuracy is not compared here: the amortised guide's is in benchmarks/results/amortised_small.md, the
hierarchical guide's in benchmarks/results/guides.md.
"""
from __future__ import annotations
import argparse, os, sys, time
from pathlib import Path

os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np, pandas as pd, torch  # noqa: E402

from c2l_nb.sim import simulate  # noqa: E402
from c2l_nb.models import Cell2location  # noqa: E402

OUT = Path(__file__).parent / 'results' / 'variants.md'


def variants() -> dict:
    from pyro.infer.autoguide import AutoHierarchicalNormalMessenger
    v = {'main model (mean-field guide)': ({}, None),
         'no tissue zones (LocationModelNoZones)': (dict(model_class='LocationModelNoZones'), None),
         'no gene sensitivity (LocationModelNoMg)': (dict(model_class='LocationModelNoMg'), None),
         'hierarchical guide': (dict(create_autoguide_kwargs={'guide_class': AutoHierarchicalNormalMessenger}), None)}
    try:
        import c2l_nb.guides.amortised  # noqa: F401
        v['amortised guide (minibatch of 250 spots)'] = (dict(amortised=True, encoder_mode='multiple'), 250)
    except ImportError: pass
    return v


def time_variant(vis, sig, kw: dict, batch_size, steps: int) -> float:
    Cell2location.setup_anndata(vis, batch_key='sample')
    mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=float(vis.uns['sim']['mean_total_cells']), **kw)
    epochs = steps if batch_size is None else max(1, steps * batch_size // vis.n_obs)
    mod.train(max_epochs=5, batch_size=batch_size, lr=0.002, progress_bar=False, early_stopping=False)  # warm-up
    t0 = time.perf_counter()
    mod.train(max_epochs=epochs, batch_size=batch_size, lr=0.002, progress_bar=False, early_stopping=False)
    n_steps = epochs if batch_size is None else epochs * -(-vis.n_obs // batch_size)
    return (time.perf_counter() - t0) / n_steps


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=300); p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--preset', default='small')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    _, vis = simulate(a.preset, seed=0)
    sig = pd.DataFrame(vis.varm['true_signatures'], index=vis.var_names)
    keep = sig.sum(1) > 0
    vis, sig = vis[:, keep.values].copy(), sig.loc[keep]
    rows = []
    for r in range(a.repeats):
        for name, (kw, bs) in variants().items():
            s = time_variant(vis, sig, kw, bs, a.steps)
            rows.append(dict(variant=name, repeat=r, s_per_step=s)); print(f"{name}: {s * 1000:.1f} ms/step", flush=True)
    df = pd.DataFrame(rows).groupby('variant', sort=False)['s_per_step'].median().to_frame('median_s_per_step')
    df['ratio_to_main'] = df['median_s_per_step'] / df['median_s_per_step'].iloc[0]
    df['ms_per_step'] = (df['median_s_per_step'] * 1000).round(1)
    table = '| variant | ms per step | ratio to the main model |\n|---|---|---|\n' + '\n'.join(
        f"| {v} | {r.ms_per_step:.1f} | {r.ratio_to_main:.2f} |" for v, r in df.iterrows())
    head = (f"# Seconds per step of the spatial-model variants\n\n`python benchmarks/variants.py --steps {a.steps} "
            f"--repeats {a.repeats} --preset {a.preset}`: {vis.n_obs} spots x {vis.n_vars} genes, "
            f"{sig.shape[1]} cell types, one torch thread, median of {a.repeats} alternated runs, load "
            f"{os.getloadavg()[0]:.1f}. A step is one full-data step, or one minibatch of 250 spots for the "
            "amortised guide (an epoch is then 4 steps).\n\n")
    OUT.write_text(head + table + '\n'); print(head + table)


if __name__ == '__main__':
    sys.exit(main())
