"""Check that two versions of the package give identical tutorial numbers at a fixed seed (for pure refactors).

    python tools/compare_runs.py run  <repo root>  <out folder>      # run that checkout's tutorial (smoke, seed 0)
    python tools/compare_runs.py diff <out folder A> <out folder B>  # every numeric array of the results, compared

`run` executes the checkout's tutorial with papermill under `PYTHONPATH=<repo root>`, with torch's global generator
seeded first (torch seeds it at random at start-up, so the posterior draws of `export_posterior` differ between
processes otherwise). `diff` compares every numeric `obsm`, `varm`, `layers`, `obs` column and `uns` array of the
spatial and reference results (abundances, signatures, co-location loadings, expression per cell type); exit status 1
if any differs.
"""
import json, os, subprocess, sys
from pathlib import Path

FILES = ('cell2location_map/sp.h5ad', 'reference_signatures/sc.h5ad')


def run(root: Path, out: Path):
    nb = json.loads((root / 'nbs' / 'tutorials' / 'lymph_node.ipynb').read_text())
    i = next(i for i, c in enumerate(nb['cells']) if 'parameters' in c['metadata'].get('tags', []))
    nb['cells'].insert(i + 1, {'cell_type': 'code', 'execution_count': None, 'id': 'seedtorch', 'metadata': {},
                               'outputs': [], 'source': ['import torch; torch.manual_seed(0)']})
    out.mkdir(parents=True, exist_ok=True); (out / 'input.ipynb').write_text(json.dumps(nb))
    code = ("import papermill as pm, sys; pm.execute_notebook(sys.argv[1], sys.argv[2], kernel_name='python3', "
            "cwd=sys.argv[3], progress_bar=False, parameters=dict(smoke=True, results_folder=sys.argv[4], seed=0))")
    env = dict(os.environ, PYTHONPATH=str(root.resolve()), OMP_NUM_THREADS='1', MPLBACKEND='Agg')
    subprocess.run([sys.executable, '-c', code, str(out / 'input.ipynb'), str(out / 'executed.ipynb'), str(out),
                    str(out / 'results')], env=env, check=True)


def _arrays(a):
    import numpy as np
    out = {}
    for slot in ('obsm', 'varm', 'layers'):
        for k, v in getattr(a, slot).items():
            v = np.asarray(v.values if hasattr(v, 'values') else (v.toarray() if hasattr(v, 'toarray') else v))
            if v.dtype.kind in 'fiub': out[f'{slot}/{k}'] = v
    def walk(d, pre=''):
        for k, v in d.items():
            if isinstance(v, dict): yield from walk(v, f'{pre}{k}/')
            else: yield f'{pre}{k}', v
    for k, v in walk(a.uns):
        v = np.asarray(v.values) if hasattr(v, 'values') and not isinstance(v, np.ndarray) else v
        if isinstance(v, np.ndarray) and v.dtype.kind in 'fiub': out[f'uns/{k}'] = v
    for c in a.obs.columns:
        if a.obs[c].dtype.kind in 'fiub': out[f'obs/{c}'] = a.obs[c].to_numpy()
    return out


def diff(a: Path, b: Path) -> int:
    import numpy as np, anndata as ad
    bad = 0
    for f in FILES:
        x, y = _arrays(ad.read_h5ad(a / 'results' / f)), _arrays(ad.read_h5ad(b / 'results' / f))
        keys = sorted(set(x) | set(y))
        differ = [k for k in keys if k not in x or k not in y or x[k].shape != y[k].shape
                  or not np.array_equal(x[k], y[k], equal_nan=x[k].dtype.kind in 'fc')]
        print(f"{f}: {len(keys) - len(differ)} of {len(keys)} numeric arrays identical" + (f"; differ: {differ}" if differ else ''))
        bad += len(differ)
    return 1 if bad else 0


if __name__ == '__main__':
    cmd, p, q = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    sys.exit(run(p, q) if cmd == 'run' else diff(p, q))
