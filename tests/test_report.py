"""`c2l_nb report`: bad inputs fail fast with a clear message; a smoke run writes the notebook, the HTML and the results."""
import functools, os, re, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pytest

from c2l_nb.datasets import dataset_path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).parent / 'c2l_nb'
DATA = dataset_path('lymph_node_visium')  # the real pair shipped with the package, as MatrixMarket folders
ENV = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')  # one torch thread: the CI's 2 cores are shared


def run_cli(*args, cwd=None, timeout=900):
    t0 = time.time()
    r = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=ENV, timeout=timeout)
    return r, time.time() - t0


@functools.lru_cache(maxsize=None)
def smoke_report(data: str = 'simulated') -> Path:
    "One smoke report per built-in data set, shared by the test files (tutorial, docs, browser): each runs once."
    out = Path(tempfile.mkdtemp(prefix=f'c2l_nb_report_{data}_')) / 'report'
    r, secs = run_cli('report', '--data', data, '--smoke', '--out', out, '--no-progress')
    assert r.returncode == 0, f"c2l_nb report --data {data} --smoke failed:\n{r.stdout[-4000:]}\n{r.stderr[-8000:]}"
    assert 'without encryption' not in r.stderr, r.stderr  # the kernel's start-up chatter is silenced
    print(f"smoke report ({data}): {secs:.0f} s")
    return out


def test_packaged_tutorial_in_sync():
    "The notebook the package ships is the tutorial in nbs/ (run `python tools/sync_tutorials.py` after editing it)."
    src = sorted((ROOT / 'nbs' / 'tutorials').glob('*.ipynb'))
    assert src, 'no tutorial notebooks in nbs/tutorials'
    for p in src:
        q = ROOT / 'c2l_nb' / 'tutorials' / p.name
        assert q.exists() and q.read_bytes() == p.read_bytes(), \
            f"c2l_nb/tutorials/{p.name} differs from nbs/tutorials/{p.name}: run python tools/sync_tutorials.py"
    assert sorted(p.name for p in (ROOT / 'c2l_nb' / 'tutorials').glob('*.ipynb')) == [p.name for p in src]


def test_help():
    r, _ = run_cli('report', '--help')
    assert r.returncode == 0 and '--spatial' in r.stdout and '--smoke' in r.stdout


def _bad_inputs(tmp: Path) -> list:
    "(arguments, expected fragment of the error) for inputs that must be refused before any training."
    from c2l_nb.io import read_mtx
    ref = read_mtx(DATA / 'reference')
    norm = ref.copy(); norm.X = (norm.X.multiply(1e4 / norm.X.sum(1))).tocsr()  # normalize_total-like
    norm.write_h5ad(tmp / 'normalised.h5ad')
    other = ref.copy(); other.var_names = [f'gene{i}' for i in range(ref.n_vars)]
    other.write_h5ad(tmp / 'other_genes.h5ad')
    (tmp / 'table.txt').write_text('not data')
    vis, refd = DATA / 'visium', DATA / 'reference'
    keys = ['--labels-key', 'cell_type', '--batch-key', 'sample']
    return [
        (['--spatial', tmp / 'nope', '--reference', refd, *keys], 'does not exist'),
        (['--spatial', tmp / 'table.txt', '--reference', refd, *keys], 'is a .txt file; accepted are'),
        (['--spatial', tmp, '--reference', refd, *keys], 'neither a Space Ranger'),
        (['--spatial', vis, '--reference', tmp / 'normalised.h5ad', *keys], 'non-integer values'),
        (['--spatial', vis, '--reference', tmp / 'other_genes.h5ad', *keys], 'share 0 genes'),
        (['--spatial', vis, '--reference', refd], '--labels-key'),
        (['--spatial', vis, '--reference', refd, '--labels-key', 'Subset'], "no obs column 'Subset'"),
        (['--spatial', vis], 'pass both'),
        (['--epochs-spatial', '0'], 'positive number of epochs'),
        (['--device', 'tpu'], "--device 'tpu' is not a known device"),
    ]


def test_bad_inputs_fail_fast(tmp_path, capsys):
    "Each bad input stops the command within seconds, with exit status 2, a one-line reason, and nothing written."
    from c2l_nb.report import main
    for args, msg in _bad_inputs(tmp_path):
        out = tmp_path / 'out'
        t0 = time.time()
        assert main(['report', *map(str, args), '--out', str(out)]) == 2, args
        err = capsys.readouterr().err
        assert 'c2l_nb report: error:' in err and msg in err and 'Traceback' not in err, f"{args}: {err}"
        assert not out.exists(), f"{args}: the output folder was created before the inputs were checked"
        assert time.time() - t0 < 60, f"{args}: took {time.time() - t0:.0f} s to fail"


def test_console_script_exit_status(tmp_path):
    "The installed `c2l_nb` command reports input errors on stderr with exit status 2."
    r, secs = run_cli('report', '--spatial', tmp_path / 'nope', '--reference', DATA / 'reference', '--labels-key', 'x',
                      '--out', tmp_path / 'out', timeout=120)
    assert r.returncode == 2 and 'does not exist' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path / 'out').exists()


def test_out_not_writable(capsys):
    "An output folder that cannot be written is refused before the inputs are read: exit 2, one line."
    from c2l_nb.report import main
    t0 = time.time()
    assert main(['report', '--spatial', str(DATA / 'visium'), '--reference', str(DATA / 'reference'),
                 '--labels-key', 'cell_type', '--out', '/proc/c2l_nb_report']) == 2
    err = capsys.readouterr().err
    assert 'cannot be written' in err and 'Traceback' not in err and '[1/3]' not in err, err
    assert time.time() - t0 < 10


def test_out_is_a_file(tmp_path):
    f = tmp_path / 'file'; f.write_text('')
    r, _ = run_cli('report', '--smoke', '--out', f)
    assert r.returncode == 2 and 'is a file' in r.stderr


def test_smoke_report_writes_outputs():
    "A smoke run on the simulated data writes the executed notebook, a self-contained HTML report and the results."
    import anndata as ad, nbformat
    out = smoke_report()
    nb = nbformat.read(out / 'report.ipynb', as_version=4)
    errors = [o for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', []) if o.output_type == 'error']
    assert not errors
    params = next(c for c in nb.cells if 'injected-parameters' in c.metadata.get('tags', []))
    assert 'smoke = True' in params.source
    assert re.search(r'results_folder = ["\']\.["\']', params.source)  # relative: valid after the move into --out
    assert not list(out.parent.glob('report.incomplete-*'))  # the working folder was moved into place
    text = '\n'.join(''.join(o.get('text', '')) for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', []))
    assert 'all checks passed' in text
    html = (out / 'report.html').read_text()
    assert html.count('src="data:image/png;base64,') >= 8  # figures embedded
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?:', html)  # opens offline
    sp = ad.read_h5ad(out / 'cell2location_map' / 'sp.h5ad')
    q05 = sp.obsm['q05_cell_abundance_w_sf']
    assert q05.shape[0] == sp.n_obs and np.isfinite(np.asarray(q05)).all()
    assert 'mod' in sp.uns and 'region_cluster' in sp.obs
    sc_ = ad.read_h5ad(out / 'reference_signatures' / 'sc.h5ad')
    assert 'means_per_cluster_mu_fg' in sc_.varm


def test_failed_analysis_still_writes_html(tmp_path, monkeypatch):
    "A failure inside the notebook raises RuntimeError naming the cell (exit 1 from the CLI); the HTML still shows it."
    import nbformat
    import c2l_nb.report as rep
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('smoke = False', metadata={'tags': ['parameters']}),
                                         nbformat.v4.new_code_cell("raise ValueError('no spots left')")])
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'python3', 'language': 'python'}
    nbformat.write(nb, tmp_path / 'broken.ipynb')
    monkeypatch.setattr(rep, 'tutorial_path', lambda name=None: tmp_path / 'broken.ipynb')
    with pytest.raises(RuntimeError, match=r"failed in cell \d+ \(ValueError: no spots left\)"):
        rep.run_report(tmp_path / 'out', smoke=True, progress=False, quiet=True)
    assert not (tmp_path / 'out').exists()  # no half-written report in --out
    html, = tmp_path.glob('out.incomplete-*/report.html')
    assert 'no spots left' in html.read_text()


def _fake_tutorial(tmp: Path, fail: bool = False) -> Path:
    "A notebook that writes the report's result files quickly (or fails half-way)."
    import nbformat
    code = ("from pathlib import Path\nfor f in ('cell2location_map/sp.h5ad', 'reference_signatures/sc.h5ad'):\n"
            "    p = Path(results_folder) / f; p.parent.mkdir(parents=True, exist_ok=True); p.write_text('new')")
    cells = [nbformat.v4.new_code_cell("results_folder = 'x'\nsmoke = False", metadata={'tags': ['parameters']}),
             nbformat.v4.new_code_cell("raise ValueError('half-way')" if fail else code)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'python3', 'language': 'python'}
    f = tmp / ('fails.ipynb' if fail else 'fake.ipynb'); nbformat.write(nb, f)
    return f


def test_earlier_report_kept_unless_overwrite(tmp_path, monkeypatch, capsys):
    "An earlier report is refused (exit 2) without --overwrite, survives a failed run, and is replaced by a complete one."
    import c2l_nb.report as rep
    out = tmp_path / 'out'
    (out / 'cell2location_map').mkdir(parents=True)
    (out / 'report.ipynb').write_text('old'); (out / 'cell2location_map' / 'sp.h5ad').write_text('old')
    monkeypatch.setattr(rep, 'tutorial_path', lambda name=None: _fake_tutorial(tmp_path))
    assert rep.main(['report', '--smoke', '--no-progress', '--out', str(out)]) == 2
    assert 'already holds a report: pass --overwrite' in capsys.readouterr().err
    assert (out / 'report.ipynb').read_text() == 'old'
    monkeypatch.setattr(rep, 'tutorial_path', lambda name=None: _fake_tutorial(tmp_path, fail=True))
    assert rep.main(['report', '--smoke', '--no-progress', '--overwrite', '--out', str(out)]) == 1
    assert (out / 'report.ipynb').read_text() == 'old' and (out / 'cell2location_map' / 'sp.h5ad').read_text() == 'old'
    monkeypatch.setattr(rep, 'tutorial_path', lambda name=None: _fake_tutorial(tmp_path))
    assert rep.main(['report', '--smoke', '--no-progress', '--overwrite', '--out', str(out)]) == 0
    assert (out / 'cell2location_map' / 'sp.h5ad').read_text() == 'new' and (out / 'report.html').exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith('out')) == ['out', *(
        p.name for p in tmp_path.glob('out.incomplete-*'))]  # only the failed run's folder besides out
    assert not list(tmp_path.glob('*.old'))
