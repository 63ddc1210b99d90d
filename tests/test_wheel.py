"""The package as users get it: a wheel installed into a fresh virtual environment runs `c2l_nb report --smoke`.

This catches what an editable install hides: the tutorial notebook must ship as package data, the console script
must be declared, and nothing may depend on the repository being next to the code.
"""
import os, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd, **kw):
    t0 = time.time()
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-4000:]}\n{r.stderr[-6000:]}"
    return r, time.time() - t0


def test_wheel_in_fresh_venv(tmp_path):
    # build from a copy holding only what the package is made of, so the working tree is left untouched
    src = tmp_path / 'src'
    shutil.copytree(ROOT / 'c2l_nb', src / 'c2l_nb', ignore=shutil.ignore_patterns('__pycache__'))
    for f in ('setup.py', 'settings.ini', 'README.md', 'constraints.txt'): shutil.copy(ROOT / f, src / f)
    _, t_build = _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w',
                       tmp_path / 'dist', src], cwd=src)
    wheel, = (tmp_path / 'dist').glob('c2l_nb-*.whl')
    import zipfile
    names = zipfile.ZipFile(wheel).namelist()
    assert 'c2l_nb/tutorials/lymph_node.ipynb' in names, 'the tutorial notebook is not in the wheel'
    assert any(n.endswith('entry_points.txt') for n in names)

    venv = tmp_path / 'venv'
    _run([shutil.which('python3') or sys.executable, '-m', 'venv', venv])
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK='1')
    env.pop('PYTHONPATH', None)
    _, t_install = _run([venv / 'bin' / 'pip', 'install', '-q', '-c', ROOT / 'constraints.txt', wheel], env=env)

    work = tmp_path / 'work'; work.mkdir()  # away from the repository: the installed copy must be the one used
    r, _ = _run([venv / 'bin' / 'python', '-c', 'import c2l_nb, torch; print(c2l_nb.__file__, torch.__version__)'],
                cwd=work, env=env)
    assert str(venv) in r.stdout and '+cpu' in r.stdout, r.stdout
    env.update(MPLBACKEND='Agg', OMP_NUM_THREADS='1')
    _, t_report = _run([venv / 'bin' / 'c2l_nb', 'report', '--smoke', '--no-progress', '--out', work / 'report'],
                       cwd=work, env=env)
    for f in ('report.ipynb', 'report.html', 'cell2location_map/sp.h5ad', 'reference_signatures/sc.h5ad'):
        assert (work / 'report' / f).stat().st_size > 0, f
    assert 'data:image/png;base64,' in (work / 'report' / 'report.html').read_text()
    print(f"wheel build {t_build:.0f} s, install {t_install:.0f} s, smoke report {t_report:.0f} s")
