"""The real lymph-node pair (commands and data: README.md in this folder): per-type Pearson r of the q05 maps and the totals, from the runs' saved q05 files."""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
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
    for k in sorted(k for k in runs if k.startswith(('default', 'released', 'skew', 'refined', 'nozones', 'zones', 'net', 'bal'))):
        X = runs[k]
        per = [np.corrcoef(X[:, f], P[:, f])[0, 1] for f in range(P.shape[1])]
        prop = np.corrcoef((X / X.sum(1, keepdims=True)).ravel(), (P / P.sum(1, keepdims=True)).ravel())[0, 1]
        print(f'{k} vs {pk}: per-type r median {np.median(per):.3f} (min {min(per):.3f}, {types[int(np.argmin(per))]}), overall r {np.corrcoef(X.ravel(), P.ravel())[0,1]:.3f}, proportions r {prop:.3f}')
def agree(k, o):
    "Per-type r, proportions r and the share of entries with q05 > 0.1 of two c2l_nb maps."
    X, P = runs[k], runs[o]
    per = [np.corrcoef(X[:, f], P[:, f])[0, 1] for f in range(P.shape[1])]
    prop = np.corrcoef((X / X.sum(1, keepdims=True)).ravel(), (P / P.sum(1, keepdims=True)).ravel())[0, 1]
    print(f'{k} vs {o}: per-type r median {np.median(per):.3f} (min {min(per):.3f}, {types[int(np.argmin(per))]}), '
          f'proportions r {prop:.3f}; share of entries with q05 > 0.1: {(X > 0.1).mean():.3f} vs {(P > 0.1).mean():.3f}')
# the zone warm start against the previous defaults (no cell2location needed): zones<N> vs nozones<N>
for k in sorted(k for k in runs if k.startswith('zones')):
    for o in sorted(o for o in runs if o.startswith('no' + k.split('_')[0])): agree(k, o)
# the stopping rule's net-change test: net<N> (current defaults) vs zones<N> (warm start, no test) and nozones<N>
for k in sorted(k for k in runs if k.startswith('net')):
    n = k.split('_')[0][3:]
    for o in sorted(o for o in runs if o.split('_')[0] in (f'zones{n}', f'nozones{n}')): agree(k, o)
# the balanced zone warm start: bal<N> (current defaults) vs net<N> (the raw factorisation) and nozones<N>
for k in sorted(k for k in runs if k.startswith('bal')):
    n = k.split('_')[0][3:]
    for o in sorted(o for o in runs if o.split('_')[0] in (f'net{n}', f'nozones{n}')): agree(k, o)
