"""The package as users get it: a wheel installed into a fresh virtual environment loads the shipped datasets and
runs `c2l_nb report --data lymph_node --smoke` from an empty folder.

This catches what an editable install hides: the tutorial notebook and the datasets must ship as package data (in the
wheel and in the source distribution), the console script must be declared, and nothing may depend on the repository
being next to the code.
"""
import os, shutil, subprocess, sys, tarfile, time, zipfile
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
    for f in ('setup.py', 'settings.ini', 'README.md', 'constraints.txt', 'MANIFEST.in'): shutil.copy(ROOT / f, src / f)
    data = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / 'c2l_nb' / 'example_data').rglob('*') if p.is_file())
    assert len(data) >= 20 and any(p.endswith('COPYING') for p in data), data
    _, t_build = _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w',
                       tmp_path / 'dist', src], cwd=src)
    wheel, = (tmp_path / 'dist').glob('c2l_nb-*.whl')
    names = zipfile.ZipFile(wheel).namelist()
    assert 'c2l_nb/tutorials/lymph_node.ipynb' in names, 'the tutorial notebook is not in the wheel'
    assert any(n.endswith('entry_points.txt') for n in names)
    assert not set(data) - set(names), f"dataset files missing from the wheel: {sorted(set(data) - set(names))[:5]}"
    _run([sys.executable, 'setup.py', '-q', 'sdist', '-d', tmp_path / 'sdist'], cwd=src)
    sdist, = (tmp_path / 'sdist').glob('c2l_nb-*.tar.gz')
    in_sdist = {n.split('/', 1)[1] for n in tarfile.open(sdist).getnames() if '/' in n}
    missing = (set(data) | {'settings.ini', 'setup.py', 'c2l_nb/tutorials/lymph_node.ipynb'}) - in_sdist
    assert not missing, f"missing from the source distribution: {sorted(missing)[:5]}"

    venv = tmp_path / 'venv'
    _run([shutil.which('python3') or sys.executable, '-m', 'venv', venv])
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK='1')
    env.pop('PYTHONPATH', None)
    _, t_install = _run([venv / 'bin' / 'pip', 'install', '-q', '-c', ROOT / 'constraints.txt', wheel], env=env)

    work = tmp_path / 'work'; work.mkdir()  # away from the repository: the installed copy must be the one used
    r, _ = _run([venv / 'bin' / 'python', '-c', 'import c2l_nb, torch; print(c2l_nb.__file__, torch.__version__)'],
                cwd=work, env=env)
    assert str(venv) in r.stdout and '+cpu' in r.stdout, r.stdout
    code = ("from c2l_nb import datasets as d; r, v = d.lymph_node_visium(); r2, v2 = d.cerebellum_slideseq(); "
            "print(r.shape, v.shape, r2.shape, v2.shape, d.visium_fixture())")
    r, _ = _run([venv / 'bin' / 'python', '-c', code], cwd=work, env=env)
    assert '(330, 10237) (1000, 2000) (475, 384) (100, 378)' in r.stdout and str(venv) in r.stdout, r.stdout
    env.update(MPLBACKEND='Agg', OMP_NUM_THREADS='1')
    _, t_report = _run([venv / 'bin' / 'c2l_nb', 'report', '--data', 'lymph_node', '--smoke', '--no-progress', '--out',
                        work / 'report'], cwd=work, env=env)
    for f in ('report.ipynb', 'report.html', 'cell2location_map/sp.h5ad', 'reference_signatures/sc.h5ad'):
        assert (work / 'report' / f).stat().st_size > 0, f
    assert 'data:image/png;base64,' in (work / 'report' / 'report.html').read_text()
    assert '11 cell types' in (work / 'report' / 'report.ipynb').read_text()  # the real pair, not the simulated one
    print(f"wheel build {t_build:.0f} s, install {t_install:.0f} s, smoke report {t_report:.0f} s")
