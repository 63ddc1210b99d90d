"""The mean-field guide against the hierarchical and amortised ones on the accuracy suite's data (one run per call).

    python benchmarks/accuracy_suite/guide_suite.py --data bench_out/suite/subtypes_s0 --guide meanfield|hierarchical|amortised --out DIR

Maps with c2l_nb's own reference signatures (`signatures_c2l_nb_exp_seed<seed>.csv`, cached by `accuracy_suite.py`)
and the suite's model arguments, trains with `train()`'s defaults, then scores q05/q95 of `w_sf` twice: the analytic
quantiles (`posterior_quantile`) and quantiles of 1,000 posterior draws (`sample_posterior`). Appends one JSON line
to `<out>/guide_suite.jsonl`.
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
p.add_argument('--guide', choices=['meanfield', 'hierarchical', 'amortised'], required=True)
p.add_argument('--out', required=True)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--train', default='{}', help='train() keyword arguments (JSON)')
p.add_argument('--guide-kwargs', default='{}', help="the hierarchical guide's guide_kwargs (JSON), e.g. {\"hierarchical_sites\": [\"w_sf\"]}")
p.add_argument('--tag', default='', help='suffix of the guide name in the output (for variants)')
a = p.parse_args()

import numpy as np  # noqa: E402
import torch  # noqa: E402
torch.set_num_threads(a.threads)
from c2l_nb.models import Cell2location  # noqa: E402
from accuracy_suite import load, metrics  # noqa: E402

meta, sig, truth, vis = load(a.data, 'signatures_c2l_nb_exp_seed{seed}.csv')
kw = dict(meanfield={}, amortised=dict(amortised=True),
          hierarchical=dict(create_autoguide_kwargs={'guide_class': 'AutoHierarchicalNormalMessenger',
                                                     'guide_kwargs': json.loads(a.guide_kwargs)}))[a.guide]
mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20, **kw)
t0 = time.perf_counter()
mod.train(progress_bar=False, seed=0, **json.loads(a.train))
train_s = time.perf_counter() - t0
q05, q95 = (mod.posterior_quantile(q)['w_sf'] for q in (0.05, 0.95))
t1 = time.perf_counter()
s = mod.sample_posterior(num_samples=1000, return_sites=['w_sf'], progress_bar=False)
sample_s = time.perf_counter() - t1
row = dict(regime=meta['regime'], seed=meta['seed'], guide=a.guide + a.tag, guide_kwargs=json.loads(a.guide_kwargs), steps=len(mod.history_['elbo_train']),
           train_s=train_s, sample_s=sample_s, status=mod.train_status_,
           analytic=metrics(q05, q95, truth.values),
           sampled=metrics(s['post_sample_q05']['w_sf'], s['post_sample_q95']['w_sf'], truth.values))
os.makedirs(a.out, exist_ok=True)
tag = f"{meta['regime']}_s{meta['seed']}_{a.guide}{a.tag}"
for k, v in dict(q05=q05, q95=q95, sq05=s['post_sample_q05']['w_sf'], sq95=s['post_sample_q95']['w_sf']).items():
    np.save(os.path.join(a.out, f'{tag}_{k}.npy'), np.asarray(v, np.float64))
with open(os.path.join(a.out, 'guide_suite.jsonl'), 'a') as f: f.write(json.dumps(row) + '\n')
print(json.dumps(row), flush=True)
