"""Scaling benchmark at Visium HD size: simulated 8 um bins (~2 cells and a few hundred UMIs each), training with
the library's defaults, export, peak memory and accuracy against the truth.

    python benchmarks/hd_scale/bench_hd.py one   --bins 10000 [--mode auto|full|minibatch] [--genes 5000] [--types 40] ...
    python benchmarks/hd_scale/bench_hd.py suite [--sizes 10000,100000] [--epoch-only 1000000]   # the tables of the docs page
    python benchmarks/hd_scale/bench_hd.py gpu   [--bins 1000000] [--genes 18000]                # one GPU, data generated there
    python benchmarks/hd_scale/bench_hd.py memory --sizes 10000,100000,300000,1000000 --batch 5000 --threads 1   # memory curve

`one` runs in this process and prints one JSON line; `suite` runs every row in its own process (so that each peak
RSS is its own) and writes `benchmarks/hd_scale/results/hd_scale.md`, then the documentation page
`nbs/explanations/performance.ipynb` (`benchmarks/make_page.py`). Nothing here runs in CI.

The simulator (`simulate_hd`) is independent of `c2l_nb.sim`: bins on a square grid, cell-type proportions from
smooth random fields (a few Gaussian bumps per type), Poisson cells per bin (mean `cells_per_bin`, modulated by a
density field) split among types by a multinomial draw, so that most bins hold one to three types. Counts are
Gamma-Poisson (Poisson where mu < 0.1, for speed: there mu^2 / alpha is negligible) around mu_sg = y_s (sum_f w_sf g_fg m_g + s_g), generated in chunks of bins (on the GPU with `--device
cuda`) and stored sparse; the model gets the true signatures g_fg (the reference model is not what is measured here).
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
sys.path[:0] = [str(HERE), str(HERE.parent / 'tools'), str(HERE.parent)]  # bench_hd, _common, make_page
from _common import PhaseMemory, set_threads  # noqa: E402

RESULTS = HERE / 'results'


def simulate_hd(n_bins: int, n_genes: int = 5000, n_types: int = 40, *, cells_per_bin: float = 2.0,
                cell_umis: float = 150., alpha: float = 10., seed: int = 0, chunk: int = 20000, device: str = 'cpu'):
    "(X csr float32 bins x genes, truth float32 bins x types, signatures DataFrame genes x types, xy) of HD-like bins."
    import warnings
    import numpy as np, scipy.sparse as sp, torch
    from c2l_nb.sim import simulate_signatures
    warnings.filterwarnings('ignore', message='Sparse CSR tensor support is in beta')
    sig = simulate_signatures(n_genes, n_types, seed=seed)  # genes x types, ~2,500 counts per cell
    rng = np.random.default_rng(seed)
    dev = torch.device(device)
    gen = torch.Generator(device=dev).manual_seed(seed)
    torch.manual_seed(seed)  # the Gamma draws use the global generator
    g = torch.as_tensor(sig.values.T, dtype=torch.float32, device=dev)  # F x G
    m_g = torch.as_tensor(rng.gamma(2., 0.5, n_genes), dtype=torch.float32, device=dev)
    s_g = 0.02 * (g.mean(0) * m_g) * cell_umis / float(sig.values.sum(0).mean())  # ambient: ~2% of a cell's mean
    y_mean = cell_umis / float((sig.values.sum(0) * 1.).mean())  # detection: counts per bin per cell / counts per cell
    side = int(np.ceil(np.sqrt(n_bins)))
    n_bump = 3
    centres = torch.as_tensor(rng.uniform(0, 1, (n_types, n_bump, 2)), dtype=torch.float32, device=dev)
    widths = torch.as_tensor(rng.uniform(0.05, 0.2, (n_types, n_bump)), dtype=torch.float32, device=dev)
    heights = torch.as_tensor(rng.gamma(2., 1., (n_types, n_bump)), dtype=torch.float32, device=dev)
    d_centres = torch.as_tensor(rng.uniform(0, 1, (4, 2)), dtype=torch.float32, device=dev)
    Xs, truth, xys = [], [], []
    for lo in range(0, n_bins, chunk):
        i = torch.arange(lo, min(lo + chunk, n_bins), device=dev)
        xy = torch.stack([(i % side).float(), (i // side).float()], 1) / side
        d2 = ((xy[:, None, None, :] - centres[None]) ** 2).sum(-1)  # bins x F x bumps
        field = (heights * torch.exp(-d2 / (2 * widths ** 2))).sum(-1)  # bins x F
        p = torch.softmax(field, 1)
        dens = 0.5 + torch.exp(-((xy[:, None, :] - d_centres[None]) ** 2).sum(-1) / 0.08).sum(1).clamp(max=1.)
        n_cells = torch.poisson(cells_per_bin * dens, generator=gen)
        w = torch.zeros(len(i), n_types, device=dev)
        has = n_cells > 0
        if has.any():  # a multinomial per bin: draw each cell's type
            k = int(n_cells.max())
            draws = torch.multinomial(p[has], k, replacement=True, generator=gen)  # bins x k
            keep = (torch.arange(k, device=dev)[None] < n_cells[has][:, None]).float()
            w[has] = torch.zeros(int(has.sum()), n_types, device=dev).scatter_add_(1, draws, keep)
        y = torch.distributions.Gamma(torch.full((len(i), 1), 20., device=dev), 20. / y_mean).sample()
        mu = y * (w @ g * m_g + s_g)
        big = mu > 0.1  # Gamma-Poisson (NB, overdispersion alpha) where it matters: below, mu^2/alpha is negligible
        lam = mu.clone(); lam[big] = mu[big] * torch._standard_gamma(torch.full((int(big.sum()),), alpha, device=dev)) / alpha
        x = torch.poisson(lam, generator=gen)
        xs = x.to_sparse_csr()  # sparse where the counts were drawn (on the GPU with device='cuda')
        Xs.append(sp.csr_matrix((xs.values().cpu().numpy(), xs.col_indices().cpu().numpy(), xs.crow_indices().cpu().numpy()),
                                shape=tuple(x.shape)))
        truth.append(w.cpu().numpy()); xys.append(xy.cpu().numpy() * side)
        del d2, field, p, mu, lam, x
    X = sp.vstack(Xs, format='csr')
    return X, np.concatenate(truth), sig, np.concatenate(xys)


def build(n_bins: int, genes: int, types: int, seed: int, device: str = 'cpu'):
    "The AnnData of simulated bins, set up for Cell2location, and the truth."
    import pandas as pd
    from anndata import AnnData
    from c2l_nb.spatial import Cell2location
    X, truth, sig, xy = simulate_hd(n_bins, genes, types, seed=seed, device=device)
    ad = AnnData(X, obs=pd.DataFrame(index=[f'bin_{i}' for i in range(n_bins)]), var=pd.DataFrame(index=sig.index))
    ad.obsm['spatial'] = xy
    Cell2location.setup_anndata(ad)
    return ad, truth, sig


def one(a) -> dict:
    "Simulate, train with the chosen mode, export; time, peak RSS and accuracy (one process)."
    import numpy as np, torch
    from c2l_nb.spatial import Cell2location
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    ad, truth, sig = build(a.bins, a.genes, a.types, a.seed, a.device)
    sim_s = time.perf_counter() - t0
    mod = Cell2location(ad, cell_state_df=sig, **{'N_cells_per_location': 2., 'detection_alpha': 20, **json.loads(a.model)})
    kw = json.loads(a.train)
    if a.mode == 'full': kw.setdefault('batch_size', None)
    elif a.mode == "minibatch": mod._full_batch_budget_s = mod._time_min_obs = 0  # what `auto` chooses at HD size, at any size
    curve, t_eval = [], [0.]
    if a.every:  # accuracy along the run (its time is excluded from the training time)
        def look(epoch):
            if (epoch + 1) % a.every: return
            t1 = time.perf_counter()
            q, med = quick_quantile(mod, 0.05), quick_quantile(mod, 0.5)
            curve.append(dict(epoch=epoch + 1, q05_r=float(np.corrcoef(q.ravel(), truth.ravel())[0, 1]),
                              total_ratio=float(med.sum() / truth.sum())))
            print(json.dumps(curve[-1]), flush=True)
            t_eval[0] += time.perf_counter() - t1
        kw['callback'] = look
    with PhaseMemory() as tr:
        mod.train(progress_bar=a.progress, **kw)
    tr.seconds -= t_eval[0]
    epochs = len(mod.history_['elbo_train'])
    row = dict(bins=a.bins, genes=a.genes, types=a.types, nnz_per_bin=ad.X.nnz / a.bins, mode=a.mode, threads=a.threads,
               device=str(mod.device), load=' '.join(f'{x:.1f}' for x in os.getloadavg()),
               chosen=mod.train_mode_.get('why', ''), batch=mod.train_mode_.get('batch_size'), epochs=epochs,
               genes_per_step=mod.train_mode_.get('genes_per_step'), row_sparse=mod.train_mode_.get('row_sparse'),
               warm_start=bool(mod.train_mode_.get('warm_start')),
               status=mod.train_status_, sim_s=sim_s, s_per_epoch=tr.seconds / max(epochs, 1), **tr.report('train'))
    if not a.no_export:
        with PhaseMemory() as ex:
            ad = mod.export_posterior(ad, sample_kwargs={'num_samples': a.num_samples},
                                      add_to_obsm=['means', 'stds', 'q05', 'q95'])
        row.update(ex.report('export'))
        q05 = ad.obsm['q05_cell_abundance_w_sf'].values
        row['q05_r'] = float(np.corrcoef(q05.ravel(), truth.ravel())[0, 1])
        row['means_r'] = float(np.corrcoef(ad.obsm['means_cell_abundance_w_sf'].values.ravel(), truth.ravel())[0, 1])
        row['total_ratio'] = float(ad.obsm['means_cell_abundance_w_sf'].values.sum() / truth.sum())
    elif a.accuracy:  # without the export: posterior_quantile (analytic, or seeded draws for totals from N_s)
        q05, med = (mod.posterior_quantile(q)['w_sf'] for q in (0.05, 0.5))
        row['q05_r'] = float(np.corrcoef(q05.ravel(), truth.ravel())[0, 1])
        row['total_ratio'] = float(med.sum() / truth.sum())  # of the posterior medians
    row['total_s'] = time.perf_counter() - t0
    if curve: row['curve'] = curve
    return row


def quick_quantile(mod, q: float):
    "Quantile q of w_sf from the guide's quantiles, no draws (with totals from N_s: q of the weights' shares times q of N_s)."
    from c2l_nb.spatial import abundance_from_weights
    g = mod.module.guide
    if 'w_sf_proportion' not in g.sites: return g.quantiles(q, names=['w_sf'])['w_sf'].cpu().numpy()
    d = g.quantiles(q, names=['w_sf_proportion', 'n_s_cells_per_location'])
    return abundance_from_weights(d['w_sf_proportion'], d['n_s_cells_per_location']).cpu().numpy()


def run_rows(specs: list, out: Path) -> list:
    "Each spec (a list of `one` arguments) in its own process, appended to `out` (JSON lines); returns the rows."
    rows = []
    for spec in specs:
        print(time.strftime('%H:%M:%S'), ' '.join(spec), flush=True)
        r = subprocess.run([sys.executable, __file__, 'one', *spec, '--out', str(out)], capture_output=True, text=True)
        if r.returncode: print(r.stderr[-3000:], flush=True); continue
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return rows


def table(rows: list, cols: list) -> str:
    "A markdown table of `cols` (missing values blank)."
    def fmt(v):
        if isinstance(v, float): return f'{v:.3g}' if abs(v) < 1000 else f'{v:,.0f}'
        return '' if v is None else str(v)
    return '\n'.join(['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
                     + ['| ' + ' | '.join(fmt(r.get(c)) for c in cols) + ' |' for r in rows])


COLS = ['bins', 'genes', 'types', 'nnz_per_bin', 'mode', 'genes_per_step', 'row_sparse', 'warm_start', 'threads', 'load', 'batch', 'epochs', 'status', 's_per_epoch', 'train_s',
        'train_peak_rss_mb', 'export_s', 'export_peak_rss_mb', 'q05_r', 'means_r', 'total_ratio', 'total_s']


def suite(a) -> None:
    "The rows of the docs page: 10,000 bins full batch and defaults, 100,000 bins defaults, bigger sizes one epoch."
    out = Path(a.out or RESULTS / 'hd_scale.jsonl')
    common = ['--genes', str(a.genes), '--types', str(a.types), '--threads', str(a.threads)]
    specs = []
    for n in [int(v) for v in a.sizes.split(',') if v]:
        specs.append(['--bins', str(n), '--mode', 'minibatch' if n <= a.full_up_to else 'auto', *common])
        if n <= a.full_up_to: specs.append(['--bins', str(n), '--mode', 'full', *common])
    for n in [int(v) for v in a.epoch_only.split(',') if v]:  # time per epoch and memory only
        specs.append(['--bins', str(n), '--mode', 'auto', '--no-export', '--train', '{"max_epochs": %d}' % a.epochs_big, *common])
    run_rows(specs, out)
    write_tables(out)


def memory(a) -> None:
    "Peak RSS of training at one fixed minibatch size over several section sizes (one epoch each, own process)."
    out = Path(a.out or RESULTS / 'hd_memory.jsonl')
    for n in [int(v) for v in a.sizes.split(',') if v]:
        train = {'batch_size': a.batch, 'max_epochs': 1, **json.loads(a.train)}
        run_rows([['--bins', str(n), '--genes', str(a.genes), '--types', str(a.types), '--threads', str(a.threads),
                   '--mode', 'minibatch', '--no-export', '--train', json.dumps(train)]], out)
    write_tables(RESULTS / 'hd_scale.jsonl')


def memory_text() -> str:
    "The fixed-minibatch memory curve (results/hd_memory.jsonl): peak RSS of training, the data before it, per-bin growth."
    f = RESULTS / 'hd_memory.jsonl'
    if not f.exists(): return 'Not measured yet: `python benchmarks/hd_scale/bench_hd.py memory`.'
    rows = {}
    for l in open(f):
        r = json.loads(l); rows[(r['bins'], r['batch'])] = r
    rows = [rows[k] for k in sorted(rows)]
    for r in rows:
        r['data_mb'], r['training_mb'] = r['train_base_rss_mb'], r['train_peak_rss_mb'] - r['train_base_rss_mb']
    lo, hi = rows[0], rows[-1]
    per_bin = (hi['training_mb'] - lo['training_mb']) * 2**20 / (hi['bins'] - lo['bins'])
    per_bin_data = (hi['data_mb'] - lo['data_mb']) * 2**20 / (hi['bins'] - lo['bins'])
    return (table(rows, ['bins', 'batch', 'threads', 'load', 's_per_epoch', 'data_mb', 'train_peak_rss_mb', 'training_mb']) +
            f"\n\n`python benchmarks/hd_scale/bench_hd.py memory --sizes {','.join(str(r['bins']) for r in rows)} --batch {lo['batch']}` "
            "(one epoch each, in its own process). `data_mb`: the process's RSS when training starts (the simulated bins "
            "as a sparse AnnData, the truth, Python and torch); `train_peak_rss_mb`: its peak during training; `training_mb`: "
            f"the difference, what training adds. From {lo['bins']:,} to {hi['bins']:,} bins ({hi['bins'] / lo['bins']:.0f} "
            f"times as many) training adds {hi['training_mb'] / max(lo['training_mb'], 1):.1f} times as much memory: "
            f"~{per_bin / 1024:.1f} KB per bin, the per-bin variational parameters (a location and a scale for each of the "
            "bin's abundances and group factors), their two Adam moments and the snapshot kept to undo a step that turns "
            f"NaN; the minibatch's working memory stays the same. Before training the process grows by ~{per_bin_data / 1024:.1f} "
            "KB per bin: the simulated AnnData (its sparse counts, ~1.6 KB per bin at ~200 non-zero counts, and the bin "
            "names) and the benchmark's truth. Training shares the counts' arrays with the AnnData rather than copying them.")


def write_tables(path: Path) -> None:
    "benchmarks/hd_scale/results/hd_scale.md from the JSON lines (the latest row of each size, mode and number of epochs)."
    rows = {}
    for l in open(path):
        r = json.loads(l)
        rows[(r['bins'], r['genes'], r['mode'], r.get('genes_per_step'), r.get('epochs'))] = r
    rows = [rows[k] for k in sorted(rows, key=str)]
    txt = [HEADER, table(rows, COLS), '', reading(rows), '', '## Accuracy along training\n',
           'Pearson r of the q05 abundances against the truth at the epochs where it was measured (`--every`).\n']
    for r in rows:
        if r.get('curve'):
            txt.append(f"- {label(r)}: " + ', '.join(f"{c['epoch']}: {c['q05_r']:.3f}" for c in r['curve']))
    txt += ['', '## What `train()` chose\n'] + [f"- {label(r)}: {r.get('chosen', '')}" for r in rows] + ['']
    txt += ['## Memory at a fixed minibatch size\n', memory_text(), '']
    txt += ['## One GPU: 1,000,000 bins x 18,000 genes\n', gpu_text(rows), '']
    (RESULTS / 'hd_scale.md').write_text('\n'.join(txt))
    import make_page
    make_page.main([])


HEADER = """# Visium HD scale: simulated 8 um bins

`python benchmarks/hd_scale/bench_hd.py suite` (torch threads per row in `threads`, on a 2-core machine; `load`: the load
average at the end of the row, above the row's own threads when other benchmarks ran beside it; simulated bins with ~2 cells and ~280 UMIs each, 5,000 genes,
40 types; the model gets the true signatures). `mode`: `auto` is `train()` with the library's defaults (it chooses
full batch or minibatches and says why), `full` is `train(batch_size=None)` with the default schedule and stopping
rule, `minibatch` is `train()` with the minibatches and settings that `auto` chooses when a full-batch run would
take too long (forced at a size where it would not). `train_peak_rss_mb` is the peak resident memory of the process during training (from a reset high-water mark,
so simulating the data is excluded), `export_*` the same for `export_posterior` with 100 posterior draws
(means, stds, q05, q95). `q05_r`: Pearson r of q05 abundances against the true cell counts per bin and type.
Rows without accuracy ran a fixed number of epochs to time them. `genes_per_step`: blank where every step summed the
likelihood over all genes; a number where the zero counts' term was summed over that many sampled genes per step
(`c2l_nb.loglik_genes`, unbiased; the default `genes_per_step='auto'` does so in the minibatch mode of sparse data).
`row_sparse`: True where each bin's variational parameters took lazy Adam steps, only in the steps whose minibatch
held the bin (`torch.optim.SparseAdam`, the default with minibatches); blank in rows measured before that default,
where a dense Adam updated every bin's parameters at every step. `warm_start`: True where each bin's abundances
started from a Poisson regression on the signatures (`c2l_nb.warm_start`, the default for sparse counts since it was
added; its time is part of `train_s`); blank in rows measured before.
"""


def label(r: dict) -> str:
    "A row's size, mode and likelihood (exact, or the zero counts' term over sampled genes)."
    g = r.get('genes_per_step')
    return (f"{r['bins']:,} bins, `{r['mode']}`, {r.get('epochs', 0):,} epochs, " + ('warm start, ' if r.get('warm_start') else '')
            + (f"{g:,} sampled genes per step" if g else "exact likelihood"))


def reading(rows: list) -> str:
    "The targets of the HD issue, read off the rows."
    out = []
    for r in rows:
        if r['bins'] == 100000 and r['mode'] == 'auto' and r.get('export_s') is not None:
            m = (r['train_s'] + r['export_s']) / 60
            out.append(f"- {label(r)}: trained and exported in {m:.1f} min on {r['threads']} thread{'s' if r['threads'] > 1 else ''} "
                       f"(target 8 min: {'met' if m <= 8 else 'missed'}); peak RSS {max(r['train_peak_rss_mb'], r['export_peak_rss_mb']) / 1024:.1f} GB "
                       f"(target 8 GB); q05 r {r['q05_r']:.3f}; the stopping rule did {'not ' if r['status'] == 'max_epochs' else ''}end training.")
    mem = sorted(((r['bins'], r['train_peak_rss_mb'], label(r)) for r in rows if r.get('train_peak_rss_mb') and r['mode'] != 'full'),
                 key=lambda t: t[:2])
    if len(mem) > 1:
        out.append('- Peak RSS of training: ' + ', '.join(f"{l} {m / 1024:.1f} GB" for b, m, l in mem) + '. These rows '
                   "train on the minibatches `train()` chose, which grow with the bins where memory sets them (1,000,000 "
                   "bins); the next section holds the minibatch size fixed.")
    return '\n'.join(out)


def gpu_text(rows: list) -> str:
    "The GPU row if `gpu` has run (results/hd_gpu.jsonl), else a projection from the CPU rows, labelled as one."
    f = RESULTS / 'hd_gpu.jsonl'
    if f.exists():
        g = [json.loads(l) for l in open(f)]
        return table(g, COLS) + '\n\nMeasured with `python benchmarks/hd_scale/bench_hd.py gpu` on the GPU named in each row\'s log.'
    cpu = [r for r in rows if r.get('s_per_epoch') and r['bins'] >= 100000]
    if not cpu: return 'Not measured: no GPU was available, and no CPU row to project from.'
    r = max(cpu, key=lambda r: r['bins'])
    rate = r['bins'] * r['genes'] * r['types'] / r['s_per_epoch']
    work = 1e6 * 18000 * 40
    return (f"**Projection, not a measurement** (no GPU was available to this benchmark): on the CPU, {r['bins']:,} bins "
            f"x {r['genes']:,} genes x {r['types']} types took {r['s_per_epoch']:.0f} s per epoch, {rate:.2g} bin x gene x "
            f"type entries per second. 1,000,000 bins x 18,000 genes x 40 types is {work:.2g} entries per epoch: "
            f"{work / rate / 60:.0f} min per epoch at that rate. At the ~1e12 entries per second `train()` assumes for a "
            f"data-centre GPU (`c2l_nb.registry.pass_seconds`, an assumption) an epoch would take ~{work / 1e12:.1f} s, "
            "so the 200 to 500 minibatch epochs of the defaults ~2.5 to 6 min. `python benchmarks/hd_scale/bench_hd.py gpu` "
            "(data simulated on the GPU, <= ~5 min) measures it where a GPU is available.")


def gpu(a) -> None:
    "One GPU: simulate on the device, train with the defaults, export quantiles; prints one JSON line (<= ~5 minutes)."
    import torch
    assert torch.cuda.is_available(), 'gpu: no CUDA device'
    spec = ['--bins', str(a.bins), '--genes', str(a.genes), '--types', str(a.types), '--device', 'cuda',
            '--threads', str(a.threads), '--no-export', '--accuracy', '--every', '0', '--train', a.train]
    run_rows([spec], Path(a.out or RESULTS / 'hd_gpu.jsonl'))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('cmd', choices=['one', 'suite', 'gpu', 'memory'])
    p.add_argument('--bins', type=int, default=10000)
    p.add_argument('--genes', type=int, default=5000)
    p.add_argument('--types', type=int, default=40)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--mode', default='auto', choices=['auto', 'full', 'minibatch'])
    p.add_argument('--train', default='{}', help='more train() arguments (JSON)')
    p.add_argument('--model', default='{}', help='more Cell2location() arguments (JSON), e.g. priors')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu', help='where the data are simulated')
    p.add_argument('--num-samples', type=int, default=100)
    p.add_argument('--no-export', action='store_true')
    p.add_argument('--accuracy', action='store_true', help='with --no-export: the q05 r from the guide')
    p.add_argument('--progress', action='store_true')
    p.add_argument('--every', type=int, default=0, help='record the q05 r every this many epochs')
    p.add_argument('--out', default='')
    p.add_argument('--sizes', default='10000,100000', help='suite: sizes trained to convergence')
    p.add_argument('--full-up-to', type=int, default=10000, help='suite: also train full batch up to this size')
    p.add_argument('--epoch-only', default='1000000', help='suite: sizes timed over --epochs-big epochs')
    p.add_argument('--epochs-big', type=int, default=2)
    p.add_argument('--batch', type=int, default=5000, help='memory: the fixed minibatch size')
    a = p.parse_args(argv)
    set_threads(a.threads)
    if a.cmd == 'one':
        row = one(a)
        print(json.dumps(row))
        if a.out:
            with open(a.out, 'a') as f: f.write(json.dumps(row) + '\n')
    elif a.cmd == 'suite': suite(a)
    elif a.cmd == 'gpu': gpu(a)
    elif a.cmd == 'memory': memory(a)


if __name__ == '__main__':
    main()
