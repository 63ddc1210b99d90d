"""cell2location's side of the benchmarks: a driver process answering the orchestrator's commands (see `_common.py`).

Run with the peer's own python (`/work/peer_venv/bin/python`, see README.md); it never imports c2l_nb. Mirrors
`c2l_nb_driver.py` command for command: same input files, same timings, same memory measurements.
"""
from __future__ import annotations

import json
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import PhaseMemory, peak_rss_kb, reset_peak_rss, rss_kb, serve, set_threads  # noqa: E402

set_threads(int(os.environ.get('BENCH_THREADS', '0')) or None)
warnings.filterwarnings('ignore')

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import anndata as ad  # noqa: E402
import torch  # noqa: E402
import lightning.pytorch as pl  # noqa: E402
import scvi  # noqa: E402
from importlib.metadata import version  # noqa: E402
from cell2location.models import Cell2location, RegressionModel  # noqa: E402

if os.environ.get('BENCH_THREADS'):
    torch.set_num_threads(int(os.environ['BENCH_THREADS']))

S: dict = {}  # driver state
TRAINER = dict(accelerator='cpu', enable_progress_bar=False, enable_model_summary=False)


class EpochTimer(pl.Callback):
    "Wall time of every training epoch (excludes the trainer's start-up and tear-down)."

    def __init__(self):
        self.times, self._t = [], None

    def on_train_epoch_start(self, trainer, pl_module):
        self._t = time.perf_counter()

    def on_train_epoch_end(self, trainer, pl_module):
        self.times.append(time.perf_counter() - self._t)


def info(msg):
    return {'library': 'cell2location', 'version': version('cell2location'), 'scvi_tools': scvi.__version__,
            'pyro': version('pyro-ppl'), 'torch': torch.__version__, 'threads': torch.get_num_threads(),
            'rss_mb': rss_kb() / 1024}


def _history(mod) -> pd.Series:
    return mod.history_['elbo_train']['elbo_train']


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
    "One `mod.train(...)` call, full batch as in the tutorial: max_epochs and lr (constant) only."
    mod, n = S['mod'], S['adata'].n_obs
    kw = dict(msg['train_kwargs'])
    kw.pop('seed', None)  # Pyro's global random state simply continues
    for k in ('lr_end', 'early_stopping', 'batch_size'):
        if kw.pop(k, None) is not None and k != 'early_stopping':
            raise ValueError(f'{k} is not used for the peer: it runs full batch with a constant lr, as in its tutorial')
    timer = EpochTimer()
    try:
        h0 = len(_history(mod))
    except (TypeError, KeyError, AttributeError):  # not trained yet
        h0 = 0
    t0 = time.perf_counter()
    mod.train(batch_size=None, train_size=1, callbacks=[timer], **kw, **TRAINER)
    train_s = time.perf_counter() - t0
    h = _history(mod)
    S['steps'] += len(h) - h0  # full batch: one step per epoch
    t1 = time.perf_counter()
    q05 = mod.posterior_quantile(q=0.05, batch_size=n, accelerator='cpu')['w_sf']
    eval_s = time.perf_counter() - t1
    np.save(msg['q05_path'], np.asarray(q05, dtype=np.float64).reshape(n, -1))
    return {'train_s': train_s, 'eval_s': eval_s, 'steps': S['steps'], 'epochs': int(len(h)),
            'epoch_s_mean': float(np.mean(timer.times)) if timer.times else None,
            'loss_first': float(h.iloc[h0]), 'loss_last': float(h.iloc[-1]),
            'train_peak_rss_mb': peak_rss_kb() / 1024, 'train_base_rss_mb': S['base_kb'] / 1024}


def spatial_export(msg):
    mod, adata = S['mod'], S['adata']
    with PhaseMemory() as pm:
        if msg['mode'] == 'quantiles':
            mod.export_posterior(adata, use_quantiles=True, add_to_obsm=['q05'],
                                 sample_kwargs={'batch_size': adata.n_obs, 'accelerator': 'cpu'})
        else:
            mod.export_posterior(adata, sample_kwargs={'num_samples': int(msg.get('num_samples', 1000)),
                                                       'batch_size': adata.n_obs, 'accelerator': 'cpu'})
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
    timer = EpochTimer()
    t0 = time.perf_counter()
    mod.train(max_epochs=int(msg['epochs']), batch_size=int(msg['batch_size']), train_size=1,
              lr=float(msg.get('lr', 0.002)), callbacks=[timer], **TRAINER)
    s = time.perf_counter() - t0
    h = _history(mod)
    return {'train_s': s, 'epoch_s': timer.times, 'loss_last': float(h.iloc[-1]), 'epochs': int(len(h)),
            'train_peak_rss_mb': peak_rss_kb() / 1024, 'train_base_rss_mb': S['base_kb'] / 1024}


def ref_signatures(msg):
    "Posterior median of the signatures (types x genes) saved to msg['path']; returns the type names."
    mod = S['mod']
    sig = mod.posterior_quantile(q=0.5, batch_size=S['adata'].n_obs, accelerator='cpu')['per_cluster_mu_fg']
    np.save(msg['path'], np.asarray(sig, dtype=np.float64).reshape(len(mod.factor_names_), -1))
    return {'factor_names': [str(x) for x in mod.factor_names_]}


if __name__ == '__main__':
    serve({'info': info, 'spatial_setup': spatial_setup, 'spatial_train': spatial_train,
           'spatial_export': spatial_export, 'ref_setup': ref_setup, 'ref_train': ref_train, 'ref_signatures': ref_signatures})
