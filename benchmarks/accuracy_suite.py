"""Accuracy suite: c2l_nb against cell2location on several simulated regimes, with the truth.

    python benchmarks/accuracy_suite.py prepare  [--regimes all] [--seeds 0,1,2]
    python benchmarks/accuracy_suite.py run      --lib peer --sig own --checkpoints 3000,10000,20000,30000 \\
                                                 [--regimes all] [--seeds 0] [--max-hours 3] [--config NAME]
    python benchmarks/accuracy_suite.py run      --lib c2l_nb --sig own [--train-kwargs '{...}'] --config defaults
    python benchmarks/accuracy_suite.py report   [--tag suite]

Every run is one process of `suite_job.py` in its library's environment (cell2location in `--peer-python`), one
torch thread, one after another. Results go to `bench_out/suite/<regime>_s<seed>/<lib>_<sig>_<config>/`; `report`
computes the metrics against the truth for every saved checkpoint and writes `benchmarks/results/suite_*.{csv,md}`.

Metrics of the q05 abundance (what users read): Pearson r over all spot x type entries, PR-AUC of presence (true
abundance > 0.5 cells), mean Jensen-Shannon divergence (base 2) between true and estimated proportions per spot;
calibration over entries where the type is present (true > 0.1 cells): share inside [q05, q95] (nominal 90%) and
above q05 (nominal 95%); over absent entries (true <= 0.1): share where q05 > 0.1 (false presence); and q05 total /
true total.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, 'bench_out', 'suite')
PEER_PYTHON = '/work/peer_venv/bin/python'

BASE = dict(n_genes=1000, n_cells_per_type=100, ref_n_batches=8, ref_n_techs=2, n_spots=400, n_zones=6, n_uniform=3)
REGIMES = {  # simulate('small', **BASE, **overrides)
    'subtypes': dict(n_types=11, n_subtypes=2, cells_per_spot=12., zone_spread=0.4),  # 22 types, siblings r ~0.97
    'few_cells': dict(n_types=20, cells_per_spot=3.),
    'many_cells': dict(n_types=20, cells_per_spot=30., zone_spread=0.3),
    'tech': dict(n_types=20, cells_per_spot=10., sensitivity_shape=0.2),
    'sections': dict(n_types=20, cells_per_spot=10., vis_n_batches=3, depth_sd=0.5),
}
TINY = dict(n_genes=300, n_types=6, n_subtypes=2, n_cells_per_type=30, ref_n_batches=2, ref_n_techs=1, n_spots=100,
            n_zones=3, n_uniform=1, cells_per_spot=8.)  # smoke regime for the tests


def folder(regime, seed): return os.path.join(OUT, f'{regime}_s{seed}')


def prepare(regime: str, seed: int, path: str | None = None, overrides: dict | None = None) -> str:
    "Simulate one regime and write ref.h5ad, vis.h5ad, true_signatures.csv, truth.csv, types.json, meta.json."
    import numpy as np
    import pandas as pd
    from c2l_nb.data import simulate
    path = path or folder(regime, seed)
    if os.path.exists(os.path.join(path, 'meta.json')): return path
    os.makedirs(path, exist_ok=True)
    kw = dict(TINY) if regime == 'tiny' else {**BASE, **REGIMES[regime]}
    kw.update(overrides or {})
    ref, vis = simulate('small', seed=seed, **kw)
    truth = vis.obsm['true_abundance']
    sig = vis.varm['true_signatures']
    sig = pd.DataFrame(np.asarray(sig), index=vis.var_names, columns=list(sig.columns))
    sig.loc[sig.sum(1) > 0].to_csv(os.path.join(path, 'true_signatures.csv'))
    truth.to_csv(os.path.join(path, 'truth.csv'))
    ref.obs = ref.obs[['Subset', 'Sample', 'Method']].copy()
    ref.varm.clear(); ref.uns.clear()
    ref.write_h5ad(os.path.join(path, 'ref.h5ad'))
    out = vis.copy(); out.obs = vis.obs[['sample']].copy(); out.obsm.clear(); out.varm.clear(); out.uns.clear()
    out.write_h5ad(os.path.join(path, 'vis.h5ad'))
    json.dump(list(truth.columns), open(os.path.join(path, 'types.json'), 'w'))
    json.dump(dict(regime=regime, seed=seed, simulate=kw, n_obs=int(vis.n_obs), n_vars=int(vis.n_vars),
                   n_types=int(truth.shape[1]), N_cells_per_location=float(truth.values.sum(1).mean())),
              open(os.path.join(path, 'meta.json'), 'w'))
    return path


def job(lib, sig, data, config, checkpoints='', train_kwargs='{}', seed=0, peer_python=PEER_PYTHON, threads=1):
    out = os.path.join(data, f'{lib}_{sig}_{config}')
    if os.path.exists(os.path.join(out, 'log.jsonl')) and '"done"' in open(os.path.join(out, 'log.jsonl')).read():
        return out
    if os.path.exists(out):  # an unfinished run: start again
        for f in glob.glob(os.path.join(out, '*')): os.remove(f)
    py = peer_python if lib == 'peer' else sys.executable
    env = dict(os.environ, PYTHONNOUSERSITE='1', OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    cmd = [py, os.path.join(HERE, 'suite_job.py'), '--lib', lib, '--data', data, '--out', out, '--sig', sig,
           '--checkpoints', checkpoints, '--train-kwargs', train_kwargs, '--threads', str(threads), '--seed', str(seed)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        open(os.path.join(out, 'error.txt'), 'w').write(r.stdout[-5000:] + r.stderr[-10000:])
        print(f'FAILED {out}: {r.stderr[-2000:]}', flush=True)
    return out


def metrics(q05, q95, truth):
    "Accuracy and calibration of one q05/q95 pair against the true abundances (all spots x types)."
    import numpy as np
    from sklearn.metrics import average_precision_score
    e, t = np.asarray(q05, float), np.asarray(truth, float)
    ep = e / np.maximum(e.sum(1, keepdims=True), 1e-12)
    tp = t / np.maximum(t.sum(1, keepdims=True), 1e-12)
    m = 0.5 * (ep + tp)
    kl = lambda p, q: np.where(p > 0, p * np.log2(np.maximum(p, 1e-300) / np.maximum(q, 1e-300)), 0).sum(1)
    present, absent = t > 0.1, t <= 0.1
    return dict(r=float(np.corrcoef(e.ravel(), t.ravel())[0, 1]),
                pr_auc=float(average_precision_score((t > 0.5).ravel(), e.ravel())),
                jsd=float(np.mean(0.5 * kl(ep, m) + 0.5 * kl(tp, m))),
                cover90=float(np.mean((e[present] <= t[present]) & (t[present] <= np.asarray(q95)[present]))),
                above_q05=float(np.mean(e[present] <= t[present])),
                false_presence=float(np.mean(e[absent] > 0.1)),
                total_ratio=float(e.sum() / t.sum()))


def markdown(df, digits=3) -> str:
    "A DataFrame as a markdown table (no extra dependency)."
    fmt = lambda v: f'{v:.{digits}f}' if isinstance(v, float) else str(v)
    lines = ['| ' + ' | '.join(map(str, df.columns)) + ' |', '|' + '---|' * df.shape[1]]
    lines += ['| ' + ' | '.join(fmt(v) for v in row) + ' |' for row in df.itertuples(index=False)]
    return '\n'.join(lines) + '\n'


def report(tag='suite', root=OUT, out_dir=os.path.join(HERE, 'results')):
    "Metrics of every checkpoint of every run under `root`: a CSV and a markdown table."
    import numpy as np
    import pandas as pd
    rows = []
    for data in sorted(glob.glob(os.path.join(root, '*_s*'))):
        if not os.path.exists(os.path.join(data, 'meta.json')): continue
        meta = json.load(open(os.path.join(data, 'meta.json')))
        truth = pd.read_csv(os.path.join(data, 'truth.csv'), index_col=0).values
        for run in sorted(glob.glob(os.path.join(data, '*_*_*'))):
            if not os.path.isdir(run) or not os.path.exists(os.path.join(run, 'log.jsonl')): continue
            name = os.path.basename(run)
            lib = 'c2l_nb' if name.startswith('c2l_nb_') else name.split('_')[0]
            sig, config = name[len(lib) + 1:].split('_', 1)
            logs = [json.loads(x) for x in open(os.path.join(run, 'log.jsonl'))]
            ref_s = sum(x['train_s'] for x in logs if x['event'] == 'reference')
            for x in logs:
                if x['event'] != 'spatial': continue
                s = x['steps']
                q05, q95 = (np.load(os.path.join(run, f'q{q}_{s}.npy')) for q in ('05', '95'))
                rows.append(dict(regime=meta['regime'], seed=meta['seed'], lib=lib, sig=sig, config=config, steps=s,
                                 train_s=x['train_s'], s_per_step=x['s_per_step'], status=x.get('status', ''),
                                 ref_train_s=ref_s, **metrics(q05, q95, truth)))
    df = pd.DataFrame(rows)
    if out_dir and len(df):
        os.makedirs(out_dir, exist_ok=True)
        df.to_csv(os.path.join(out_dir, f'{tag}.csv'), index=False)
        with open(os.path.join(out_dir, f'{tag}.md'), 'w') as f: f.write(markdown(df))
    return df


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('cmd', choices=['prepare', 'run', 'report'])
    p.add_argument('--regimes', default='all')
    p.add_argument('--seeds', default='0')
    p.add_argument('--lib', choices=['c2l_nb', 'peer'], default='c2l_nb')
    p.add_argument('--sig', default='own', help="'own', 'true' or 'own,true'")
    p.add_argument('--config', default='defaults', help='name of the run (folder suffix)')
    p.add_argument('--checkpoints', default='', help='steps at which to measure (chunked, constant lr)')
    p.add_argument('--train-kwargs', default='{}')
    p.add_argument('--max-hours', type=float, default=None, help='start no new run after this much wall time')
    p.add_argument('--peer-python', default=PEER_PYTHON)
    p.add_argument('--tag', default='suite')
    a = p.parse_args(argv)
    regimes = list(REGIMES) if a.regimes == 'all' else a.regimes.split(',')
    seeds = [int(s) for s in a.seeds.split(',')]
    if a.cmd == 'report':
        print(report(a.tag).to_string()); return
    t0 = time.time()
    for seed in seeds:
        for regime in regimes:
            data = prepare(regime, seed)
            if a.cmd == 'prepare': continue
            for sig in a.sig.split(','):
                if a.max_hours and time.time() - t0 > a.max_hours * 3600: print('max-hours reached'); return
                print(f'{time.strftime("%H:%M:%S")} {regime} seed {seed} {a.lib} {sig} {a.config}', flush=True)
                job(a.lib, sig, data, a.config, a.checkpoints, a.train_kwargs, seed, a.peer_python)


if __name__ == '__main__':
    main()
