"""The tutorial notebook, executed end to end by papermill (smoke settings) on simulated and on real data.

The notebook's last cells assert what a sound run must satisfy (results written, no NaN, losses decreased, accuracy
against the truth on simulated data, plausibility on real data), so a run that finishes is a passing test.
"""
import json, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB = ROOT / 'nbs' / 'tutorials' / 'lymph_node.ipynb'


def run_tutorial(tmp: Path, monkeypatch, **params):
    "Execute the tutorial into `tmp` with `params` (plus smoke mode); the executed notebook as JSON."
    import papermill as pm
    # one torch thread: the CI machine's two cores are shared with other test processes, and torch's thread pool
    # then spins (>10x slower on this model's many small operations)
    monkeypatch.setenv('OMP_NUM_THREADS', '1'); monkeypatch.setenv('MPLBACKEND', 'Agg')
    t0 = time.time()
    pm.execute_notebook(str(NB), str(tmp / 'executed.ipynb'), kernel_name='python3', cwd=str(tmp), progress_bar=False,
                        parameters=dict(smoke=True, results_folder=str(tmp / 'results'), **params))
    print(f"{params.get('data', 'simulated')}: {time.time() - t0:.0f} s")
    return json.loads((tmp / 'executed.ipynb').read_text())


def _stdout(nb) -> str:
    return '\n'.join(''.join(o.get('text', '')) for c in nb['cells'] if c['cell_type'] == 'code'
                     for o in c.get('outputs', []) if o.get('name') == 'stdout')


def test_parameters_cell():
    "The first code cell is papermill's `parameters` cell and defines every documented parameter."
    nb = json.loads(NB.read_text())
    first = next(c for c in nb['cells'] if c['cell_type'] == 'code')
    assert 'parameters' in first['metadata'].get('tags', [])
    names = {l.split('=')[0].strip() for l in ''.join(first['source']).splitlines() if '=' in l and not l.startswith('#')}
    assert names >= {'data', 'spatial_path', 'reference_path', 'labels_key', 'batch_key', 'categorical_covariate_keys',
                     'spatial_batch_key', 'epochs_reference', 'epochs_spatial', 'N_cells_per_location', 'detection_alpha',
                     'results_folder', 'device', 'smoke', 'seed'}
    assert nb['metadata']['kernelspec']['name'] == 'python3'
    assert not any(c.get('outputs') for c in nb['cells'] if c['cell_type'] == 'code'), 'commit the tutorial without outputs'


def test_tutorial_simulated():
    """Built-in simulated data: every step runs and the abundances match the known truth. The papermill run is the
    smoke report's (`c2l_nb report --smoke` executes this notebook with data='simulated'), shared with
    tests/test_report.py and tests/test_docs.py so that it is computed once."""
    from test_report import smoke_report
    out = smoke_report()
    nb = json.loads((out / 'report.ipynb').read_text())
    params = next(c for c in nb['cells'] if 'injected-parameters' in c['metadata'].get('tags', []))
    src = ''.join(params['source']).replace("'", '"')
    assert 'data = "simulated"' in src and 'smoke = True' in src
    text = _stdout(nb)
    assert 'structure checks passed' in text and 'all checks passed' in text
    accuracy = next(l for l in text.splitlines() if l.startswith("{'pearson'"))
    print(f"simulated (smoke): {accuracy}")
    assert (out / 'cell2location_map' / 'sp.h5ad').exists() and (out / 'reference_signatures' / 'sc.h5ad').exists()


def test_tutorial_lymph_node():
    """The real lymph node pair shipped with the package (gene symbols, no technology column): plausible abundances.
    The run is the lymph-node smoke report's (`c2l_nb report --data lymph_node --smoke`), shared with the browser test."""
    from test_report import smoke_report
    res = smoke_report('lymph_node')
    nb = json.loads((res / 'report.ipynb').read_text())
    out = _stdout(nb)
    assert 'all checks passed' in out and '11 cell types' in out
    import anndata as ad
    sp = ad.read_h5ad(res / 'cell2location_map' / 'sp.h5ad')
    assert sp.n_obs == 1000 and list(sp.uns['mod']['factor_names'])[:2] == ['B', 'B_Plasma']
