"""`c2l_nb report` on Visium HD: a Space Ranger HD folder and a SpatialData zarr store go through `--bin-size` to the
notebook; a missing bin size is refused before anything runs. The data are the synthetic HD folder of c2l_nb.hd."""
import functools, importlib.util, os, sys, tempfile, warnings
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
HAS_HD = all(importlib.util.find_spec(m) for m in ('spatialdata_io', 'pyarrow'))
ON_CI = bool(os.environ.get('CI')) and sys.version_info >= (3, 11)  # CI installs the extra with '.[dev]': no skip
pytestmark = pytest.mark.skipif(not HAS_HD and not ON_CI, reason="spatialdata-io is not installed: "
                                "pip install -e '.[dev]' (Python 3.11+) or pip install 'c2l_nb[hd]'")


@functools.lru_cache(maxsize=None)
def hd_inputs() -> tuple:
    "(HD outs folder, SpatialData .zarr of it, reference .h5ad, {bin size: bins under tissue}), made once."
    import spatialdata_io
    from c2l_nb.sim import simulate
    from c2l_nb.hd import make_synthetic_visium_hd
    tmp = Path(tempfile.mkdtemp(prefix='c2l_nb_hd_'))
    truth = make_synthetic_visium_hd(tmp / 'outs')  # 40 genes named like simulate()'s first 40
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        spatialdata_io.visium_hd(tmp / 'outs', load_segmentations_only=False).write(tmp / 'hd.zarr')
    ref, _ = simulate('tiny', seed=0)
    ref.write_h5ad(tmp / 'ref.h5ad')
    return tmp / 'outs', tmp / 'hd.zarr', tmp / 'ref.h5ad', {b: int(t.obs.in_tissue.sum()) for b, t in truth.items()}


def test_check_inputs_reads_hd_folder_and_zarr():
    "The input step reads both layouts at each bin size: every bin under tissue (empty ones too), the 40 genes shared."
    from c2l_nb.data import check_inputs
    from c2l_nb.io import detect_format
    outs, zarr, ref, n = hd_inputs()
    assert (detect_format(outs), detect_format(zarr), detect_format(outs / 'binned_outputs' / 'square_008um')) == \
        ('visium_hd', 'spatialdata', 'visium_hd')
    for path in (outs, zarr):
        for b in (8, 16):
            s = check_inputs(path, ref, labels_key='Subset', batch_key='Sample', bin_size=b)
            got = (s['n_spots'], s['n_shared_genes'], s['gene_names'], s['n_types'])
            assert got == (n[b], 40, 'ids', 10), (path, b, s)


def test_missing_bin_size_fails_fast(tmp_path, capsys):
    "A bin size the folder lacks, or a bin folder passed for the outs folder: exit 2, what is there, nothing written."
    from c2l_nb.report import main
    outs, _, ref, _ = hd_inputs()
    keys = ['--reference', str(ref), '--labels-key', 'Subset', '--out', str(tmp_path / 'out')]
    assert main(['report', '--spatial', str(outs), '--bin-size', '2', *keys]) == 2
    assert 'its bin sizes are [8, 16] µm' in capsys.readouterr().err
    assert main(['report', '--spatial', str(outs / 'binned_outputs' / 'square_016um'), *keys]) == 2
    assert f'pass {outs}' in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()


def test_tutorial_takes_bin_size():
    "The report's notebook has a `bin_size` parameter (papermill injects --bin-size there) and reads with it."
    import nbformat
    from c2l_nb.report import tutorial_path
    nb = nbformat.read(tutorial_path(), as_version=4)
    params = next(c for c in nb.cells if 'parameters' in c.metadata.get('tags', []))
    ns = {}; exec(params.source, ns)
    assert ns['bin_size'] == 8
    assert any("read_input(spatial_path, 'spatial data', bin_size=bin_size)" in c.source for c in nb.cells)


def _reading_notebook(tmp: Path) -> Path:
    "A stand-in for the report's notebook: reads the spatial input as the tutorial does, records it, writes results."
    import nbformat
    code = ("import json\nfrom pathlib import Path\nfrom c2l_nb.io import read_input\n"
            "a = read_input(spatial_path, 'spatial data', bin_size=bin_size)\n"
            "Path('read.json').write_text(json.dumps(dict(n=a.n_obs, bin_size=a.uns['bin_size_um'])))\n"
            "for f in ('cell2location_map/sp.h5ad', 'reference_signatures/sc.h5ad'):\n"
            "    p = Path(results_folder) / f; p.parent.mkdir(parents=True, exist_ok=True); p.write_text('x')")
    cells = [nbformat.v4.new_code_cell("results_folder = 'x'\nspatial_path = None\nbin_size = 8\nsmoke = False",
                                       metadata={'tags': ['parameters']}), nbformat.v4.new_code_cell(code)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'python3', 'language': 'python'}
    nbformat.write(nb, tmp / 'reads.ipynb')
    return tmp / 'reads.ipynb'


def test_report_passes_bin_size_to_the_notebook(tmp_path, monkeypatch):
    "`c2l_nb report --spatial <HD folder> --bin-size 16` reads the 16 µm bins inside the notebook."
    # a .zarr store takes the same path (`read_input`), tested in test_check_inputs_reads_hd_folder_and_zarr
    import json
    import c2l_nb.report as rep
    outs, _, ref, n = hd_inputs()
    monkeypatch.setattr(rep, 'tutorial_path', lambda name=None: _reading_notebook(tmp_path))
    assert rep.main(['report', '--spatial', str(outs), '--reference', str(ref), '--labels-key', 'Subset',
                     '--bin-size', '16', '--no-progress', '--out', str(tmp_path / 'out')]) == 0
    assert json.loads((tmp_path / 'out' / 'read.json').read_text()) == dict(n=n[16], bin_size=16)


def test_whole_report_on_hd(tmp_path):
    "The whole smoke report runs on the synthetic HD folder (about 110 s on a 2-core machine, one core busy)."
    import anndata as ad
    from c2l_nb.report import main
    outs, _, ref, n = hd_inputs()
    assert main(['report', '--spatial', str(outs), '--reference', str(ref), '--labels-key', 'Subset', '--batch-key',
                 'Sample', '--covariate-keys', 'Method', '--smoke', '--n-cells-per-location', '2', '--no-progress',
                 '--out', str(tmp_path / 'rep')]) == 0
    sp = ad.read_h5ad(tmp_path / 'rep' / 'cell2location_map' / 'sp.h5ad')
    assert sp.n_obs == n[8] and sp.obsm['q05_cell_abundance_w_sf'].shape == (n[8], 10)
