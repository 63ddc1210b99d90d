"""No import circle in the package: counting imports inside functions too, module A needing B needing ... A fails.

`tests/test_structure.py::test_imports_flow_one_way` checks the module-level imports against the notebook order; an
import inside a function escapes it, and a circle of such imports ties the readers (`io`, `hd`) to the models. Here
every import of a `c2l_nb` module, at any depth, is an edge of the graph, and the graph must have no cycle.
"""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / 'c2l_nb'


def _module_name(p:Path, root:Path) -> str:
    "`c2l_nb/a/b.py` -> 'c2l_nb.a.b'; a package's `__init__.py` is the package itself."
    parts = (root.name,) + p.relative_to(root).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def _lazy_names(tree, pkg:str, modules:set) -> dict:
    "Names a package `__init__` loads on first use (`__getattr__` over a {name: module} table) -> that module."
    out = {}
    for n in tree.body:
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Dict):
            for k, v in zip(n.value.keys, n.value.values):
                if not (isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, str)): continue
                for cand in (f'{pkg}.{v.value}', f'{pkg.split(".")[0]}.{v.value}'):
                    if cand in modules: out[k.value] = cand; break
    return out


def import_graph(root:Path=PKG, skip=('_modidx.py',)) -> dict:
    """{module: {imported module: [line, ...]}} for the package at `root`, from every import statement at any depth.

    `import p.x`, `from p.x import y`, `from .x import y` and `from . import x` (relative imports resolved) are edges to
    the module named, or to the submodule when the imported name is one (`from p import x`). A package is its
    `__init__`: the edges are the imports written there (a package re-exporting its submodules points at them), and
    importing `p.a.b` is not counted as importing `p.a`, which Python only initialises first. A name that a package's
    `__init__` loads lazily from a {name: module} table (`c2l_nb.models`) is an edge to that module. Imports of other
    packages are left out.
    """
    files = {_module_name(p, root): p for p in sorted(root.rglob('*.py')) if p.name not in skip}
    trees = {m: ast.parse(p.read_text(encoding='utf-8')) for m, p in files.items()}
    lazy = {m: _lazy_names(t, m, set(files)) for m, t in trees.items() if files[m].name == '__init__.py'}
    def owner(name):  # the longest module prefix of a dotted name
        while name not in files and '.' in name: name = name.rpartition('.')[0]
        return name if name in files else None
    graph = {m: {} for m in files}
    for m, tree in trees.items():
        here = m if files[m].name == '__init__.py' else m.rpartition('.')[0]  # the package of relative imports
        for n in ast.walk(tree):
            if isinstance(n, ast.Import): targets = [a.name for a in n.names]
            elif isinstance(n, ast.ImportFrom):
                base = '.'.join(here.split('.')[:len(here.split('.')) - n.level + 1]) if n.level else ''
                src = '.'.join(filter(None, [base, n.module]))
                targets = [f'{src}.{a.name}' if f'{src}.{a.name}' in files else lazy.get(src, {}).get(a.name, src)
                           for a in n.names]
            else: continue
            for t in filter(None, map(owner, targets)):
                if t != m: graph[m].setdefault(t, []).append(n.lineno)
    return graph


def strongly_connected(graph:dict) -> list:
    "The strongly connected components with more than one module (Tarjan's algorithm), each sorted."
    index, low, stack, on, out = {}, {}, [], set(), []
    def visit(v):
        index[v] = low[v] = len(index); stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index: visit(v)
    return sorted(out)


def shortest_cycle(graph:dict, comp:list) -> list:
    "A shortest cycle through the first module of a strongly connected component: [a, b, ..., a]."
    start, prev, todo = comp[0], {}, [comp[0]]
    while todo:
        v = todo.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                path = [v]
                while path[-1] != start: path.append(prev[path[-1]])
                return path[::-1] + [start]
            if w in comp and w not in prev: prev[w] = v; todo.append(w)
    return comp


def describe(graph:dict) -> str:
    "Each cycle: its modules, one shortest circle with the line of each import, e.g. 'hd.py:321'."
    msgs = []
    for comp in strongly_connected(graph):
        cyc = shortest_cycle(graph, comp)
        steps = ', '.join(f"{a} imports {b} (line {graph[a][b][0]})" for a, b in zip(cyc, cyc[1:]))
        msgs.append(f"{len(comp)} modules in a cycle: {comp}\n  e.g. {' -> '.join(cyc)}: {steps}")
    return '\n'.join(msgs)


def test_no_import_cycle():
    "No module of c2l_nb imports itself back through other modules, counting imports inside functions."
    graph = import_graph()
    assert len(graph) > 20 and graph['c2l_nb.spatial'], "the graph is empty: did the package move?"
    assert not strongly_connected(graph), "import cycles (move the shared helper down to a lower module):\n" + describe(graph)


def test_cycle_checker_finds_cycles(tmp_path):
    "The checker sees relative, absolute, `from . import` and function-level imports, and names the cycle."
    pkg = tmp_path / 'pkg'
    (pkg / 'sub').mkdir(parents=True)
    files = {'__init__.py': '', 'a.py': 'from .b import f\n',
             'b.py': 'def f():\n    from pkg import c\n    return c\n',
             'c.py': 'import os\nclass C:\n    def g(self):\n        from . import a\n',
             'd.py': 'import pkg.a\n',  # imports the cycle without being in it
             'sub/__init__.py': 'from .x import y\nfrom .. import d\n',  # a package re-exporting its submodule
             'sub/x.py': 'from ..sub import z\ny = 1\n', 'sub/z.py': 'from . import x\n'}
    for f, src in files.items(): (pkg / f).write_text(src)
    graph = import_graph(pkg)
    assert graph['pkg.b'] == {'pkg.c': [2]} and graph['pkg.c'] == {'pkg.a': [4]} and graph['pkg.d'] == {'pkg.a': [1]}
    assert graph['pkg.sub'] == {'pkg.sub.x': [1], 'pkg.d': [2]} and graph['pkg.sub.x'] == {'pkg.sub.z': [1]}
    assert strongly_connected(graph) == [['pkg.a', 'pkg.b', 'pkg.c'], ['pkg.sub.x', 'pkg.sub.z']]
    msg = describe(graph)
    assert 'pkg.a -> pkg.b -> pkg.c -> pkg.a' in msg and 'pkg.c imports pkg.a (line 4)' in msg, msg
    assert 'pkg.sub.x -> pkg.sub.z -> pkg.sub.x' in msg, msg
    (pkg / 'c.py').write_text('import os\n'); (pkg / 'sub/z.py').write_text('')
    assert strongly_connected(import_graph(pkg)) == []  # cycles broken: nothing found
    assert strongly_connected({'a': {'a': [1]}}) == [] and strongly_connected({'a': {'b': [1]}, 'b': {'a': [2]}}) == [['a', 'b']]
