"""c2l_nb's side of the benchmarks: a driver process answering the orchestrator's commands (see `_common.py`).

Run by `bench_spatial.py` / `bench_reference.py` with the project's python; mirrors `peer_driver.py` command for
command, so both libraries read the same files and are timed the same way.
"""
from __future__ import annotations

import inspect
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import PhaseMemory, peak_rss_kb, reset_peak_rss, rss_kb, serve, set_threads  # noqa: E402

set_threads(int(os.environ.get('BENCH_THREADS', '0')) or None)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import anndata as ad  # noqa: E402
import torch  # noqa: E402

import c2l_nb  # noqa: E402
from c2l_nb.models import Cell2location, RegressionModel  # noqa: E402

if os.environ.get('BENCH_THREADS'):
    torch.set_num_threads(int(os.environ['BENCH_THREADS']))

S: dict = {}  # driver state


def _supported(mod, kw: dict) -> dict:
    "Drop `early_stopping=False` where this c2l_nb version has no such argument (it then never stops early)."
    if 'early_stopping' in kw and 'early_stopping' not in inspect.signature(mod.train).parameters:
        if kw.pop('early_stopping'): raise ValueError('this c2l_nb version has no early stopping')
    return kw


def info(msg):
    return {'library': 'c2l_nb', 'version': c2l_nb.__version__, 'torch': torch.__version__,
            'threads': torch.get_num_threads(), 'rss_mb': rss_kb() / 1024}


# ---------------------------------------------------------------- spatial model

def spatial_setup(msg):
    d = msg['data']
    meta = json.load(open(os.path.join(d, 'meta.json')))
    adata = ad.read_h5ad(os.path.join(d, 'vis.h5ad'))
    sig = pd.read_csv(os.path.join(d, 'signatures.csv'), index_col=0)
    reset_peak_rss()
    base = rss_kb()
    t0 = time.perf_counter()
    Cell2location.setup_anndata(adata, batch_key='sample')
    mod = Cell2location(adata, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'],
                        detection_alpha=meta['detection_alpha'])
    S.update(adata=adata, mod=mod, steps=0, base_kb=base)
    return {'setup_s': time.perf_counter() - t0, 'base_rss_mb': base / 1024}


def spatial_train(msg):
    "One `mod.train(**train_kwargs)` call (only the given arguments: the rest are the library's defaults)."
    mod, n = S['mod'], S['adata'].n_obs
    kw = _supported(mod, dict(msg['train_kwargs']))
    h0 = len(mod.history_['elbo_train'])
    t0 = time.perf_counter()
    mod.train(progress_bar=False, **kw)
    train_s = time.perf_counter() - t0
    h = mod.history_['elbo_train']['elbo_train']
    epochs = len(h) - h0  # fewer than max_epochs when early stopping ends the run
    bs = kw.get('batch_size', 'default')
    bs = type(mod)._default_batch_size if bs == 'default' else bs
    S['steps'] += epochs * (1 if bs is None else math.ceil(n / bs))
    t1 = time.perf_counter()
    q05 = mod.posterior_quantile(0.05)['w_sf']
    eval_s = time.perf_counter() - t1
    np.save(msg['q05_path'], np.asarray(q05, dtype=np.float64).reshape(n, -1))
    return {'train_s': train_s, 'eval_s': eval_s, 'steps': S['steps'], 'epochs': int(len(h)),
            'loss_first': float(h.iloc[h0]), 'loss_last': float(h.iloc[-1]), 'status': str(mod.train_status_),
            'train_peak_rss_mb': peak_rss_kb() / 1024, 'train_base_rss_mb': S['base_kb'] / 1024}


def spatial_export(msg):
    mod, adata = S['mod'], S['adata']
    with PhaseMemory() as pm:
        if msg['mode'] == 'quantiles':
            mod.export_posterior(adata, use_quantiles=True, add_to_obsm=['q05'])
        else:
            mod.export_posterior(adata, sample_kwargs={'num_samples': int(msg.get('num_samples', 1000)),
                                                       'batch_size': adata.n_obs})
    np.save(msg['q05_path'], adata.obsm['q05_cell_abundance_w_sf'].to_numpy(dtype=np.float64))
    return pm.report('export')


# ---------------------------------------------------------------- reference regression

def ref_setup(msg):
    adata = ad.read_h5ad(os.path.join(msg['data'], 'ref.h5ad'))
    reset_peak_rss()
    base = rss_kb()
    t0 = time.perf_counter()
    RegressionModel.setup_anndata(adata, batch_key='Sample', labels_key='Subset', categorical_covariate_keys=['Method'])
    mod = RegressionModel(adata)
    S.update(adata=adata, mod=mod, base_kb=base)
    return {'setup_s': time.perf_counter() - t0, 'base_rss_mb': base / 1024}


def ref_train(msg):
    mod = S['mod']
    t0 = time.perf_counter()
    mod.train(progress_bar=False, **_supported(mod, dict(max_epochs=int(msg['epochs']), batch_size=int(msg['batch_size']),
                                                        lr=float(msg.get('lr', 0.002)), early_stopping=False)))
    s = time.perf_counter() - t0
    h = mod.history_['elbo_train']['elbo_train']
    return {'train_s': s, 'epoch_s': [], 'loss_last': float(h.iloc[-1]), 'epochs': int(len(h)),
            'train_peak_rss_mb': peak_rss_kb() / 1024, 'train_base_rss_mb': S['base_kb'] / 1024}


def ref_signatures(msg):
    "Posterior median of the signatures (types x genes) saved to msg['path']; returns the type names."
    mod = S['mod']
    sig = mod.posterior_quantile(0.5)['per_cluster_mu_fg']
    np.save(msg['path'], np.asarray(sig, dtype=np.float64).reshape(len(mod.factor_names_), -1))
    return {'factor_names': [str(x) for x in mod.factor_names_]}


if __name__ == '__main__':
    serve({'info': info, 'spatial_setup': spatial_setup, 'spatial_train': spatial_train,
           'spatial_export': spatial_export, 'ref_setup': ref_setup, 'ref_train': ref_train, 'ref_signatures': ref_signatures})
