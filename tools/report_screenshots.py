"""Screenshots of the first screen of `c2l_nb report` on the three built-in inputs, for the documentation.

    python tools/report_screenshots.py            # smoke reports of the simulated, lymph node and cerebellum data
    python tools/report_screenshots.py --keep DIR # also keep the reports in DIR

Writes nbs/images/report_<name>.png (1280 x 1000 pixels of the page, shrunk to 960 wide), which the reports page
(nbs/09_report.ipynb) shows. Needs Chromium (`apt-get install chromium`).
"""
import argparse, os, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / 'nbs' / 'images'
RUNS = {'simulated': ['--data', 'simulated'], 'lymph_node': ['--data', 'lymph_node'],
        'cerebellum': ['--data', 'cerebellum']}


def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument('--keep', type=Path, help='folder to keep the reports in')
    args = a.parse_args(argv)
    chrome = next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)
    if chrome is None: sys.exit('Chromium is needed: apt-get install chromium')
    from PIL import Image
    work = Path(args.keep or tempfile.mkdtemp(prefix='c2l_nb_screens_'))
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONWARNINGS='ignore')
    cli = Path(sys.executable).parent / 'c2l_nb'
    OUT.mkdir(parents=True, exist_ok=True)
    for name, extra in RUNS.items():
        rep = work / name
        subprocess.run([str(cli), 'report', *extra, '--smoke', '--no-progress', '--overwrite', '--out', str(rep)],
                       check=True, env=env)
        png = work / f'{name}.png'
        subprocess.run([chrome, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                        f'--user-data-dir={work / "profile"}', f'--screenshot={png}', '--window-size=1280,1000',
                        (rep / 'report.html').resolve().as_uri()], check=True, capture_output=True)
        im = Image.open(png).convert('RGB')
        im = im.resize((960, 750), Image.LANCZOS).quantize(colors=192, method=Image.Quantize.MEDIANCUT)
        im.save(OUT / f'report_{name}.png', optimize=True)  # a palette image: a fifth of the size
        print(f'{OUT / f"report_{name}.png"}')


if __name__ == '__main__':
    main()
