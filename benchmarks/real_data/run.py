"""The real lymph-node pair (commands and data: README.md in this folder): one library, one model form: signatures (cached) and the q05 map at each checkpoint."""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
import sys, os, json, time, warnings; warnings.filterwarnings('ignore')
import numpy as np, pandas as pd, anndata as ad, torch
torch.set_num_threads(1)
lib, tag = sys.argv[1], sys.argv[2]
mk = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
D = os.environ.get('REAL_LN_OUT', 'bench_out/real_ln/')
if lib == 'peer':
    from cell2location.models import Cell2location, RegressionModel
    TR = dict(accelerator='cpu', enable_progress_bar=False)
else:
    from c2l_nb.models import Cell2location, RegressionModel
    TR = dict(progress_bar=False)
sigf = D + f'sig_{lib}.csv'
if not os.path.exists(sigf):
    ref = ad.read_h5ad(D + 'ref.h5ad')
    RegressionModel.setup_anndata(ref, batch_key='sample', labels_key='cell_type')
    m = RegressionModel(ref)
    if lib == 'peer': m.train(max_epochs=250, batch_size=2500, lr=0.002, train_size=1, **TR)
    else: m.train(max_epochs=250, batch_size=2500, lr=0.002, **TR)
    ref = m.export_posterior(ref, sample_kwargs={'num_samples': 1000, 'batch_size': 2500})
    s = ref.varm['means_per_cluster_mu_fg'].copy(); s.columns = list(ref.uns['mod']['factor_names']); s.to_csv(sigf)
sig = pd.read_csv(sigf, index_col=0)
vis = ad.read_h5ad(D + 'vis.h5ad')
g = vis.var_names.intersection(sig.index); vis = vis[:, g].copy(); sig = sig.loc[g]
Cell2location.setup_anndata(vis, batch_key='sample')
mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=30, detection_alpha=20, **mk)
t0 = time.time(); steps = 0
chunks = [int(c) for c in sys.argv[4].split(',')] if len(sys.argv) > 4 else [None]
for c in chunks:
    if lib == 'peer': mod.train(max_epochs=c - steps, batch_size=None, train_size=1, **TR)
    else: mod.train(**TR, **json.loads(os.environ.get('TRAIN_KWARGS', '{}')))  # e.g. TRAIN_KWARGS='{"zone_warm_start": null}'
    steps = len(mod.history_['elbo_train'])
    q = mod.posterior_quantile(q=0.05, batch_size=vis.n_obs, accelerator='cpu')['w_sf'] if lib == 'peer' else mod.posterior_quantile(0.05)['w_sf']
    np.save(D + f'q05_{tag}_{steps}.npy', np.asarray(q)); print(tag, steps, round(time.time() - t0), flush=True)
    if lib != 'peer' and os.environ.get('REFINE'):  # also the refined posterior (export_posterior(refine_abundance=True))
        from c2l_nb.refine import refine_abundance
        t1 = time.time(); q = refine_abundance(mod, quantiles=(0.05,), progress=False)['q05']
        np.save(D + f'q05_refined_{tag}_{steps}.npy', q); print('refined', tag, round(time.time() - t1), 's', flush=True)
json.dump(list(sig.columns), open(D + 'types.json', 'w'))
