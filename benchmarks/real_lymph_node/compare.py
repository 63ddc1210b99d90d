"""The real lymph-node pair (../shared/data/lymph_node_visium_rctd: 1,000 Visium spots x 2,000 genes, 330 reference
cells of 11 types; no truth): c2l_nb's maps against cell2location's, both libraries with their own signatures.

    python benchmarks/real_lymph_node/prep.py                                   # h5ad files in $REAL_LN_OUT
    /work/peer_venv/bin/python benchmarks/real_lymph_node/run.py peer peer '{}' 3000,10000,20000,30000
    .venv/bin/python benchmarks/real_lymph_node/run.py c2l_nb default
    .venv/bin/python benchmarks/real_lymph_node/run.py c2l_nb released '{"use_n_s_cells_per_location_limit": false}'
    .venv/bin/python benchmarks/real_lymph_node/compare.py                      # per-type r of the q05 maps, totals
"""
import glob, json, os
import numpy as np
D=os.environ.get('REAL_LN_OUT', 'bench_out/real_ln/')
types=json.load(open(D+'types.json'))
peer = sorted(glob.glob(D+'q05_peer_*.npy'), key=lambda f: int(f.split('_')[-1][:-4]))
runs = {f.split('q05_')[1][:-4]: np.load(f) for f in glob.glob(D+'q05_*.npy')}
print('run: mean q05 total per spot (N-hat = 30)')
for k, v in sorted(runs.items()):
    print(f'  {k}: {v.sum(1).mean():.1f} (percentiles 0/5/50/95/100: {np.percentile(v.sum(1), [0, 5, 50, 95, 100]).round(2).tolist()})')
for p in peer:
    P = np.load(p); pk = p.split('q05_')[1][:-4]
    for k in ('default_4600', 'released_10000'):
        if k not in runs: continue
        X = runs[k]
        per = [np.corrcoef(X[:, f], P[:, f])[0, 1] for f in range(P.shape[1])]
        prop = np.corrcoef((X / X.sum(1, keepdims=True)).ravel(), (P / P.sum(1, keepdims=True)).ravel())[0, 1]
        print(f'{k} vs {pk}: per-type r median {np.median(per):.3f} (min {min(per):.3f}, {types[int(np.argmin(per))]}), overall r {np.corrcoef(X.ravel(), P.ravel())[0,1]:.3f}, proportions r {prop:.3f}')
