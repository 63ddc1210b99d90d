"""The released form's defaults on the real Slide-seq cerebellum beads (`c2l_nb.datasets.cerebellum_slideseq()`,
100 beads): does any bead's total run away? N_cells_per_location 1, 2 and 5, three seeds each.

    .venv/bin/python benchmarks/real_data/slideseq_runaway.py
"""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
import sys, warnings, tempfile; warnings.filterwarnings('ignore')
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'tests'))
import numpy as np, anndata as ad, torch
from c2l_nb.models import Cell2location, RegressionModel
from test_platforms import slideseq_pair  # the beads and the reference as two .h5ad files


def beads_and_signatures():
    "(beads AnnData, signatures DataFrame) on their shared genes: the reference trained as in the tutorial (250 epochs)."
    v, r = slideseq_pair(Path(tempfile.mkdtemp()))
    ref, vis = ad.read_h5ad(r), ad.read_h5ad(v)
    RegressionModel.setup_anndata(ref, batch_key='animal', labels_key='cell_type')
    m = RegressionModel(ref); m.train(max_epochs=250, progress_bar=False)
    ref = m.export_posterior(ref, sample_kwargs={'num_samples': 200})
    sig = ref.varm['means_per_cluster_mu_fg'].copy(); sig.columns = list(ref.uns['mod']['factor_names'])
    g = vis.var_names.intersection(sig.index)
    return vis[:, g].copy(), sig.loc[g]


if __name__ == '__main__':
    torch.set_num_threads(1)
    vis, sig = beads_and_signatures()
    print('UMIs per bead, min/median/max:', np.percentile(np.asarray(vis.X.sum(1)).ravel(), [0, 50, 100]))
    Cell2location.setup_anndata(vis)
    for N in [1, 2, 5]:
        for seed in [0, 1, 2]:
            mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=N, detection_alpha=20)
            mod.train(progress_bar=False, seed=seed)
            t = np.asarray(mod.posterior_quantile(0.05)['w_sf']).sum(1)
            y = mod.module.guide.median()['detection_y_s'].detach().numpy().ravel()
            print(f"N {N} seed {seed}: {len(mod.history_['elbo_train'])} epochs; q05 total min/median/max "
                  f"{np.round(np.percentile(t, [0, 50, 100]), 2)}; y_s min/median {y.min():.4f}/{np.median(y):.4f}", flush=True)
