"""Runaway spots of the released form on the real lymph-node pair: the largest guide-median total every 250 epochs.

    .venv/bin/python benchmarks/real_data/runaway.py '{"use_n_s_cells_per_location_limit": false}'                      # seed 0
    .venv/bin/python benchmarks/real_data/runaway.py '{"use_n_s_cells_per_location_limit": false}' '{"seed": 1}'
    .venv/bin/python benchmarks/real_data/runaway.py '{"use_n_s_cells_per_location_limit": false}' '{"local_lr": 0.01}'

Arguments: Cell2location() and train() keyword arguments (JSON). Needs `prep.py`'s files and c2l_nb's signatures
(`run.py c2l_nb ...` writes them). Prints, every 250 epochs, the spot with the largest total of guide medians, its
detection y_s, and the median spot; at the end every per-spot site of that spot next to the median spot.
"""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
import sys, os, json, time, warnings; warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, anndata as ad, torch
torch.set_num_threads(1)
from c2l_nb.models import Cell2location
D = os.environ.get('REAL_LN_OUT', 'bench_out/real_ln/')
mk = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
tr = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
sig = pd.read_csv(D + 'sig_c2l_nb.csv', index_col=0)
vis = ad.read_h5ad(D + 'vis.h5ad'); g = vis.var_names.intersection(sig.index); vis = vis[:, g].copy(); sig = sig.loc[g]
Cell2location.setup_anndata(vis, batch_key='sample')
mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=30, detection_alpha=20, **mk)
guide = mod.module.guide

def totals():
    md = guide.median()
    w = md['w_sf_proportion'] if 'w_sf_proportion' in md else md['w_sf']
    if 'w_sf_proportion' in md: w = w / w.sum(-1, keepdim=True) * md['n_s_cells_per_location']
    return md, w.sum(-1).reshape(-1)

def look(epoch):
    if epoch % 250: return
    with torch.no_grad(): md, t = totals()
    i, y = int(t.argmax()), md['detection_y_s'].reshape(-1)
    print(f"epoch {epoch}: largest total {float(t[i]):.1f} (spot {i}, y_s {float(y[i]):.2g}); median total "
          f"{float(t.median()):.2f}, median y_s {float(y.median()):.3f}", flush=True)

t0 = time.time()
mod.train(progress_bar=False, callback=look, **tr)
print(f"{len(mod.history_['elbo_train'])} epochs, {mod.train_reason_}, {time.time() - t0:.0f} s")
with torch.no_grad(): md, t = totals()
i = int(t.argmax())
for k, v in md.items():
    v = v.detach().cpu().numpy()
    if v.ndim and v.shape[0] == vis.n_obs:
        print(f"{k}: spot {i} {np.round(v[i].ravel()[:6], 4)}; median spot {np.round(np.median(v, 0).ravel()[:6], 4)}")
