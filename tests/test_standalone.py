"""The repository stands alone: a clone with nothing beside it has every dataset, and nothing reads a folder outside it.

Users clone the repository or `pip install` the package; neither brings a sibling data folder. The real datasets ship
inside the package (`c2l_nb/example_data/`, read through `c2l_nb.datasets`), so the tests, the notebooks and the
tutorial run from a clone alone.
"""
import os, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
# a path that leaves the repository for the sibling data folder, or a search for one above it (the name is assembled
# here so that this file, the checker, holds none of the paths it looks for)
SIB = 'sh' + 'ared'
OUTSIDE = re.compile(rf"\.\./{SIB}|{SIB}/data|{SIB}_data_dir|C2L_NB_{'DATA'}|parent / '{SIB}'")


def _tracked() -> list:
    if not (ROOT / '.git').exists() or shutil.which('git') is None: pytest.skip('not a git checkout')
    r = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / f for f in r.stdout.split('\0') if f]


def test_no_path_outside_the_repository():
    "No tracked source, notebook, test or script names a data folder outside the repository."
    hits = []
    for p in _tracked():
        if p.suffix not in {'.py', '.ipynb', '.md', '.ini', '.yml', '.txt', '.cfg', ''}: continue
        if not p.is_file(): continue
        for i, line in enumerate(p.read_text(encoding='utf-8', errors='replace').splitlines(), 1):
            if OUTSIDE.search(line): hits.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()[:100]}")
    assert not hits, "read data through c2l_nb.datasets instead:\n" + "\n".join(hits)


def test_the_pattern_catches_outside_paths():
    for bad in [f"D = '../{SIB}/data/x'", f"os.environ['C2L_NB_{'DATA'}']", f"from c2l_nb.io import {SIB}_data_dir", f"ROOT.parent / '{SIB}' / 'data'"]:
        assert OUTSIDE.search(bad), bad
    assert not OUTSIDE.search("from c2l_nb.datasets import dataset_path; shared_genes(a, b)")


def test_fresh_clone_has_its_data(tmp_path):
    """A clone in an empty folder (no sibling data folder) imports its own copy of c2l_nb, loads every shipped dataset
    from inside itself and runs the datasets notebook."""
    _tracked()
    clone = tmp_path / 'c2l_nb'
    subprocess.run(['git', 'clone', '-q', '--no-hardlinks', str(ROOT), str(clone)], check=True, capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['c2l_nb']  # nothing beside the clone
    env = dict(os.environ, PYTHONPATH=str(clone), MPLBACKEND='Agg', PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1')
    code = ("import c2l_nb, c2l_nb.datasets as d, pathlib\n"
            "assert pathlib.Path(c2l_nb.__file__).parent == pathlib.Path.cwd() / 'c2l_nb', c2l_nb.__file__\n"
            "r, v = d.lymph_node_visium(); r2, v2 = d.cerebellum_slideseq()\n"
            "assert d.visium_fixture().is_relative_to(pathlib.Path.cwd())\n"
            "print(r.shape, v.shape, r2.shape, v2.shape)")
    r = subprocess.run([sys.executable, '-c', code], cwd=clone, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert '(330, 10237) (1000, 2000) (475, 384) (100, 378)' in r.stdout
    nbdev_test = Path(sys.executable).parent / 'nbdev_test'
    r = subprocess.run([str(nbdev_test), '--path', 'nbs/02c_datasets.ipynb'], cwd=clone, env=env, capture_output=True,
                       text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
