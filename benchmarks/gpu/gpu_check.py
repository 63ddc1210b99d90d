"""A short check on a CUDA machine: for each simulated preset named, train the default model on the GPU, refine the
abundance posterior there and on the CPU (all cores), export 1,000 draws; one JSON file per call in $OUT.

    EPOCHS=400 python benchmarks/gpu/gpu_check.py tiny     # EPOCHS caps train()'s epochs (unset: the defaults)
    DRY=1 EPOCHS=50 python benchmarks/gpu/gpu_check.py tiny  # the same on the CPU, to try the script

`q50_gpu_vs_cpu_median_abs_log` compares the refined medians of the two devices (their random draws differ).
Result of a run on an H200: benchmarks/gpu/results/gpu_check_tiny.json.
"""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
import os, sys, time, json
import numpy as np, pandas as pd, torch
OUT = os.environ.get('OUT', '/tmp/gpu_out'); os.makedirs(OUT, exist_ok=True)
DRY = bool(os.environ.get('DRY'))
res = {}
def log(k, v):
    res[k] = v; print(k, json.dumps(v, default=str), flush=True)
    json.dump(res, open(f"{OUT}/gpu_check_{'_'.join(sys.argv[1:])}.json", 'w'), indent=1, default=str)
log('gpu', torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
from c2l_nb.models import Cell2location as C2L
from c2l_nb.sim import simulate
from c2l_nb.refine import refine_abundance
sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
acc_kw = dict(accelerator='cpu') if DRY else dict(accelerator='gpu')
for preset in sys.argv[1:]:
    t0 = time.time()
    ref, vis = simulate(preset, seed=0)
    truth = np.asarray(vis.obsm['true_abundance'])
    sig = pd.DataFrame(vis.varm['true_signatures'], index=vis.var_names)
    a = vis[:, sig.sum(1) > 0].copy(); sig = sig.loc[a.var_names]
    C2L.setup_anndata(a, batch_key='sample')
    mod = C2L(a, cell_state_df=sig, N_cells_per_location=float(vis.uns['sim']['mean_total_cells']), detection_alpha=20)
    t = time.time(); mod.train(progress_bar=False, seed=0, **({'max_epochs': int(os.environ['EPOCHS'])} if os.environ.get('EPOCHS') else {}), **acc_kw); sync(); tt = time.time() - t
    dev = next(mod.module.guide.parameters()).device.type
    q05 = np.asarray(mod.posterior_quantile(0.05)['w_sf'])
    t = time.time(); rg = refine_abundance(mod, progress=False); sync(); tg = time.time() - t
    t = time.time(); a = mod.export_posterior(a, sample_kwargs={'num_samples': 1000}); sync(); te = time.time() - t
    mod.posterior_quantile(0.5, accelerator='cpu')  # moves the model to the CPU
    torch.set_num_threads(os.cpu_count())
    t = time.time(); rc = refine_abundance(mod, progress=False); tc = time.time() - t
    big = rc['q50'] > 1
    fp = lambda e: float((e[truth <= 0.1] > 0.1).mean())
    log(preset, dict(shape=list(a.shape), types=int(sig.shape[1]), device=dev, epochs=len(mod.history_['elbo_train']),
                     status=mod.train_status_, why=mod.train_mode_.get('why'), train_s=tt,
                     q05_r=float(np.corrcoef(q05.ravel(), truth.ravel())[0, 1]),
                     refined_q05_r=float(np.corrcoef(rg['q05'].ravel(), truth.ravel())[0, 1]),
                     false_presence=fp(q05), refined_false_presence=fp(rg['q05']),
                     refine_gpu_s=tg, refine_cpu_s=tc, cpu_threads=os.cpu_count(), export_1000_draws_s=te,
                     q50_gpu_vs_cpu_median_abs_log=float(np.median(np.abs(np.log(rg['q50'][big] / rc['q50'][big])))),
                     total_s=time.time() - t0))
