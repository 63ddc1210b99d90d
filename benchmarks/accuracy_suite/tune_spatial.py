"""Tuning runs of c2l_nb's spatial training on one regime of the accuracy suite: accuracy against the truth and the
stopping rule's measure of movement, every `--every` epochs of one uninterrupted `train()` call.

    python benchmarks/accuracy_suite/tune_spatial.py --data bench_out/suite/subtypes_s0 --sig own --name NAME \\
        --train '{"max_epochs": 5000, "lr": 0.02, "lr_end": 0.002}' [--model '{"guide_transform": "exp"}']

Appends one JSON line per look to `<data>/tune/<NAME>.jsonl`. Signatures: `own` (c2l_nb's reference signatures,
cached by `accuracy_suite.py`) or `true`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--sig', default='own', choices=['own', 'own_softplus', 'true'])
p.add_argument('--name', required=True)
p.add_argument('--train', default='{}')
p.add_argument('--model', default='{}')
p.add_argument('--every', type=int, default=250)
p.add_argument('--threads', type=int, default=1)
a = p.parse_args()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import anndata as ad  # noqa: E402
import torch  # noqa: E402
torch.set_num_threads(a.threads)
from c2l_nb.models import Cell2location  # noqa: E402
from c2l_nb.svi import Convergence  # noqa: E402
from accuracy_suite import metrics  # noqa: E402

meta = json.load(open(os.path.join(a.data, 'meta.json')))
files = {'own': f'signatures_c2l_nb_exp_seed{meta["seed"]}.csv', 'own_softplus': f'signatures_c2l_nb_seed{meta["seed"]}.csv',
         'true': 'true_signatures.csv'}  # own: the default (LogNormal) reference model's; own_softplus: the previous default's
sig = pd.read_csv(os.path.join(a.data, files[a.sig]), index_col=0)
truth = pd.read_csv(os.path.join(a.data, 'truth.csv'), index_col=0)
vis = ad.read_h5ad(os.path.join(a.data, 'vis.h5ad'))
genes = sig.index.intersection(vis.var_names)
vis, sig = vis[:, genes].copy(), sig.loc[genes][list(truth.columns)]
Cell2location.setup_anndata(vis, batch_key='sample')
mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20,
                   **json.loads(a.model))
out = os.path.join(a.data, 'tune'); os.makedirs(out, exist_ok=True)
path = os.path.join(out, f'{a.name}.jsonl')
open(path, 'w').close()
state = {'prev': None, 'eval': 0., 'acc': 0.}
t0 = time.perf_counter()


def look(epoch):
    t1 = time.perf_counter()
    g = mod.module.guide
    state['acc'] = state['acc'] + mod._monitored(g)  # window mean, as the stopping rule sees it
    if (epoch + 1) % a.every:
        state['eval'] += time.perf_counter() - t1
        return
    mod.is_trained_ = True  # a look in the middle of training (train() sets it again at the end)
    q05, q95 = (mod.posterior_quantile(q)['w_sf'] for q in (0.05, 0.95))
    mod.is_trained_ = False
    state['prev'], ch = Convergence.change(state['acc'] / a.every, state['prev'])
    state['acc'] = 0.
    row = dict(epoch=epoch + 1, train_s=t1 - t0 - state['eval'], d_prop=ch and ch[0], d_tot=ch and ch[1],
               **metrics(q05, q95, truth.values))
    state['eval'] += time.perf_counter() - t1
    with open(path, 'a') as f: f.write(json.dumps(row) + '\n')


kw = dict(progress_bar=False, early_stopping=False)
kw.update(json.loads(a.train))
mod.train(callback=look, **kw)
print(a.name, mod.train_status_, getattr(mod, 'train_reason_', ''), len(mod.history_['elbo_train']))
with open(path, 'a') as f:
    f.write(json.dumps(dict(final=True, epochs=len(mod.history_['elbo_train']), status=mod.train_status_,
                            reason=getattr(mod, 'train_reason_', ''))) + '\n')
