"""Do the plain-torch and compiled engines give the map the Pyro engine gives? The real lymph-node pair, fitted with the defaults.

    python benchmarks/engine/engine_maps.py          # results/engine_maps.md and results/engine_maps.json

The shipped lymph-node pair (`c2l_nb.datasets.lymph_node_visium()`), signatures from the reference model at the
tutorial's settings (250 epochs), then the spatial model with the library's defaults (N_cells_per_location=30,
detection_alpha=20, the stopping rule) four times: `train(engine='pyro')` with seeds 0 and 1, the plain-torch step
(`train(engine='flat')`, `FlatELBO`) and the default (`CompiledELBO` on the full data) with seed 0. The engines draw
their noise differently, so the question is whether a map differs from Pyro's by more than two Pyro fits with different
seeds differ from each other. Per-type
Pearson r of the q05 abundances across spots, steps, training time (one torch thread).
"""
import json, sys, time, warnings
from pathlib import Path
import numpy as np

RESULTS = Path(__file__).resolve().parent / 'results'
warnings.filterwarnings('ignore')


def signatures():
    from c2l_nb.datasets import lymph_node_visium
    from c2l_nb.models import RegressionModel
    ref, vis = lymph_node_visium()
    RegressionModel.setup_anndata(ref, batch_key='sample', labels_key='cell_type')
    m = RegressionModel(ref); m.train(max_epochs=250, progress_bar=False)
    ref = m.export_posterior(ref, sample_kwargs={'num_samples': 1000})
    sig = ref.varm['means_per_cluster_mu_fg'].set_axis(ref.uns['mod']['factor_names'], axis=1)
    g = vis.var_names.intersection(sig.index)
    return vis[:, g].copy(), sig.loc[g]


def fit(vis, sig, engine: str, seed: int) -> dict:
    from c2l_nb.models import Cell2location
    v = vis.copy()
    Cell2location.setup_anndata(v, batch_key='sample')
    mod = Cell2location(v, cell_state_df=sig, N_cells_per_location=30, detection_alpha=20)
    t0 = time.perf_counter()
    mod.train(progress_bar=False, seed=seed, engine=engine)
    secs = time.perf_counter() - t0
    q = mod.posterior_quantile(0.05)
    from c2l_nb.elbo import abundance_from_weights
    w = q['w_sf'] if 'w_sf' in q else abundance_from_weights(q['w_sf_proportion'], q['n_s_cells_per_location'])
    return dict(q05=np.asarray(w), steps=len(mod.history_['elbo_train']), seconds=round(secs, 1), engine=mod.train_mode_['engine'])


def per_type_r(a, b) -> np.ndarray:
    return np.array([np.corrcoef(a[:, f], b[:, f])[0, 1] for f in range(a.shape[1])])


def main():
    import torch
    if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); return
    torch.set_num_threads(1)
    vis, sig = signatures()
    runs = {'pyro_s0': fit(vis, sig, 'pyro', 0), 'pyro_s1': fit(vis, sig, 'pyro', 1), 'flat_s0': fit(vis, sig, 'flat', 0),
            'compiled_s0': fit(vis, sig, 'auto', 0)}
    pairs = {'pyro_s1 vs pyro_s0': ('pyro_s1', 'pyro_s0'), 'flat_s0 vs pyro_s0': ('flat_s0', 'pyro_s0'),
             'flat_s0 vs pyro_s1': ('flat_s0', 'pyro_s1'), 'compiled_s0 vs pyro_s0': ('compiled_s0', 'pyro_s0'),
             'compiled_s0 vs pyro_s1': ('compiled_s0', 'pyro_s1'), 'compiled_s0 vs flat_s0': ('compiled_s0', 'flat_s0')}
    rows = {k: per_type_r(runs[a]['q05'], runs[b]['q05']) for k, (a, b) in pairs.items()}
    RESULTS.mkdir(exist_ok=True)
    out = dict(types=list(sig.columns), runs={k: {kk: vv for kk, vv in v.items() if kk != 'q05'} for k, v in runs.items()},
               per_type_r={k: [round(float(x), 4) for x in v] for k, v in rows.items()},
               mean_total={k: round(float(v['q05'].sum(1).mean()), 2) for k, v in runs.items()})
    (RESULTS / 'engine_maps.json').write_text(json.dumps(out, indent=1) + '\n')
    md = ["# The plain-torch and compiled engines against Pyro's on the real lymph-node pair", "",
          "`python benchmarks/engine/engine_maps.py`: the defaults, 1,000 spots x the genes shared with the reference, 11 "
          "types; per-type Pearson r of the q05 maps (one torch thread; training time includes the compile).", "",
          "| run | engine | steps | training s | mean q05 total |", "|---|---|---|---|---|"]
    md += [f"| {k} | {v['engine']} | {v['steps']} | {v['seconds']} | {out['mean_total'][k]} |" for k, v in out['runs'].items()]
    md += ["", "| pair | min r | median r | types |", "|---|---|---|---|"]
    md += [f"| {k} | {v.min():.4f} | {np.median(v):.4f} | {', '.join(f'{t} {x:.3f}' for t, x in zip(sig.columns, v))} |"
           for k, v in rows.items()]
    (RESULTS / 'engine_maps.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))


if __name__ == '__main__':
    main()
