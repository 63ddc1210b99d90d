"""Platform cases: real data from other technologies runs through `c2l_nb report` end to end (smoke-sized)."""
import os, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd, scipy.sparse as sp
import pytest

from c2l_nb.io import shared_data_dir

CLI = Path(sys.executable).parent / 'c2l_nb'
ENV = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')


def slideseq_pair(dest: Path, n_beads: int | None = None) -> tuple:
    "The cerebellum Slide-seq beads and snRNA-seq reference as two .h5ad files (beads: coordinates, no `uns['spatial']`)."
    import anndata as ad
    src = shared_data_dir() / 'cerebellum_slideseq_rctd'
    if not src.exists(): pytest.skip(f'no {src}')
    dge = pd.read_csv(src / 'slideseq' / 'MappedDGEForR.csv', index_col=0)
    loc = pd.read_csv(src / 'slideseq' / 'BeadLocationsForR.csv', index_col=0).loc[dge.columns]
    vis = ad.AnnData(sp.csr_matrix(dge.T.to_numpy(np.float32)), obs=pd.DataFrame(index=dge.columns.astype(str)),
                     var=pd.DataFrame(index=dge.index.astype(str)))
    vis.obsm['spatial'] = loc[['xcoord', 'ycoord']].to_numpy(float)
    if n_beads: vis = vis[:n_beads].copy()
    ref_counts = pd.read_csv(src / 'reference' / 'dge.csv', index_col=0)
    meta = pd.read_csv(src / 'reference' / 'meta_data.csv', index_col=0).loc[ref_counts.columns]
    names = pd.read_csv(src / 'reference' / 'cell_type_dict.csv', index_col=0)['Name']
    obs = pd.DataFrame({'cell_type': meta['cluster'].map(names).astype(str).to_numpy(),
                        'animal': [b.split('_')[1] for b in ref_counts.columns]}, index=ref_counts.columns.astype(str))
    ref = ad.AnnData(sp.csr_matrix(ref_counts.T.to_numpy(np.float32)), obs=obs,
                     var=pd.DataFrame(index=ref_counts.index.astype(str)))
    assert 'spatial' not in vis.uns
    vis.write_h5ad(dest / 'vis.h5ad'); ref.write_h5ad(dest / 'ref.h5ad')
    return dest / 'vis.h5ad', dest / 'ref.h5ad'


def test_slideseq_report(tmp_path):
    "Slide-seq beads (coordinates in obsm['spatial'], no image, no uns['spatial']): every step and plot of the report runs."
    import anndata as ad
    vis, ref = slideseq_pair(tmp_path)
    out = tmp_path / 'report'
    t0 = time.time()
    r = subprocess.run([str(CLI), 'report', '--spatial', vis, '--reference', ref, '--labels-key', 'cell_type',
                        '--batch-key', 'animal', '--n-cells-per-location', '2', '--smoke', '--epochs-reference', '30',
                        '--epochs-spatial', '300', '--no-progress', '--out', out],
                       capture_output=True, text=True, env=ENV, timeout=600)
    assert r.returncode == 0, f"{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
    print(f'Slide-seq report: {time.time() - t0:.0f} s')
    html = (out / 'report.html').read_text()
    assert html.count('src="data:image/png;base64,') >= 8  # the spatial plots were drawn
    sp_ = ad.read_h5ad(out / 'cell2location_map' / 'sp.h5ad')
    assert sp_.n_obs == 100 and np.isfinite(np.asarray(sp_.obsm['q05_cell_abundance_w_sf'])).all()
