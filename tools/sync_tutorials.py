"""Copy the tutorial notebooks from nbs/tutorials/ into the package (c2l_nb/tutorials/), which ships them.

    python tools/sync_tutorials.py           # copy
    python tools/sync_tutorials.py --check   # exit 1 if the copies differ (tests/test_report.py checks the same)
"""
import shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC, DST = ROOT / 'nbs' / 'tutorials', ROOT / 'c2l_nb' / 'tutorials'


def differences() -> list:
    "Tutorial notebooks whose packaged copy is missing, stale or has no source any more."
    src = {p.name: p for p in SRC.glob('*.ipynb')}
    dst = {p.name: p for p in DST.glob('*.ipynb')}
    return sorted([n for n in src if n not in dst or dst[n].read_bytes() != src[n].read_bytes()]
                  + [n for n in dst if n not in src])


def sync():
    DST.mkdir(exist_ok=True)
    for p in DST.glob('*.ipynb'):
        if not (SRC / p.name).exists(): p.unlink()
    for p in SRC.glob('*.ipynb'): shutil.copyfile(p, DST / p.name)


if __name__ == '__main__':
    if '--check' in sys.argv:
        d = differences()
        if d: sys.exit(f"c2l_nb/tutorials/ is out of sync with nbs/tutorials/ for {d}: run python tools/sync_tutorials.py")
    else: sync()
