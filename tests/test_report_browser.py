"""The HTML report as its reader sees it, in headless Chromium, for the three kinds of input the tests run: the
simulated Visium-like section, the real lymph node pair (Visium) and the real cerebellum pair (Slide-seq beads given
as .h5ad files).

A report leads with its data: a title naming the inputs, then a summary of the run above the first figure; no code
unless asked for; the training log and warnings shown as ordinary output, not as errors; the maps on the page.
"""
import re
from pathlib import Path
import pytest

from test_docs import browse, needs_chrome, screenshot
from test_report import smoke_report
from test_platforms import slideseq_report

REPORTS = {  # name -> (report folder, words the title must hold, words of the platform's note)
    'simulated': (lambda: smoke_report(), ['simulated', 'section'], 'A Visium spot is 55'),
    'lymph_node': (lambda: smoke_report('lymph_node'), ['lymph node', 'Visium', 'reference'], 'A Visium spot is 55'),
    'slideseq': (lambda: slideseq_report(), ['vis.h5ad', 'ref.h5ad'], 'A Slide-seq bead is 10'),
}


def check_report_dom(dom: str, title_words: list, note: str):
    "The reader's checks on a report's DOM; an AssertionError says which one failed."
    h1 = re.search(r'<h1[^>]*>(.*?)</h1>', dom, re.S)
    assert h1, 'no title'
    title = re.sub(r'<[^>]+>', '', h1[1])
    assert all(w in title for w in title_words), f'the title does not name the inputs: {title!r}'
    first_img = dom.find('<img')
    summary = dom.find('Spatial data</strong>')
    assert 0 < summary < first_img, 'the summary is not above the first figure'
    assert dom.find(note) < first_img and note in dom, 'the platform note is missing or below the figures'
    assert not re.search(r'class="[^"]*hl-ipython3', dom), 'code is visible'
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in dom, 'a block is styled as standard error'
    assert dom.find('Cell-type maps') < dom.find('Quality control') < dom.find('Details of the run')
    imgs = re.findall(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{200,}', dom)
    assert len(imgs) >= 8, f'only {len(imgs)} figures'


def test_checks_catch_a_tutorial_page():
    "The checks fail on the tutorial as executed (code shown, stderr styled, tutorial title first)."
    import nbformat
    from c2l_nb._html import notebook_html
    nb = nbformat.read(str(smoke_report() / 'report.ipynb'), as_version=4)
    with pytest.raises(AssertionError, match='the title does not name the inputs'):
        check_report_dom(notebook_html(nb), ['simulated', 'section'], 'A Visium spot is 55')


@needs_chrome
@pytest.mark.parametrize('name', list(REPORTS))
def test_report_reads_as_a_report(name, tmp_path):
    folder, words, note = REPORTS[name]
    out = folder()
    dom = browse(out / 'report.html', tmp_path)
    check_report_dom(dom, words, note)
    figs = sorted(p.name for p in (out / 'figures').iterdir())
    assert len(figs) >= 16 and figs[0] == '01_maps.pdf' and figs[1] == '01_maps.png', figs[:4]
    screenshot(out / 'report.html', tmp_path, tmp_path / f'{name}.png', size='1280,900')


@needs_chrome
def test_show_code(tmp_path):
    "With show_code the same run's report shows its code."
    import nbformat
    from c2l_nb._html import write_html
    from c2l_nb.report import report_notebook
    nb = nbformat.read(str(smoke_report() / 'report.ipynb'), as_version=4)
    page = write_html(report_notebook(nb, show_code=True), tmp_path / 'with_code.html')
    assert re.search(r'class="[^"]*hl-ipython3', browse(page, tmp_path))
