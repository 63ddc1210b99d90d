"""Cost of one training step of the spatial model, by engine, at three sizes, against the likelihood alone.

    python benchmarks/engine/step_time.py                 # all sizes: results/step_time.md and results/step_time.json
    python benchmarks/engine/step_time.py --sizes suite   # one size
    python benchmarks/engine/step_time.py --profile       # also torch profiler tables: results/profile_<size>_<engine>.txt

Sizes:
- `lymph_node`: the real lymph-node pair shipped with the package (1,000 Visium spots, the 558 genes it shares with
  its reference, 11 types; signatures: the reference's cluster means), full batch;
- `suite`: the accuracy suite's size (400 spots x 1,000 genes x 20 types, `c2l_nb.sim.simulate`), full batch;
- `visium_large`: 900 spots x 2,000 genes x 22 types (simulated), full batch;
- `hd_minibatch`: one minibatch of 5,000 Visium HD-like 8 um bins x 5,000 genes x 40 types (`bench_hd.simulate_hd`),
  from a section of 20,000 bins, with the likelihood's zero-count term over 1,000 sampled genes (what `train()` picks).

Each engine takes the same model and guide and the same optimiser (Adam, fused, as `run_svi`); a step is the loss, its backward
pass and the optimiser's step. `pyro`: Pyro's `Trace_ELBO` (the path of the guides that need Pyro); `flat`:
`c2l_nb.elbo.FlatELBO` (the mean-field guide's step on minibatches); `compiled`: `c2l_nb.elbo.CompiledELBO`, the same
ELBO on dense counts through `torch.compile` (the mean-field guide's step on the full data; compile time not counted);
`loglik`: one forward and backward pass of the likelihood alone at the guide's medians (`loglik_compiled`: the dense
likelihood compiled), the lower bounds of any engine. Median of 5 repeats of `--steps` steps, one torch thread.
"""
import argparse, json, sys, time, warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / 'results'
sys.path[:0] = [str(HERE.parent / 'hd_scale')]
warnings.filterwarnings('ignore')
from c2l_nb.svi import _adam  # the optimiser run_svi uses  # noqa: E402


def model_for(size: str):
    "A Cell2location model of `size` and the arguments of one step."
    import numpy as np, pandas as pd, torch
    from c2l_nb.spatial import Cell2location
    torch.manual_seed(0)
    batch = None
    if size == 'lymph_node':
        from c2l_nb.datasets import lymph_node_visium
        from c2l_nb.data import shared_genes
        from c2l_nb.reference import compute_cluster_averages
        ref, vis = lymph_node_visium()
        g = shared_genes(vis, ref)
        vis, sig = vis[:, g].copy(), compute_cluster_averages(ref[:, g].copy(), 'cell_type')
        kw = dict(N_cells_per_location=30)
    elif size in ('suite', 'visium_large'):
        from c2l_nb.sim import simulate
        dims = dict(n_spots=400, n_genes=1000, n_types=20) if size == 'suite' else dict(n_spots=900, n_genes=2000, n_types=22)
        _, vis = simulate('small', seed=0, n_cells_per_type=20, **dims)
        sig = pd.DataFrame(vis.varm['true_signatures'], index=vis.var_names)
        keep = (sig.sum(1) > 0).to_numpy()
        vis, sig = vis[:, keep].copy(), sig.loc[keep]
        kw = dict(N_cells_per_location=float(vis.uns['sim']['mean_total_cells']))
    elif size == 'hd_minibatch':
        import anndata as ad
        from bench_hd import simulate_hd
        X, _, sig, _ = simulate_hd(20000, 5000, 40, seed=0)
        vis = ad.AnnData(X, obs=pd.DataFrame(index=[f'b{i}' for i in range(X.shape[0])]), var=pd.DataFrame(index=sig.index))
        kw, batch = dict(N_cells_per_location=2.0), 5000
    else: raise ValueError(size)
    Cell2location.setup_anndata(vis)
    mod = Cell2location(vis, cell_state_df=sig, detection_alpha=20, **kw)
    if size == 'hd_minibatch': mod.module.model.genes_per_step = 1000
    args = next(iter(mod._data(torch.device('cpu')).batches(batch, torch.Generator().manual_seed(0))()))
    shape = (vis.n_obs if batch is None else batch, vis.n_vars, sig.shape[1])
    return mod, args, shape


def _loglik_fn(mod, args):
    "One likelihood evaluation at the guide's medians, with gradients for its inputs."
    import torch
    from c2l_nb.elbo import spatial_loglik, abundance_from_weights
    g, m = mod.module.guide, mod.module.model
    idx = args[1]
    q = {**g.median(), **g.quantiles(0.5, idx=idx, names=[n for n, s in g.sites.items() if s.local])}
    w = q['w_sf'] if 'w_sf' in q and 'w_sf_proportion' not in q else abundance_from_weights(q['w_sf_proportion'], q['n_s_cells_per_location'])
    ts = [t.detach().clone().requires_grad_() for t in (w, q['m_g'], q['s_g_gene_add'], q['detection_y_s'], q['alpha_g_inverse'].pow(-2))]
    if m.genes_per_step:
        from c2l_nb.loglik_genes import spatial_loglik_genes, draw_genes
        return lambda: spatial_loglik_genes(args[0], ts[0], m.cell_state, *ts[1:], draw_genes(m.n_vars, m.genes_per_step, w.device))
    return lambda: spatial_loglik(args[0], ts[0], m.cell_state, *ts[1:])


def _loglik_compiled_fn(mod, args):
    "The dense likelihood (`c2l_nb.elbo.dense_loglik`) compiled, at the guide's medians: the lower bound of the compiled step."
    import torch
    from c2l_nb.elbo import dense_loglik, gamma_table, abundance_from_weights
    g, m, c = mod.module.guide, mod.module.model, args[0]
    q = {**g.median(), **g.quantiles(0.5, names=[n for n, s in g.sites.items() if s.local])}
    w = q['w_sf'] if 'w_sf_proportion' not in q else abundance_from_weights(q['w_sf_proportion'], q['n_s_cells_per_location'])
    ts = [t.detach().clone().requires_grad_() for t in (w, q['m_g'], q['s_g_gene_add'], q['detection_y_s'], q['alpha_g_inverse'].pow(-2))]
    X = torch.zeros(c.shape); X.view(-1)[c.flat] = c.vals
    table = gamma_table(c.hist, c.n_groups * c.shape[1])
    f = torch.compile(lambda *t: dense_loglik(X, t[0], m.cell_state, *t[1:], c.group, table, c.lgfact))
    return lambda: f(*ts)


def engines(mod, args):
    "The engines' losses: Pyro's, the plain-torch one, compiled where `train` compiles it (the full data), and the likelihood alone."
    import pyro
    from pyro.infer import Trace_ELBO
    from c2l_nb.elbo import FlatELBO, CompiledELBO
    model, guide = mod.module.model, mod.module.guide
    elbo, flat = Trace_ELBO(), FlatELBO(model, guide)
    out = {'pyro': lambda: elbo.differentiable_loss(model, guide, *args), 'flat': lambda: flat(*args), 'loglik': _loglik_fn(mod, args)}
    if args[1] is None and not model.genes_per_step:  # the full data: what `train` compiles
        comp = CompiledELBO(FlatELBO(model, guide))
        out.update(compiled=lambda: comp(*args), loglik_compiled=_loglik_compiled_fn(mod, args))
    return out


def time_engine(f, params, steps: int, repeats: int = 5) -> float:
    "Median seconds per step (loss, backward, Adam step)."
    import numpy as np, pyro, torch
    opt = _adam(params, 1e-4)
    out = []
    with pyro.validation_enabled(False):
        for _ in range(3): l = f(); opt.zero_grad(); l.backward(); opt.step()
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(steps): l = f(); opt.zero_grad(); l.backward(); opt.step()
            out.append((time.perf_counter() - t0) / steps)
    return float(np.median(out))


def profile(f, params, path: Path, steps: int = 10):
    import pyro, torch
    from torch.profiler import profile as prof_, ProfilerActivity
    opt = _adam(params, 1e-4)
    with pyro.validation_enabled(False), prof_(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(steps): l = f(); opt.zero_grad(); l.backward(); opt.step()
    ka = p.key_averages()
    n_ops = sum(e.count for e in ka if e.key.startswith('aten::')) / steps
    path.write_text(f"# {path.stem}: {steps} steps; {n_ops:.0f} aten operator calls per step (nested calls counted)\n\n"
                    + ka.table(sort_by='self_cpu_time_total', row_limit=30) + '\n')
    return n_ops


def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument('--sizes', default='lymph_node,suite,visium_large,hd_minibatch')
    a.add_argument('--steps', type=int, default=20)
    a.add_argument('--profile', action='store_true')
    a.add_argument('--md-only', action='store_true', help='rebuild results/step_time.md from results/step_time.json')
    args = a.parse_args(argv)
    if args.md_only:
        saved = json.loads((RESULTS / 'step_time.json').read_text()); return write_md(saved['rows'], saved['meta'])
    import torch, platform
    torch.set_num_threads(1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes.split(','):
        mod, step_args, shape = model_for(size)
        params = list(mod.module.guide.parameters())
        row = dict(size=size, spots=shape[0], genes=shape[1], types=shape[2])
        for name, f in engines(mod, step_args).items():
            row[f'{name}_ms'] = round(1e3 * time_engine(f, params, args.steps), 2)
            if args.profile and not name.startswith('loglik'): row[f'{name}_ops'] = round(profile(f, params, RESULTS / f'profile_{size}_{name}.txt'))
        best = min(row.get('compiled_ms', 1e9), row['flat_ms'])  # the default engine at this size
        row['default_speedup'] = round(row['pyro_ms'] / best, 2)
        row['default_over_loglik'] = round(best / min(row['loglik_ms'], row.get('loglik_compiled_ms', 1e9)), 2)
        print(json.dumps(row), flush=True)
        rows.append(row)
    meta = dict(torch=torch.__version__, threads=1, cpu=platform.processor() or platform.machine(), steps=args.steps, profile=args.profile)
    (RESULTS / 'step_time.json').write_text(json.dumps(dict(meta=meta, rows=rows), indent=1) + '\n')
    write_md(rows, meta)


def write_md(rows, meta):
    "results/step_time.md from the rows (`python step_time.py --md-only` rebuilds it from step_time.json)."
    cols = ['size', 'spots', 'genes', 'types', 'pyro_ms', 'flat_ms', 'compiled_ms', 'loglik_ms', 'loglik_compiled_ms',
            'default_speedup', 'default_over_loglik', 'pyro_ops', 'flat_ops', 'compiled_ops']
    cols = [c for c in cols if any(c in r for r in rows)]
    md = ["# Cost of one training step, by engine", "",
          f"`python benchmarks/engine/step_time.py{' --profile' if meta.get('profile') else ''}` (torch {meta['torch']}, one thread, "
          f"median of 5 x {meta['steps']} steps). `compiled`: the step `train` takes on the full data (`CompiledELBO`, "
          "its compile time not counted: `compile_time.md`); `flat`: the same uncompiled, the step of minibatches. `loglik`: the likelihood's forward "
          "and backward pass alone (`loglik_compiled`: its dense form compiled), the lower bounds. `default_speedup`: Pyro's step "
          "over the default one (compiled where it applies); `default_over_loglik`: the default step over the lower of the bounds.", "",
          '| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
    md += ['| ' + ' | '.join(str(r.get(c, '')) for c in cols) + ' |' for r in rows]
    (RESULTS / 'step_time.md').write_text('\n'.join(md) + '\n')
    print((RESULTS / 'step_time.md').read_text())


if __name__ == '__main__':
    main()
