"""Default test tier: every notebook under nbs/ runs (nbdev_test), and the exported library is in sync."""
import filecmp, os, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(cmd, cwd, **kw):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-6000:]}\n{r.stderr[-6000:]}"
    return r


def test_export_in_sync(tmp_path):
    "Exporting the notebooks again reproduces `c2l_nb/` exactly: notebooks and library are committed in sync."
    for f in ("settings.ini", "setup.py"): shutil.copy(ROOT / f, tmp_path / f)
    shutil.copytree(ROOT / "nbs", tmp_path / "nbs", ignore=shutil.ignore_patterns("_proc", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "c2l_nb", tmp_path / "c2l_nb", ignore=shutil.ignore_patterns("__pycache__"))
    _run([BIN / "nbdev_export"], cwd=tmp_path)
    new, old = tmp_path / "c2l_nb", ROOT / "c2l_nb"
    cmp = filecmp.dircmp(old, new, ignore=["__pycache__"])
    def diffs(c):
        out = [f"{c.left}/{f}" for f in c.diff_files + c.left_only + c.right_only]
        for sub in c.subdirs.values(): out += diffs(sub)
        return out
    assert diffs(cmp) == [], f"run nbdev_export and commit: these differ from the notebooks: {diffs(cmp)}"


def test_nbdev_test():
    "Every notebook runs top to bottom (default tier: cells flagged slow/gpu/notest are skipped)."
    # one BLAS/torch thread per notebook worker: two workers with two threads each oversubscribe two cores badly
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    n = os.environ.get("C2L_NB_TEST_WORKERS", "2")
    _run([BIN / "nbdev_test", "--n_workers", n, "--timing"], cwd=ROOT, env=env)
