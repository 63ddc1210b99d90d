"""HD accuracy suite: Visium HD-like sections made of discrete cells (`c2l_nb.sim_hd.simulate_hd`), mapped at 2, 8 and
16 um by c2l_nb and by baselines, scored against the true fractions of cells in each bin.

    python benchmarks/hd_accuracy/hd_suite.py prepare --seeds 0,1,2            # simulate (bench_out/hd_suite/)
    python benchmarks/hd_accuracy/hd_suite.py run --method nnls_mg_pool --seeds 0,1,2 --bins 8,16
    python benchmarks/hd_accuracy/hd_suite.py report                           # results/hd_suite.md

Methods: `nnls` (per-bin Poisson maximum likelihood with the true signatures), `nnls_mg` (the same with signatures
times the true platform gene effect m_g), `nnls_mg_pool` (the same on each bin's counts summed with its 8 nearest
bins), `flashdeconv` (FlashDeconv 0.2.0's defaults, run in its own environment `--fd-python`), `c2l_nb` (the
library's defaults: `Cell2location(..., N_cells_per_location=<true mean cells per bin>, detection_alpha=20)`,
`train()`, `export_posterior`; the true signatures given). Seed 0 is for tuning; the table reports seeds 1 and 2.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / 'bench_out' / 'hd_suite'
RESULTS = Path(__file__).parent / 'results'
JSONL = RESULTS / 'hd_suite.jsonl'
REGIMES = {  # signatures (simulate_signatures) and section (simulate_hd) arguments
    'distinct': dict(sig=dict(n_types=11), hd=dict(umis_per_8um=300.)),
    'subtypes': dict(sig=dict(n_types=11, n_subtypes=4), hd=dict(umis_per_8um=300.)),
    'low_depth': dict(sig=dict(n_types=11), hd=dict(umis_per_8um=100.)),
    'subtypes_low': dict(sig=dict(n_types=11, n_subtypes=4), hd=dict(umis_per_8um=100.)),
}
N_GENES, SIZE_UM, BINS, HELD_OUT = 2000, 400., (2, 8, 16), (1, 2)
PRESENCE = 0.1  # a type is present in a bin holding at least a tenth of a cell of it


def path(regime: str, seed: int, b: int, size: float = SIZE_UM) -> Path:
    return DATA / (f'{regime}_s{seed}_{b}um.h5ad' if size == SIZE_UM else f'{regime}_s{seed}_{b}um_{size:g}.h5ad')


def prepare(regimes, seeds, size: float = SIZE_UM, bins=BINS):
    from c2l_nb.sim import simulate_signatures
    from c2l_nb.sim_hd import simulate_hd
    DATA.mkdir(parents=True, exist_ok=True)
    for reg in regimes:
        for s in seeds:
            cfg = REGIMES[reg]
            sig = simulate_signatures(N_GENES, seed=100 + s, **cfg['sig'])
            for b, ad in simulate_hd(sig, size_um=size, bin_sizes=tuple(bins), seed=s, **cfg['hd']).items():
                ad.uns['sim'] = {k: v for k, v in ad.uns['sim'].items() if k not in ('cells', 'roles')}
                ad.write_h5ad(path(reg, s, b, size))
            print(reg, s, 'done', flush=True)


def families(names) -> np.ndarray: return pd.factorize(pd.Index([n.split('_s')[0] for n in names]))[0]


def scores(est: np.ndarray, true: np.ndarray, names, mean: np.ndarray | None = None) -> dict:
    "Pearson r and JSD of proportions and PR-AUC of presence, over bins that hold part of a cell, for types and families."
    from sklearn.metrics import average_precision_score
    keep = true.sum(1) > 1e-3
    out = {}
    fam = families(names)
    for lvl, agg in (('', None), ('fam_', fam)):
        e, t = est[keep], true[keep]
        if agg is not None:
            if agg.max() + 1 == len(names): continue
            e = np.stack([e[:, agg == k].sum(1) for k in range(agg.max() + 1)], 1)
            t = np.stack([t[:, agg == k].sum(1) for k in range(agg.max() + 1)], 1)
        ep = e / np.maximum(e.sum(1, keepdims=True), 1e-12)
        tp = t / t.sum(1, keepdims=True)
        m = 0.5 * (ep + tp)
        kl = lambda a, b: np.where(a > 0, a * np.log2(np.maximum(a, 1e-300) / np.maximum(b, 1e-300)), 0).sum(1)
        out[lvl + 'r'] = float(np.corrcoef(ep.ravel(), tp.ravel())[0, 1])
        out[lvl + 'pr_auc'] = float(average_precision_score((t >= PRESENCE).ravel(), ep.ravel()))
        out[lvl + 'jsd'] = float((0.5 * kl(ep, m) + 0.5 * kl(tp, m)).mean())
    if mean is not None:  # the posterior mean of types absent from a bin
        out['absent_below_0.05'] = float((mean[true == 0] < 0.05).mean())
        out['absent_median'] = float(np.median(mean[true == 0]))
    return out


def poisson_nnls(X, A, iters: int = 300):
    "W >= 0 (bins x types) maximising the Poisson likelihood of X (bins x genes) with mean W A (A: types x genes)."
    import torch
    X, A = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(A, dtype=torch.float64)
    W = (X.sum(1, keepdim=True) / A.sum(1).mean()).expand(-1, A.shape[0]).clone() / A.shape[0] + 1e-6
    for _ in range(iters):
        W *= ((X / (W @ A).clamp_min(1e-12)) @ A.T) / A.sum(1)
    return W.numpy()


def poisson_map(X, A, shape, rate, iters: int = 300):
    "W >= 0 maximising the Poisson likelihood of X with mean W A plus a Gamma(shape, rate) log-prior on each w (shape >= 1)."
    import torch
    X, A = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(A, dtype=torch.float64)
    shape, rate = torch.as_tensor(shape, dtype=torch.float64), torch.as_tensor(rate, dtype=torch.float64)
    W = (shape / rate).clone()
    for _ in range(iters):
        W = (W * ((X / (W @ A).clamp_min(1e-12)) @ A.T) + shape - 1) / (A.sum(1) + rate)
    return W.numpy()


def neighbours(ad, k: int = 9) -> np.ndarray:
    from scipy.spatial import cKDTree
    return cKDTree(ad.obsm['spatial']).query(ad.obsm['spatial'], k)[1]


def run_nnls(ad, method: str) -> dict:
    X = ad.X.toarray()
    A = ad.varm['true_signatures'].values.T.copy()
    if method != 'nnls': A = A * ad.var['true_m_g'].values
    if method.endswith('_pool'): X = X[neighbours(ad)].sum(1)
    if '_nbprior' in method:  # a Gamma prior per bin and type from its 8 neighbours' pooled fit (not its own counts)
        c = float(method.split('_nbprior')[1] or 3)
        Wn = poisson_nnls(X[neighbours(ad)[:, 1:]].sum(1), A) / 8
        n = Wn.sum(1, keepdims=True)
        return dict(est=poisson_map(X, A, 1 + c * Wn / np.maximum(n, 1e-9), c / np.maximum(n, 1e-3)))
    return dict(est=poisson_nnls(X, A))


def run_c2l(ad, method: str, train_kwargs: dict, settings: dict, num_samples: int = 1000) -> dict:
    from c2l_nb.spatial import Cell2location
    sig = ad.varm['true_signatures'].copy()
    a = ad.copy()
    del a.obsm['true_abundance']
    Cell2location.setup_anndata(a)
    mod = Cell2location(a, cell_state_df=sig, N_cells_per_location=float(ad.obs['true_total_cells'].mean()),
                        detection_alpha=20)
    if settings: mod._minibatch_settings = {**mod._minibatch_settings, **settings}  # experiments with the HD schedule
    train_kwargs = dict(train_kwargs)
    if isinstance(train_kwargs.get('warm_start'), dict):  # the benchmark's own warm start (benchmarks/engine/warm_start.py), not the library's
        sys.path.insert(0, str(ROOT / 'benchmarks' / 'engine'))
        from warm_start import warm_start
        print(warm_start(mod, **train_kwargs.pop('warm_start')), flush=True)
        train_kwargs['warm_start'] = None
    t0 = time.time()
    mod.train(**train_kwargs)
    a = mod.export_posterior(a, sample_kwargs={'num_samples': num_samples})
    names = list(sig.columns)
    q05 = a.obsm['q05_cell_abundance_w_sf'].values
    mean = a.obsm['means_cell_abundance_w_sf'].values
    return dict(est=q05, mean=mean, seconds=time.time() - t0, epochs=len(mod.history_['elbo_train']),
                mode=str(mod.train_mode_.get('why', '')))


def run_flashdeconv(ad, fd_python: str) -> dict:
    "FlashDeconv's defaults in its own environment, on a reference of cells drawn from the true signatures."
    import tempfile
    from c2l_nb.sim import simulate_reference
    ref = simulate_reference(ad.varm['true_signatures'], n_cells_per_type=100, batch_effects=False, seed=0)
    with tempfile.TemporaryDirectory() as d:
        st = ad.copy(); del st.obsm['true_abundance']; st.uns = {}
        st.write_h5ad(f'{d}/st.h5ad'); ref.write_h5ad(f'{d}/ref.h5ad')
        key = 'Subset'  # the reference's cell type column
        code = ("import anndata as ad, numpy as np, time, flashdeconv as fd\n"
                f"st, ref = ad.read_h5ad('{d}/st.h5ad'), ad.read_h5ad('{d}/ref.h5ad')\n"
                f"t = time.time(); fd.tl.deconvolve(st, ref, cell_type_key='{key}')\n"
                f"p = st.obsm['flashdeconv']\n"
                f"np.save('{d}/p.npy', np.asarray(p, dtype=float)); open('{d}/t', 'w').write(str(time.time() - t))\n"
                f"open('{d}/cols', 'w').write('\\n'.join(map(str, getattr(p, 'columns', st.uns.get('flashdeconv', {{}}).get('cell_types', [])))))\n")
        subprocess.run([fd_python, '-c', code], check=True)
        p, cols = np.load(f'{d}/p.npy'), open(f'{d}/cols').read().split('\n')
        sec = float(open(f'{d}/t').read())
    names = list(ad.varm['true_signatures'].columns)
    if cols and cols != ['']: p = pd.DataFrame(p, columns=cols)[names].values
    return dict(est=p, seconds=sec)


def run(method: str, regimes, seeds, bins, train_kwargs: dict, fd_python: str, tag: str, settings: dict,
        size: float = SIZE_UM, num_samples: int = 1000):
    import anndata
    RESULTS.mkdir(exist_ok=True)
    for reg in regimes:
        for s in seeds:
            for b in bins:
                ad = anndata.read_h5ad(path(reg, s, b, size))
                t0 = time.time()
                if method.startswith('nnls'): res = run_nnls(ad, method)
                elif method == 'flashdeconv': res = run_flashdeconv(ad, fd_python)
                else: res = run_c2l(ad, method, train_kwargs, settings, num_samples)
                res.setdefault('seconds', time.time() - t0)
                names = list(ad.obsm['true_abundance'].columns)
                row = dict(method=tag or method, regime=reg, seed=s, bin_um=b, size_um=size, n_bins=ad.n_obs, n_types=len(names),
                           **scores(res.pop('est'), ad.obsm['true_abundance'].values, names, res.pop('mean', None)),
                           **{k: v for k, v in res.items()}, train_kwargs=train_kwargs, settings=settings,
                           **({} if num_samples == 1000 else dict(num_samples=num_samples)))
                print(json.dumps(row), flush=True)
                with open(JSONL, 'a') as f: f.write(json.dumps(row) + '\n')


def report():
    df = pd.read_json(JSONL, lines=True)
    df['size_um'] = df['size_um'].fillna(SIZE_UM) if 'size_um' in df else SIZE_UM
    df = df[df.seed.isin(HELD_OUT)].drop_duplicates(['method', 'regime', 'seed', 'bin_um', 'size_um'], keep='last')
    cols = ['r', 'pr_auc', 'jsd', 'fam_r', 'fam_pr_auc', 'fam_jsd', 'absent_below_0.05', 'seconds']
    cols = [c for c in cols if c in df]
    t = df.groupby(['size_um', 'bin_um', 'regime', 'method'])[cols].mean().round(3).reset_index()
    lines = ['# HD accuracy suite', '',
             f'Means over held-out seeds {", ".join(map(str, HELD_OUT))}; proportions per bin against the true fractions of '
             f'cells (bins holding part of a cell); presence: >= {PRESENCE} cell. `fam_`: summed to families (subtypes '
             f'regime). `absent_below_0.05`: share of absent (bin, type) pairs whose posterior mean is below 0.05 cells. '
             f'Written by `python benchmarks/hd_accuracy/hd_suite.py report` from `hd_suite.jsonl`.', '']
    for (size, b), sub in t.groupby(['size_um', 'bin_um']):
        sub = sub.drop(columns=['size_um', 'bin_um'])
        where = '' if size == SIZE_UM else f', sections of {size:g} um ({int(df[(df.size_um == size) & (df.bin_um == b)].n_bins.max()):,} bins of {b} um)'
        tiny = b * b < 10 * 8 ** 2 * PRESENCE  # a bin smaller than a tenth of the smallest cell: presence (>= 0.1 cell) barely occurs
        note = [f'A {b} um bin holds less than {PRESENCE} of almost any cell: PR-AUC of presence is not meaningful at this '
                'size (r and JSD are); no baselines were run here yet.', ''] if tiny else []
        lines += [f'## {b} um bins{where}', '', *note, '| ' + ' | '.join(sub.columns) + ' |', '|' + '---|' * sub.shape[1]]
        lines += ['| ' + ' | '.join('' if pd.isna(v) else str(v) for v in row) + ' |' for row in sub.itertuples(index=False)] + ['']
    (RESULTS / 'hd_suite.md').write_text('\n'.join(lines))
    print('\n'.join(lines))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('cmd', choices=['prepare', 'run', 'report'])
    p.add_argument('--regimes', default=','.join(REGIMES))
    p.add_argument('--seeds', default='0,1,2')
    p.add_argument('--bins', default='8')
    p.add_argument('--method', default='nnls_mg_pool')
    p.add_argument('--tag', default='', help='the name of the row (default: the method)')
    p.add_argument('--train-kwargs', default='{}')
    p.add_argument('--settings', default='{}', help="c2l_nb: keys of Cell2location._minibatch_settings to change (the HD schedule)")
    p.add_argument('--fd-python', default='/work/fd_venv/bin/python')
    p.add_argument('--num-samples', type=int, default=1000, help='c2l_nb: posterior draws of the export')
    p.add_argument('--size-um', type=float, default=SIZE_UM, help='side of the sections (prepare, run); larger ones are separate tables')
    a = p.parse_args(argv)
    regimes, seeds = a.regimes.split(','), [int(s) for s in a.seeds.split(',')]
    if a.cmd == 'prepare': prepare(regimes, seeds, a.size_um, [int(b) for b in a.bins.split(',')] if a.size_um != SIZE_UM else BINS)
    elif a.cmd == 'run': run(a.method, regimes, seeds, [int(b) for b in a.bins.split(',')], json.loads(a.train_kwargs),
                             a.fd_python, a.tag, json.loads(a.settings), a.size_um, a.num_samples)
    else: report()


if __name__ == '__main__':
    main()
