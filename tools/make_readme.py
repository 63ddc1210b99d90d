"""Write README.md from nbs/index.ipynb (what `nbdev_readme` does, without Quarto).

    python tools/make_readme.py           # write README.md
    python tools/make_readme.py --check   # exit 1 if README.md differs (tests/test_docs.py checks the same)

Markdown cells are copied, code cells become ```python blocks (cells flagged `#| hide` are left out, cell options
are dropped), stored text outputs become plain blocks, and links relative to `nbs/` are rewritten for the
repository root (`tutorials/x.ipynb` -> `nbs/tutorials/x.ipynb`).
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX, README = ROOT / 'nbs' / 'index.ipynb', ROOT / 'README.md'
_LINK = re.compile(r'\]\((?!https?:|mailto:|#|/)([^)\s]+)\)')
_OPT = re.compile(r'^\s*#\|\s*([\w-]+):?\s*(.*?)\s*$')


def render(index: Path = INDEX) -> str:
    "README.md's text from the index notebook."
    nb = json.loads(index.read_text(encoding='utf-8'))
    parts = []
    for c in nb['cells']:
        src = ''.join(c['source']).strip('\n')
        if c['cell_type'] == 'markdown':
            parts.append(_LINK.sub(lambda m: f'](nbs/{m[1]})', src))
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            opts = {}
            while lines and (m := _OPT.match(lines[0])): opts[m[1]] = m[2]; lines.pop(0)
            if 'hide' in opts or opts.get('include') == 'false': continue
            if opts.get('echo') != 'false' and lines: parts.append('```python\n' + '\n'.join(lines) + '\n```')
            for o in c.get('outputs', []):
                text = o.get('text') or o.get('data', {}).get('text/plain')
                if text: parts.append('```\n' + ''.join(text).rstrip('\n') + '\n```')
    return '\n\n'.join(p for p in parts if p.strip()) + '\n'


if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv:
        if not README.exists() or README.read_text(encoding='utf-8') != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run python tools/make_readme.py')
    else: README.write_text(text, encoding='utf-8')
