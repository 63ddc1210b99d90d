"""The shape of the exported package: small modules and functions, methods defined the nbdev way, no dead imports.

These are the limits CONTRIBUTING.md states; each test names what breaks them, so a change that grows a module or a
function past them, or attaches a method by assignment, fails here rather than in review.
"""
import ast, shutil, subprocess
from pathlib import Path
import pytest

PKG = Path(__file__).resolve().parents[1] / 'c2l_nb'
MODULES = [p for p in sorted(PKG.rglob('*.py')) if p.name != '_modidx.py']
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 500, 60


def _tree(p): return ast.parse(p.read_text(encoding='utf-8'))


def test_module_sizes():
    big = {p.relative_to(PKG).as_posix(): n for p in MODULES if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not big, f"modules over {MAX_MODULE_LINES} lines (split them by concern): {big}"


def _long_functions(tree) -> list:
    return [f"{n.name} ({n.end_lineno - n.lineno + 1} lines)" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]


def _attached(tree, classes:set) -> list:
    "Line numbers of module-level `Class.name = ...` for a class in `classes`."
    return [n.lineno for n in tree.body if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in classes for t in n.targets)]


def test_function_sizes():
    long = [f"{p.relative_to(PKG).as_posix()}:{f}" for p in MODULES for f in _long_functions(_tree(p))]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_no_method_attached_by_assignment():
    "`Class.name = f` at module level hides the method from the docs index; use `@patch` in its own cell."
    classes = {n.name for p in MODULES for n in ast.walk(_tree(p)) if isinstance(n, ast.ClassDef)}
    found = [f"{p.relative_to(PKG).as_posix()}:{i}" for p in MODULES for i in _attached(_tree(p), classes)]
    assert not found, f"methods attached by assignment: {found}"


def test_structure_checks_catch_violations():
    "The checks find what they look for, and only that: an over-long function, a method attached by assignment."
    bad = ast.parse("class A: pass\ndef f():\n" + "    x = 1\n" * 61 + "A.g = f\n")
    good = ast.parse("class A: pass\ndef f():\n" + "    x = 1\n" * 58 + "a = A()\na.g = f\n")
    assert _long_functions(bad) == ['f (62 lines)'] and _attached(bad, {'A'}) == [64]
    assert _long_functions(good) == [] and _attached(good, {'A'}) == []


@pytest.mark.skipif(shutil.which('ruff') is None and not (Path(__file__).parents[1] / '.venv/bin/ruff').exists(),
                    reason="ruff is not installed (it is in the dev extra: pip install -e '.[dev]')")
def test_no_unused_imports():
    ruff = shutil.which('ruff') or str(Path(__file__).parents[1] / '.venv/bin/ruff')
    r = subprocess.run([ruff, 'check', '--no-cache', '--select', 'F401,F811,F821', '--output-format', 'concise',
                        '--exclude', 'c2l_nb/_modidx.py', '--exclude', 'c2l_nb/tutorials', str(PKG)],
                       capture_output=True, text=True, cwd=PKG.parent)
    assert r.returncode == 0, f"unused or undefined names in the package:\n{r.stdout}{r.stderr}"


def _module_order() -> dict:
    "Module name -> rank, from the notebooks' file names (the order of CONTRIBUTING.md's module table)."
    import json
    nbs = sorted((PKG.parent / 'nbs').glob('[0-9]*.ipynb'))
    order = {}
    for i, nb in enumerate(nbs):
        first = next(c for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
        order[''.join(first['source']).split('default_exp')[1].strip()] = i
    return order


def test_imports_flow_one_way():
    "At module level a module imports only from modules of earlier notebooks: no return trips (shims excluded)."
    order, back = _module_order(), []
    for p in MODULES:
        mod = '.'.join(p.relative_to(PKG).with_suffix('').parts)
        if mod not in order: continue
        for n in _tree(p).body:
            if isinstance(n, ast.ImportFrom) and n.level:
                target = '.'.join(mod.split('.')[:-n.level] + ([n.module] if n.module else []))
                if target in order and order[target] > order[mod]: back.append(f"{mod} imports {target}")
    assert len(order) > 15 and not back, f"imports against the notebook order: {back}"
