"""Platform cases: real data from other technologies runs through `c2l_nb report` end to end (smoke-sized)."""
import functools, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

CLI = Path(sys.executable).parent / 'c2l_nb'
ENV = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')


def slideseq_pair(dest: Path, n_beads: int | None = None) -> tuple:
    "The cerebellum Slide-seq beads and snRNA-seq reference as two .h5ad files (beads: coordinates, no `uns['spatial']`)."
    from c2l_nb.datasets import cerebellum_slideseq
    ref, vis = cerebellum_slideseq()
    del vis.uns['spatial']  # beads as many pipelines hand them over: coordinates only
    if n_beads: vis = vis[:n_beads].copy()
    assert 'spatial' not in vis.uns
    vis.write_h5ad(dest / 'vis.h5ad'); ref.write_h5ad(dest / 'ref.h5ad')
    return dest / 'vis.h5ad', dest / 'ref.h5ad'


@functools.lru_cache(maxsize=None)
def slideseq_report() -> Path:
    "The report on the Slide-seq pair given as two .h5ad files (run once; the browser test opens it too)."
    tmp = Path(tempfile.mkdtemp(prefix='c2l_nb_slideseq_'))
    vis, ref = slideseq_pair(tmp)
    out = tmp / 'report'
    t0 = time.time()
    r = subprocess.run([str(CLI), 'report', '--spatial', vis, '--reference', ref, '--labels-key', 'cell_type',
                        '--batch-key', 'animal', '--n-cells-per-location', '2', '--smoke', '--epochs-reference', '30',
                        '--epochs-spatial', '300', '--platform', 'Slide-seq', '--no-progress', '--out', out],
                       capture_output=True, text=True, env=ENV, timeout=600)
    assert r.returncode == 0, f"{r.stdout[-3000:]}\n{r.stderr[-6000:]}"
    print(f'Slide-seq report: {time.time() - t0:.0f} s')
    return out


def test_slideseq_report():
    "Slide-seq beads (coordinates in obsm['spatial'], no image, no uns['spatial']): every step and plot of the report runs."
    import anndata as ad
    out = slideseq_report()
    html = (out / 'report.html').read_text()
    assert html.count('src="data:image/png;base64,') >= 8  # the spatial plots were drawn
    sp_ = ad.read_h5ad(out / 'cell2location_map' / 'sp.h5ad')
    assert sp_.n_obs == 100 and np.isfinite(np.asarray(sp_.obsm['q05_cell_abundance_w_sf'])).all()
