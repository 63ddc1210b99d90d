"""Build the documentation site as static HTML, offline and without Quarto.

    python tools/build_docs.py                       # all pages, executing every notebook (as nbdev_test does)
    python tools/build_docs.py --execute none        # fast: show_doc sections and stored outputs only
    python tools/build_docs.py --execute 01_filtering --executed tutorials/lymph_node=results/report/report.ipynb
    python tools/build_docs.py --quarto-sidebar      # also rewrite nbs/sidebar.yml for users with Quarto

Each notebook goes through the same steps as nbdev's Quarto pipeline, with nbconvert in Quarto's place:
1. optionally executed top to bottom (execnb, in `nbs/`, `IN_TEST=1`, cells flagged notest/slow/gpu skipped, each
   notebook in its own process); tutorials (folders with a `.notest` file) run with papermill in smoke mode instead;
   or replaced by an executed copy (e.g. the tutorial as run by `c2l_nb report`);
2. processed by nbdev's notebook processors (`nbdev.processors.FilterDefaults`, what `nbdev_proc_nbs` applies):
   front matter, a `show_doc` section for every exported symbol, hidden and exported cells removed, doc links;
   the processed notebooks are kept in `_proc/`;
3. rendered by `c2l_nb._html.notebook_html` (maths as SVG, figures embedded, nothing loaded from the network),
   with a sidebar linking every page, into `_site/` under nbdev's page names (`00_data.ipynb` -> `data.html`).
"""
import argparse, json, os, re, shutil, subprocess, sys, time, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
SKIP_FLAGS = {'notest', 'slow', 'gpu'}
SECTIONS = [('Get started', ['index.ipynb']), ('Tutorials', ['tutorials/*.ipynb']), ('How-to guides', ['howto/*.ipynb']),
            ('Explanations', ['explanations/*.ipynb']), ('API reference', ['[0-9]*.ipynb'])]


def page_name(rel: Path) -> Path:
    "nbdev's (and Quarto's) page for a notebook: numeric prefix dropped, lower case, `.html`."
    return rel.with_name(re.sub(r'^\d+[a-zA-Z0-9]*_', '', rel.name.lower())).with_suffix('.html')


def find_pages() -> list:
    "[(section, notebook path relative to nbs/)] in sidebar order; files starting with '_' or '.' are left out."
    out = []
    for sec, globs in SECTIONS:
        for g in globs:
            for p in sorted(NBS.glob(g)):
                rel = p.relative_to(NBS)
                if not any(part.startswith(('_', '.')) for part in rel.parts): out.append((sec, rel))
    return out


def _title(nb_json: dict, rel: Path) -> str:
    for c in nb_json['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown' and (m := re.search(r'^#\s+(.+?)\s*$', src, re.M)): return m[1]
    return rel.stem


def _execute_here(src: Path, dest: Path):
    "Run notebook `src` (execnb) like nbdev_test does and write it with its outputs to `dest`."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.process import NBProcessor
    def skip(cell):
        if cell.cell_type != 'code': return True
        d = getattr(cell, 'directives_', {}) or {}
        return bool(SKIP_FLAGS & d.keys()) or d.get('eval:', [''])[0].lower() == 'false'
    os.environ['IN_TEST'] = '1'
    nb = NBProcessor(src, process=True, rm_directives=False).nb  # parses the cell options, keeps them in the source
    k = CaptureShell(src)
    with working_directory(src.parent): k.run_all(nb, exc_stop=True, preproc=skip)
    write_nb(nb, dest)


def execute(src: Path, dest: Path):
    "Execute `src` into `dest` in a fresh Python process (notebooks must not share warnings or global state)."
    r = subprocess.run([sys.executable, __file__, '--execute-one', str(src), str(dest)], capture_output=True, text=True,
                       env=dict(os.environ, MPLBACKEND='Agg'))
    if r.returncode: raise RuntimeError(f"executing {src} failed:\n{r.stderr[-4000:]}")


def run_tutorial(rel: Path, proc_dir: Path) -> Path:
    "Execute a tutorial with papermill in smoke mode (as its tests do); the executed notebook's path."
    import papermill as pm
    dest = proc_dir / rel.with_suffix('.executed.ipynb')
    work = proc_dir / 'tutorial_runs' / rel.stem
    work.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(str(NBS / rel), str(dest), kernel_name='python3', cwd=str(work), progress_bar=False,
                        parameters=dict(smoke=True, results_folder=str(work / 'results')))
    return dest


def _procs():
    "nbdev's processors, with a `show_doc` executor that runs only the import statements of mixed cells."
    import ast
    from nbdev import processors as P

    class exec_show_docs(P.exec_show_docs):
        # nbdev runs every cell that contains an import, which fails when such a cell also uses names defined in
        # cells it does not run (nbdev's FAQ: keep imports in cells of their own). Run their imports only.
        def __call__(self, cell):
            if not self.nb.has_docs_ or not hasattr(self, 'k') or not P._do_eval(cell): return
            trees = cell.parsed_()
            if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'} or P._show_docs(trees):
                self.k.cell(cell)
            else:
                imps = [ast.unparse(t) for t in trees if isinstance(t, (ast.Import, ast.ImportFrom))]
                self.k.run('\n'.join(imps))
            if self.k.exc: raise Exception(f"Error in cell {cell.idx_}:\n{cell.source}") from self.k.exc

    class Procs(P.FilterDefaults):
        def base_procs(self): return [exec_show_docs if p is P.exec_show_docs else p for p in super().base_procs()]
    return Procs()


def process(rel: Path, src: Path, run: bool, proc_dir: Path) -> Path:
    "Execute (optionally) and apply nbdev's processors; the processed notebook's path in `_proc/`."
    from execnb.nbio import read_nb, write_nb
    if run:
        dest = proc_dir / rel.with_suffix('.executed.ipynb')
        dest.parent.mkdir(parents=True, exist_ok=True)
        execute(src, dest); src = dest
    nb = read_nb(src)
    nb.path_ = str(NBS / rel)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        cwd = os.getcwd(); os.chdir(ROOT)  # nbdev reads settings.ini from here
        try: _procs()(nb)
        finally: os.chdir(cwd)
    dest = proc_dir / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_nb(nb, dest)
    return dest


def nav_html(pages: list, current: Path) -> str:
    "The sidebar for page `current`: links relative to it, the current page marked."
    up = '../' * (len(current.parts) - 1)
    parts = [f'<nav class="c2l-nav"><a class="c2l-brand" href="{up}index.html">c2l_nb</a>']
    for sec in dict.fromkeys(s for s, *_ in pages):
        if sec == 'Get started': continue
        parts.append(f'<h4>{sec}</h4><ul>')
        for s, page, title in pages:
            if s != sec: continue
            cls = ' class="active"' if page == current else ''
            parts.append(f'<li><a{cls} href="{up}{page.as_posix()}">{title}</a></li>')
        parts.append('</ul>')
    return '\n'.join(parts + ['</nav>'])


def fix_links(page: str, current: Path, doc_url: str, known: dict) -> str:
    "Point links at this site: the configured docs URL and `.ipynb` links become relative links to pages."
    up = '../' * (len(current.parts) - 1)
    page = page.replace(doc_url.rstrip('/') + '/', up)
    def ipynb(m):
        href = m[1]
        if '://' in href: return m[0]
        target = (current.parent / href.split('#')[0]).as_posix()
        target = os.path.normpath(target).replace(os.sep, '/')
        nbrel = next((p for p in known if p.as_posix() == target), None)
        if nbrel is None: return m[0]
        frag = '#' + href.split('#', 1)[1] if '#' in href else ''
        return f'href="{os.path.relpath(known[nbrel].as_posix(), current.parent.as_posix())}{frag}"'
    page = re.sub(r'href="([^"]+\.ipynb(?:#[^"]*)?)"', ipynb, page)
    # nbdev's anchors are lower case (`filter_genes`, `modelbase.train`); make heading ids and fragments match
    page = re.sub(r'(<h[1-6][^>]*\bid=")([^"]+)(")', lambda m: m[1] + m[2].lower() + m[3], page)
    page = re.sub(r'(href="[^"#]*#)([^"]+)(")', lambda m: m[1] + m[2].lower() + m[3], page)
    return page


def inline_images(page: str, folder: Path) -> str:
    "Embed the images that markdown refers to by a relative path (a benchmark's plot) as data URIs: pages stay self-contained."
    import base64, mimetypes
    def embed(m):
        if re.match(r'(data:|[a-z]+://)', m[2]): return m[0]
        f = (folder / m[2]).resolve()
        if not f.is_file(): return m[0]
        mime = mimetypes.guess_type(f.name)[0] or 'application/octet-stream'
        return f"{m[1]}data:{mime};base64,{base64.b64encode(f.read_bytes()).decode()}{m[3]}"
    return re.sub(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', embed, page)


def quarto_sidebar(pages: list) -> str:
    "nbs/sidebar.yml for Quarto users: the same structure as the HTML sidebar."
    lines = ['website:', '  sidebar:', '    contents:', '      - index.ipynb']
    for sec in dict.fromkeys(s for s, *_ in pages):
        if sec == 'Get started': continue
        lines += [f'      - section: {sec}', '        contents:']
        lines += [f'          - {rel.as_posix()}' for s, rel, _ in pages if s == sec]
    return '\n'.join(lines) + '\n'


def build(out: Path = ROOT / '_site', execute_: str = 'all', executed: dict | None = None, quiet: bool = False) -> dict:
    "Build the site into `out`; returns {page: problems} (formulas that could not be drawn)."
    sys.path.insert(0, str(ROOT))
    from c2l_nb._html import notebook_html
    from nbdev.config import get_config
    cfg = get_config(path=ROOT)
    doc_url = cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/')
    executed = {Path(k if k.endswith('.ipynb') else k + '.ipynb'): Path(v) for k, v in (executed or {}).items()}
    found = find_pages()
    known = {rel: page_name(rel) for _, rel in found}
    for rel in executed:
        if rel not in known: raise SystemExit(f"--executed names {rel}, which is not a page: {sorted(map(str, known))}")
    pages = [(sec, known[rel], _title(json.loads((NBS / rel).read_text()), rel)) for sec, rel in found]
    want = set() if execute_ == 'none' else set(known) if execute_ == 'all' else \
        {rel for rel in known if rel.stem in execute_.split(',') or rel.as_posix() in execute_.split(',')}
    if out.exists(): shutil.rmtree(out)
    proc_dir = ROOT / '_proc'
    report = {}
    for sec, rel in found:
        t0 = time.time()
        src = executed.get(rel, NBS / rel)
        papermill = rel in want and rel not in executed and (NBS / rel.parent / '.notest').exists()
        if papermill: src = run_tutorial(rel, proc_dir)  # a tutorial: papermill, smoke settings
        run = rel in want and rel not in executed and not papermill
        proc = process(rel, src, run, proc_dir)
        problems = []
        html = notebook_html(proc, nav=nav_html(pages, known[rel]), problems=problems)
        html = inline_images(fix_links(html, known[rel], doc_url, known), (NBS / rel).parent)
        dest = out / known[rel]
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(html, encoding='utf-8')
        report[known[rel].as_posix()] = problems
        if not quiet:
            print(f"{rel} -> {dest.relative_to(out)} ({'executed, ' if run or papermill or rel in executed else ''}"
                  f"{time.time() - t0:.1f} s){'; maths not drawn: ' + str(problems) if problems else ''}")
    (out / '.nojekyll').touch()
    return report


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['--execute-one']: return _execute_here(Path(argv[1]), Path(argv[2]))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=str(ROOT / '_site'), help='output folder (default: _site)')
    p.add_argument('--execute', default='all',
                   help="'all' (default), 'none', or comma-separated notebook names (e.g. 01b_filtering,02b_plotting)")
    p.add_argument('--executed', nargs='*', default=[], metavar='PAGE=NOTEBOOK',
                   help='use an already executed notebook for a page, e.g. tutorials/lymph_node=out/report.ipynb')
    p.add_argument('--quarto-sidebar', action='store_true', help='also write nbs/sidebar.yml')
    a = p.parse_args(argv)
    executed = dict(x.split('=', 1) for x in a.executed)
    report = build(Path(a.out), a.execute, executed)
    if a.quarto_sidebar:
        found = find_pages()
        (NBS / 'sidebar.yml').write_text(quarto_sidebar([(s, rel, '') for s, rel in found]))
    bad = {k: v for k, v in report.items() if v}
    print(f"{len(report)} pages in {a.out}" + (f"; maths not drawn on {list(bad)}" if bad else ''))


if __name__ == '__main__':
    main()
