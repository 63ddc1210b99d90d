"""The documentation site and the HTML report: built offline, complete, linked, and rendered by a real browser.

The browser checks use headless Chromium (Debian's `chromium`, installed by .ci/run); they are skipped only when no
Chromium is installed.
"""
import importlib, json, re, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tools'))
import build_docs, make_readme  # noqa: E402
from test_report import smoke_report  # noqa: E402  (one shared smoke run)

CHROME = next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
         '--enable-logging=stderr', '--v=0']
needs_chrome = pytest.mark.skipif(CHROME is None, reason='no Chromium installed (CI installs it: apt-get install chromium)')


# --- README and CI ---------------------------------------------------------------------------------------------

def test_readme_in_sync():
    "README.md is generated from nbs/index.ipynb (python tools/make_readme.py)."
    assert (ROOT / 'README.md').read_text() == make_readme.render(), 'run python tools/make_readme.py'


def _readme_commands() -> list:
    text = (ROOT / 'README.md').read_text()
    block = re.search(r'## Install and test.*?```bash\n(.*?)```', text, re.S)[1]
    return [l for l in block.splitlines() if l.strip()]


def test_ci_runs_the_readme_commands():
    "CI installs and tests with exactly the README's two commands (after installing Chromium)."
    install, test = _readme_commands()
    assert install == "python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e '.[dev]'"
    assert test == '.venv/bin/python -m pytest -v tests'
    lines = [l for l in (ROOT / '.ci' / 'run').read_text().splitlines() if l.strip() and not l.startswith('#')]
    assert lines[-2:] == [install, test]
    assert any('apt-get install -y chromium' in l for l in lines[:-2])


def test_benchmark_page_in_sync():
    "The performance page is generated from the result files under benchmarks/ (python benchmarks/make_page.py)."
    r = subprocess.run([sys.executable, str(ROOT / 'benchmarks' / 'make_page.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize('page', sorted(p.name for p in (ROOT / 'nbs' / 'explanations').glob('*.ipynb')))
def test_explanation_page_length(page):
    "Each explanation page holds at most 20,000 characters of markdown, tables and links included: read in an afternoon."
    nb = json.loads((ROOT / 'nbs' / 'explanations' / page).read_text())
    n = sum(len(''.join(c['source'])) for c in nb['cells'] if c['cell_type'] == 'markdown')
    assert n <= 20_000, f'nbs/explanations/{page}: {n:,} characters of markdown (at most 20,000)'


def test_quick_start_is_short():
    "The README's quick start (the visible code of nbs/index.ipynb) is at most 20 lines."
    nb = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())
    code = [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code' and '#| hide' not in ''.join(c['source'])]
    assert 0 < sum(len([l for l in c.splitlines() if l.strip()]) for c in code) <= 20


# --- the site ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site, with one module notebook executed and the tutorial page taken from the smoke report's run."
    out = tmp_path_factory.mktemp('site')
    problems = build_docs.build(out, execute_='01_filtering',
                                executed={'tutorials/lymph_node': str(smoke_report() / 'report.ipynb')}, quiet=True)
    return out, problems


def _pages():
    return {rel: build_docs.page_name(rel) for _, rel in build_docs.find_pages()}


def _module_of(rel: Path):
    src = ''.join(json.loads((build_docs.NBS / rel).read_text())['cells'][0]['source'])
    m = re.search(r'#\|\s*default_exp\s+(\S+)', src)
    return m and importlib.import_module(f'c2l_nb.{m[1]}')


def test_every_notebook_has_a_page(site):
    out, problems = site
    pages = _pages()
    assert {p.as_posix() for p in pages.values()} >= {'index.html', 'tutorials/lymph_node.html', 'explanations/model.html',
                                                      'data.html', 'spatial.html', 'report.html'}
    for rel, page in pages.items(): assert (out / page).exists(), f'{rel}: no page {page}'
    assert not {k: v for k, v in problems.items() if v}, f'maths that could not be drawn: {problems}'


def test_api_docs_present(site):
    "Every public function and class of every module has its show_doc section (signature and docstring)."
    out, _ = site
    import inspect
    for rel, page in _pages().items():
        mod = _module_of(rel)
        if mod is None: continue
        html = (out / page).read_text()
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or getattr(obj, '__module__', '') != mod.__name__:
                continue
            assert re.search(rf'<h[234][^>]*id="{re.escape(name.lower())}"', html), f'{page}: no API section for {name}'
            doc = (inspect.getdoc(obj) or '').splitlines()[0][:40]
            if doc: assert _text(doc) in _text(html), f'{page}: the docstring of {name} is missing'


def _text(s: str) -> str:
    import html as h
    return re.sub(r'\s+', ' ', h.unescape(re.sub(r'<[^>]+>', '', s))).replace('`', '')


def test_links_resolve(site):
    "Every link from one page to another points at an existing page (and, for API links, an existing section)."
    out, _ = site
    bad = []
    for page in out.rglob('*.html'):
        html = page.read_text()
        for href in re.findall(r'href="([^"]+)"', html):
            if re.match(r'(https?:|mailto:|data:)', href): continue
            path, _, frag = href.partition('#')
            target = (page.parent / path).resolve() if path else page
            if not target.exists(): bad.append(f'{page.relative_to(out)} -> {href}'); continue
            if frag and not frag.startswith('_') and target.suffix == '.html' and \
                    f'id="{frag}"' not in target.read_text():
                bad.append(f'{page.relative_to(out)} -> {href} (no such section)')
    assert not bad, '\n'.join(bad)
    index = (out / 'index.html').read_text()
    for page in ('tutorials/lymph_node.html', 'explanations/model.html', 'spatial.html'): assert f'href="{page}"' in index


def test_pages_offline_and_figures(site):
    "Pages load nothing from the network; executed pages embed their figures; maths is drawn."
    out, _ = site
    for page in out.rglob('*.html'):
        html = page.read_text()
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', html), f'{page}: loads from the network'
    assert (out / 'tutorials' / 'lymph_node.html').read_text().count('data:image/png;base64,') >= 8
    assert 'data:image/png;base64,' in (out / 'filtering.html').read_text()
    assert (out / 'explanations' / 'model.html').read_text().count('data:image/svg+xml;base64,') >= 10


# --- in the browser --------------------------------------------------------------------------------------------

def chrome(url: str, tmp: Path, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([CHROME, *FLAGS, f'--user-data-dir={tmp / "chrome-profile"}', *extra, url],
                          capture_output=True, text=True, timeout=120)


def browse(path: Path, tmp: Path) -> str:
    "The DOM of `path` as Chromium renders it; fails on any console message (errors, failed scripts)."
    r = chrome(path.resolve().as_uri(), tmp, '--dump-dom')
    assert r.returncode == 0, r.stderr[-2000:]
    console = [l for l in r.stderr.splitlines() if ':CONSOLE' in l]
    assert not console, f'{path}: console messages: {console}'
    return r.stdout


def screenshot(path: Path, tmp: Path, png: Path, size='1280,2000'):
    "Render `path` to `png`; fails if the image is blank."
    from PIL import Image
    r = chrome(path.resolve().as_uri(), tmp, f'--screenshot={png}', f'--window-size={size}')
    assert png.exists(), r.stderr[-2000:]
    colours = Image.open(png).convert('RGB').getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 50, f'{png}: looks blank'


@needs_chrome
def test_site_in_browser(site, tmp_path):
    "Chromium renders every page with its sidebar and content, and no console errors."
    out, _ = site
    n_pages = len(_pages())
    for page in _pages().values():
        dom = browse(out / page, tmp_path)
        assert '<nav class="c2l-nav">' in dom and '<h1' in dom, f'{page}: no sidebar or title'
        nav = re.search(r'<nav class="c2l-nav">(.*?)</nav>', dom, re.S)[1]
        assert nav.count('<li><a') == n_pages - 1, f'{page}: the sidebar does not list every page'
    dom = browse(out / 'spatial.html', tmp_path)
    assert 'id="cell2location"' in dom and 'def Cell2location' in _text(dom)  # show_doc rendered
    for page in ('index.html', 'spatial.html', 'tutorials/lymph_node.html', 'explanations/model.html'):
        screenshot(out / page, tmp_path, tmp_path / (page.replace('/', '_') + '.png'))


@needs_chrome
def test_report_in_browser(tmp_path):
    "The smoke report opens in Chromium with its figures decoded (images with data and a size)."
    report = smoke_report() / 'report.html'
    dom = browse(report, tmp_path)
    imgs = re.findall(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{200,}', dom)
    assert len(imgs) >= 8, f'only {len(imgs)} figures in the report'
    assert 'all checks passed' in dom
    screenshot(report, tmp_path, tmp_path / 'report.png', size='1280,6000')
