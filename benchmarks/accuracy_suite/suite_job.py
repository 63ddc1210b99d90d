"""One run of the accuracy suite in one library's own environment (c2l_nb or cell2location).

    python suite_job.py --lib c2l_nb|peer --data DIR --out DIR --sig own|true|peer [--checkpoints 3000,10000,30000]
                        [--train-kwargs JSON] [--threads 1]

`--sig own`: the library first trains its own reference model (the tutorial's settings: 250 epochs, batch 2,500,
lr 0.002) and maps with the signatures it exports (`varm['means_per_cluster_mu_fg']`), as a user would; the
signatures are cached in the data folder per library. `--sig true`: the simulation's true signatures. `--sig peer`:
the signatures cell2location's own run cached (`signatures_peer_seed<seed>.csv`), so both libraries map with identical
ones and the comparison isolates the spatial fit.
The spatial model gets the tutorial's arguments (`N_cells_per_location` = the true mean, `detection_alpha=20`).
Without `--checkpoints` it makes one `train(**train_kwargs)` call (the library's defaults); with them it trains in
chunks up to each checkpoint (steps) with a constant lr (cell2location's way). After each call it saves the
analytic q05/q50/q95 of `w_sf` (`<out>/q{05,50,95}_<steps>.npy`) and appends a line to `<out>/log.jsonl`.
Standard library, numpy and pandas only outside the library imports.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools'))
from _common import peak_rss_kb, reset_peak_rss, set_threads  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument('--lib', choices=['c2l_nb', 'peer'], required=True)
p.add_argument('--data', required=True)
p.add_argument('--out', required=True)
p.add_argument('--sig', choices=['own', 'true', 'peer'], default='own', help="'peer': the signatures cell2location's reference model learned (cached by its own run), so both libraries map with identical ones")
p.add_argument('--checkpoints', default='')
p.add_argument('--train-kwargs', default='{}')
p.add_argument('--model-kwargs', default='{}', help='more Cell2location() arguments (JSON; c2l_nb only)')
p.add_argument('--threads', type=int, default=1)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--ref-model', default='{}', help='RegressionModel keyword arguments (JSON)')
p.add_argument('--ref-tag', default='', help='suffix of the cached signature file for these --ref-model settings')
p.add_argument('--reference-only', action='store_true', help='train the reference model, cache its signatures, stop')
a = p.parse_args()
set_threads(a.threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import anndata as ad  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(a.threads)
PEER = a.lib == 'peer'
if PEER:
    from cell2location.models import Cell2location, RegressionModel
    TRAINER = dict(accelerator='cpu', enable_progress_bar=False, enable_model_summary=False)
    import scvi
    scvi.settings.seed = a.seed
else:
    from c2l_nb.models import Cell2location, RegressionModel
    TRAINER = dict(progress_bar=False, seed=a.seed)
os.makedirs(a.out, exist_ok=True)
meta = json.load(open(os.path.join(a.data, 'meta.json')))


def log(**kw):
    kw['t'] = time.time()
    with open(os.path.join(a.out, 'log.jsonl'), 'a') as f: f.write(json.dumps(kw) + '\n')
    print(json.dumps(kw), flush=True)


def quantiles(mod, q):
    if PEER: return mod.posterior_quantile(q=q, batch_size=mod.adata.n_obs, accelerator='cpu')['w_sf']
    return mod.posterior_quantile(q)['w_sf']


def own_signatures() -> pd.DataFrame:
    path = os.path.join(a.data, f'signatures_{a.lib}{a.ref_tag}_seed{a.seed}.csv')
    if os.path.exists(path): return pd.read_csv(path, index_col=0)
    ref = ad.read_h5ad(os.path.join(a.data, 'ref.h5ad'))
    RegressionModel.setup_anndata(ref, batch_key='Sample', labels_key='Subset', categorical_covariate_keys=['Method'])
    mod = RegressionModel(ref, **json.loads(a.ref_model))
    t0 = time.perf_counter()
    kw = dict(max_epochs=250, batch_size=2500, lr=0.002)
    if PEER: mod.train(train_size=1, **kw, **TRAINER)
    else: mod.train(**kw, **TRAINER)
    train_s = time.perf_counter() - t0
    ref = mod.export_posterior(ref, sample_kwargs={'num_samples': 1000, 'batch_size': 2500})
    sig = ref.varm['means_per_cluster_mu_fg'].copy()
    sig.columns = list(ref.uns['mod']['factor_names'])
    sig.to_csv(path)
    log(event='reference', train_s=train_s)
    return sig


if a.reference_only:
    own_signatures(); log(event='done'); sys.exit(0)
if a.sig == 'peer':
    path = os.path.join(a.data, f'signatures_peer_seed{a.seed}.csv')
    if not os.path.exists(path): sys.exit(f"--sig peer: {path} is missing; run cell2location on this folder first (--lib peer --sig own).")
    sig = pd.read_csv(path, index_col=0)
else: sig = own_signatures() if a.sig == 'own' else pd.read_csv(os.path.join(a.data, 'true_signatures.csv'), index_col=0)
vis = ad.read_h5ad(os.path.join(a.data, 'vis.h5ad'))
genes = sig.index.intersection(vis.var_names)
vis, sig = vis[:, genes].copy(), sig.loc[genes]
sig = sig[json.load(open(os.path.join(a.data, 'types.json')))]  # the truth's column order
Cell2location.setup_anndata(vis, batch_key='sample')
reset_peak_rss()
mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20,
                    **({} if PEER else json.loads(a.model_kwargs)))
kw = json.loads(a.train_kwargs)
if 'decay_epochs' in kw: mod._default_decay_epochs = int(kw.pop('decay_epochs'))  # experiments: the schedule's length (benchmarks/engine/README.md)
steps, train_s = 0, 0.
if 'warm_start' in kw:  # experiments: per-spot abundances from a Poisson regression on the signatures (benchmarks/engine/warm_start.py)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'engine'))
    from warm_start import warm_start
    t0 = time.perf_counter()
    print(warm_start(mod, **kw.pop('warm_start')), flush=True)
    train_s = time.perf_counter() - t0  # counted as training time
chunks = [int(c) for c in a.checkpoints.split(',') if c] or [None]
for target in chunks:
    t0 = time.perf_counter()
    if target is None:
        mod.train(**kw, **TRAINER) if not PEER else mod.train(train_size=1, batch_size=None, **kw, **TRAINER)
    else:
        ck = dict(kw, max_epochs=target - steps)
        if PEER: mod.train(train_size=1, batch_size=None, **ck, **TRAINER)
        else: mod.train(**{'lr': 0.002, 'early_stopping': False, **ck}, **TRAINER)
    train_s += time.perf_counter() - t0
    steps = len(mod.history_['elbo_train'])
    for q in (0.05, 0.5, 0.95):
        np.save(os.path.join(a.out, f'q{int(round(q * 100)):02d}_{steps}.npy'), np.asarray(quantiles(mod, q), np.float64))
    log(event='spatial', steps=steps, train_s=train_s, s_per_step=train_s / max(steps, 1),
        status=str(getattr(mod, 'train_status_', '')), loss_last=float(mod.history_['elbo_train']['elbo_train'].iloc[-1]),
        peak_rss_mb=peak_rss_kb() / 1024)
log(event='done')
