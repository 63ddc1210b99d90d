"""Write the documentation page `nbs/explanations/performance.ipynb` and its plots from the benchmark results.

    python benchmarks/make_page.py          # redraw the plots (PNG next to the results) and rewrite the page
    python benchmarks/make_page.py --check  # exit 1 if the page is out of date or a plot is missing (the tests)

The page shows c2l_nb's current defaults against cell2location on each regime (the accuracy suite, Visium HD bins,
the reference regression, the real lymph-node pair), as plots and a few short tables; every number on it is read
from a result file under `benchmarks/*/results/` and links to it. Earlier runs stay in those files (the page links
them) but are not shown. Libraries other than c2l_nb and cell2location that appear in a result file (`lib` in the
suite's `suite_runs.csv`, `library` in `hd_peer.jsonl`) are drawn beside them. The benchmark scripts call `main([])`
at the end of every run. The page text needs the standard library only; the plots need matplotlib.
"""
from __future__ import annotations

import argparse
import configparser
import csv
import json
import os
import re
import statistics
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PAGE = os.path.join(ROOT, 'nbs', 'explanations', 'performance.ipynb')
SUITE, HD, REF, REAL = (os.path.join(HERE, d, 'results') for d in ('accuracy_suite', 'hd_scale', 'reference', 'real_data'))
DEFAULTS = 'compiled'  # the accuracy suite's run of the current defaults (benchmarks/accuracy_suite/README.md)
PEER = 'cell2location 0.1.5'
REGIMES = {  # what makes each regime of benchmarks/accuracy_suite/accuracy_suite.py hard (its settings: REGIMES there)
    'subtypes': 'every type split into two near-identical sibling subtypes',
    'loose_subtypes': 'as `subtypes`, the siblings further apart',
    'mixed': 'sibling pairs among distinct types',
    'few_cells': 'the fewest cells per spot',
    'mid_cells': 'just below the threshold where totals come from N_s',
    'many_cells': 'many cells and many types in every spot',
    'tech': 'gene sensitivity spread wider',
    'sections': 'sections of different sequencing depth',
    'crowded': 'distinct types, about 17 of 20 in every spot; no default was chosen on it',
}
sys.path.insert(0, os.path.join(HERE, 'accuracy_suite'))
import accuracy_suite as _suite  # noqa: E402  (the regimes' settings; standard library at import)


# --- reading the result files ----------------------------------------------------------------------------------

def rel(path: str) -> str: return os.path.relpath(path, ROOT).replace(os.sep, '/')


def url(path: str) -> str:
    "The result file's address in the repository (links that work on the site, on GitHub and in Jupyter)."
    cfg = configparser.ConfigParser(); cfg.read(os.path.join(ROOT, 'settings.ini'))
    d = cfg['DEFAULT']
    return f"{d['git_url'].rstrip('/')}/blob/{d.get('branch', 'main')}/{rel(path)}"


def rows_csv(path: str) -> list: return list(csv.DictReader(open(path)))


def rows_jsonl(path: str) -> list: return [json.loads(l) for l in open(path) if l.strip()]


def num(v): return float(v) if v not in ('', None, 'nan') else float('nan')


def mean(xs): return statistics.fmean(xs)


def suite() -> dict:
    "Per regime: c2l_nb's defaults and cell2location's checkpoints, means over the seeds both ran, with paired times."
    runs = rows_csv(os.path.join(SUITE, 'suite_runs.csv'))
    timing = defaultdict(list)
    for t in rows_csv(os.path.join(SUITE, 'suite_timing.csv')): timing[t['regime']].append(t)
    keys = ['r', 'pr_auc', 'jsd', 'cover90', 'false_presence', 'steps', 'train_s']
    out = {}
    for regime in REGIMES:
        rr = [r for r in runs if r['regime'] == regime and r['sig'] == 'own']
        ours = {r['seed']: r for r in rr if r['lib'] == 'c2l_nb' and r['config'] == DEFAULTS}
        peer = defaultdict(dict)
        for r in rr:
            if r['lib'] == 'peer' and r['config'] == 'c2l30k': peer[int(r['steps'])][r['seed']] = r
        seeds = sorted(set(ours) & set(peer[30000]))
        if not seeds or regime not in timing: continue
        ps = mean(num(t['peer_s_per_step']) for t in timing[regime])
        cs = mean(num(t['c2l_nb_s_per_step']) for t in timing[regime])
        c = {k: mean(num(ours[s][k]) for s in seeds) for k in keys}
        c['time'] = c['steps'] * cs
        c['seed_r'] = [num(ours[s]['r']) for s in seeds]
        p = {}
        for steps in sorted(peer):
            ss = [s for s in seeds if s in peer[steps]]
            if ss != seeds: continue
            p[steps] = {k: mean(num(peer[steps][s][k]) for s in seeds) for k in keys}
            p[steps]['time'] = steps * ps
        others = {}  # other libraries in the file (fast peers), their own measured training time
        for lib in sorted({r['lib'] for r in rr} - {'c2l_nb', 'peer'}):
            o = [r for r in rr if r['lib'] == lib and r['seed'] in seeds]
            if o: others[lib] = {k: mean(num(r[k]) for r in o) for k in keys} | {'time': mean(num(r['train_s']) for r in o)}
        out[regime] = dict(seeds=seeds, c2l_nb=c, peer=p, others=others, peer_s_per_step=ps, c2l_nb_s_per_step=cs)
    return out


def hd() -> dict:
    "The HD rows of the current defaults (the latest of each size), the fixed-minibatch memory rows, the peer rows."
    latest = {}
    for r in rows_jsonl(os.path.join(HD, 'hd_scale.jsonl')):  # keyed as bench_hd.write_tables does
        latest[(r['bins'], r['genes'], r['mode'], r.get('genes_per_step'), r.get('epochs') if r.get('q05_r') is None else 0)] = r
    cur = sorted((r for r in latest.values() if r.get('genes_per_step') and r.get('row_sparse')), key=lambda r: r['bins'])
    mem = {}
    for r in rows_jsonl(os.path.join(HD, 'hd_memory.jsonl')): mem[(r['bins'], r['batch'])] = r
    peer = rows_jsonl(os.path.join(HD, 'hd_peer.jsonl'))
    gpu_f = os.path.join(HD, 'hd_gpu.jsonl')
    return dict(current=cur, memory=[mem[k] for k in sorted(mem)], peer=peer,
                gpu=rows_jsonl(gpu_f) if os.path.exists(gpu_f) else [])


def reference() -> dict:
    "The tutorial-length timing of both libraries and the signature error of every regime and seed."
    t = {r['method']: r for r in rows_csv(os.path.join(REF, 'reference_small_tutorial_250.csv'))}
    err = defaultdict(dict)
    for r in rows_csv(os.path.join(REF, 'signatures.csv')):
        if r['error'] not in ('', 'nan'): err[(r['regime'], r['seed'])][r['lib']] = float(r['error'])
    # regimes with the same seed and number of types share one reference: subtypes and few_cells hold the distinct ones
    pairs = sorted((k, v['c2l_nb_exp'], v['peer']) for k, v in err.items()
                   if 'c2l_nb_exp' in v and 'peer' in v and k[0] in ('subtypes', 'few_cells'))
    meta = json.load(open(os.path.join(REF, 'reference_small_tutorial_250_meta.json')))
    return dict(timing=t, pairs=pairs, meta=meta)


def real() -> dict:
    "The current defaults' row (`bal7`) of the real lymph-node pair against cell2location's 30,000 steps."
    text = open(os.path.join(REAL, 'real_lymph_node.md')).read()
    m = re.search(r'^\| `bal7` \(current defaults\) \| ([\d,]+) \(converged\) \| (\d+) \| ([\d.]+) .*?\| ([\d.]+) \(([\d.]+), (\w+)\) \| '
                  r'([\d.]+) \| ([\d.]+) \|$', text, re.M)
    peer = re.search(r'peer_30000: ([\d.]+) ', text)
    secs = re.search(r"its own signatures retrained; ([\d,]+) s for 30,000 steps", text)
    if not (m and peer and secs): raise SystemExit(f'{rel(REAL)}/real_lymph_node.md: the `bal7` row or the peer totals not found')
    return dict(epochs=m[1], train_s=m[2], total=m[3], per_type=m[4], lowest=m[5], lowest_type=m[6], overall=m[7],
                prop=m[8], peer_total=peer[1], peer_s=secs[1])


# --- plots -------------------------------------------------------------------------------------------------------

C2L_NB, C2L, OTHER = '#1a4d8f', '#d0582a', ['#3b9a5a', '#8e5bb5', '#888888']


def _plt():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    plt.rcParams.update({'font.size': 9, 'axes.spines.top': False, 'axes.spines.right': False})
    return plt


def _save(fig, path: str):
    fig.savefig(path, dpi=110, bbox_inches='tight', metadata={'Software': None})
    import matplotlib.pyplot as plt
    plt.close(fig)


def plot_suite(s: dict, path: str):
    "Accuracy against training time, one panel per regime."
    plt = _plt()
    fig, axes = plt.subplots(3, 3, figsize=(10, 8.4), sharex=True)
    for ax, (regime, d) in zip(axes.ravel(), s.items()):
        steps = sorted(d['peer'])
        ax.plot([d['peer'][k]['time'] for k in steps], [d['peer'][k]['r'] for k in steps], 'o-', color=C2L, label=f'{PEER}')
        for k in steps: ax.annotate(f'{k // 1000}k', (d['peer'][k]['time'], d['peer'][k]['r']), textcoords='offset points',
                                    xytext=(0, -11), ha='center', fontsize=7, color=C2L)
        c = d['c2l_nb']
        ax.plot([c['time']] * len(c['seed_r']), c['seed_r'], '.', color=C2L_NB, alpha=0.35)
        ax.plot(c['time'], c['r'], '*', ms=13, color=C2L_NB, label='c2l_nb defaults (mean; dots: seeds)')
        for i, (lib, o) in enumerate(d['others'].items()):
            ax.plot(o['time'], o['r'], 'D', color=OTHER[i % 3], label=lib)
        ax.set_xscale('log'); ax.set_title(regime, fontsize=10); ax.margins(y=0.15)
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]: ax.set_ylabel('Pearson r of q05 vs truth')
    for ax in axes[-1]: ax.set_xlabel('training time (s, one thread)')
    h, l = axes[0, 0].get_legend_handles_labels()
    fig.legend(h, l, loc='lower center', ncol=3, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    _save(fig, path)


def plot_calibration(s: dict, path: str):
    "JSD, coverage and false presence per regime: c2l_nb's defaults against cell2location's 30,000 steps."
    plt = _plt()
    import numpy as np
    names = list(s)
    y = np.arange(len(names))
    panels = [('jsd', 'JSD of proportions (lower is better)', None), ('cover90', 'coverage of [q05, q95] (nominal 0.9)', 0.9),
              ('false_presence', 'false presence (lower is better)', None)]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), sharey=True)
    for ax, (k, title, ref) in zip(axes, panels):
        ax.barh(y - 0.2, [s[n]['c2l_nb'][k] for n in names], 0.4, color=C2L_NB, label='c2l_nb defaults')
        ax.barh(y + 0.2, [s[n]['peer'][30000][k] for n in names], 0.4, color=C2L, label=f'{PEER}, 30,000 steps')
        if ref: ax.axvline(ref, color='k', lw=0.8, ls='--')
        ax.set_title(title, fontsize=9); ax.grid(axis='x', alpha=0.3)
    axes[0].set_yticks(y, names); axes[0].invert_yaxis()
    h, l = axes[0].get_legend_handles_labels()
    fig.legend(h, l, loc='lower center', ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.06))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    _save(fig, path)


def plot_hd_accuracy(h: dict, path: str):
    "Accuracy against training time at 10,000 bins: c2l_nb's run along its epochs, cell2location at its checkpoints."
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    r = next(r for r in h['current'] if r['bins'] == 10000)
    ax.plot([c['epoch'] * r['s_per_epoch'] for c in r['curve']], [c['q05_r'] for c in r['curve']], '-', color=C2L_NB,
            label=f"c2l_nb defaults ({r['epochs']} minibatch epochs)")
    peer = sorted((p for p in h['peer'] if p['library'] == 'cell2location' and p['bins'] == 10000), key=lambda p: p['steps'])
    ax.plot([p['train_s'] for p in peer], [p['q05_r'] for p in peer], 'o-', color=C2L, label=f'{PEER} (full batch, lr 0.002)')
    for p in peer: ax.annotate(f"{p['steps']:,} steps", (p['train_s'], p['q05_r']), textcoords='offset points', xytext=(-6, 0),
                               ha='right', va='center', fontsize=7, color=C2L)
    for i, lib in enumerate(sorted({p['library'] for p in h['peer']} - {'cell2location', 'c2l_nb'})):
        o = [p for p in h['peer'] if p['library'] == lib and p['bins'] == 10000]
        ax.plot([p['train_s'] for p in o], [p['q05_r'] for p in o], 'D', color=OTHER[i % 3], label=lib)
    ax.set_xscale('log'); ax.set_xlabel('training time (s, one thread)'); ax.set_ylabel('Pearson r of q05 vs truth')
    ax.set_title('10,000 simulated Visium HD bins, 5,000 genes, 40 types', fontsize=9); ax.grid(alpha=0.3); ax.margins(y=0.08)
    ax.legend(frameon=False, fontsize=8, loc='lower left')
    fig.tight_layout()
    _save(fig, path)


def plot_hd_scale(h: dict, path: str):
    "Time per epoch and memory against the number of bins."
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    cur = h['current']
    a.plot([r['bins'] for r in cur], [r['s_per_epoch'] for r in cur], 'o-', color=C2L_NB, label='c2l_nb defaults (minibatches)')
    for r in cur: a.annotate(f"{r['s_per_epoch']:.3g} s", (r['bins'], r['s_per_epoch']), textcoords='offset points', xytext=(5, -10), fontsize=7)
    peer = [p for p in h['peer'] if p['library'] == 'cell2location']
    if peer:
        p = max(peer, key=lambda p: p['steps'])
        a.plot([p['bins']], [p['s_per_step']], 's', color=C2L, label=f'{PEER}: one full-batch step')
    a.set_xscale('log'); a.set_yscale('log'); a.set_xlabel('bins'); a.set_ylabel('seconds per epoch (one thread)')
    a.grid(alpha=0.3); a.legend(frameon=False, fontsize=8)
    m = h['memory']
    b.plot([r['bins'] for r in m], [r['train_peak_rss_mb'] / 1024 for r in m], 'o-', color=C2L_NB,
           label=f"peak RSS of training (minibatches of {m[0]['batch']:,})")
    b.plot([r['bins'] for r in m], [r['train_base_rss_mb'] / 1024 for r in m], 'o--', color='#7a8fb0', label='the data, before training')
    b.plot([r['bins'] for r in cur], [r['train_peak_rss_mb'] / 1024 for r in cur], 'x', color='k', ms=8,
           label="peak RSS with the minibatches train() chose")
    b.set_xscale('log'); b.set_yscale('log'); b.set_xlabel('bins'); b.set_ylabel('GB')
    from matplotlib.ticker import FormatStrFormatter, NullFormatter
    b.yaxis.set_major_formatter(FormatStrFormatter('%g')); b.yaxis.set_minor_formatter(NullFormatter())
    b.set_yticks([0.5, 1, 2, 4, 8])
    b.grid(alpha=0.3); b.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def plot_reference(r: dict, path: str):
    "Seconds per epoch and memory at the tutorial's settings; signature error of every regime and seed."
    plt = _plt()
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(10, 3.2), gridspec_kw=dict(width_ratios=[1, 1, 1.4]))
    t = r['timing']; libs = [('c2l_nb', C2L_NB), ('cell2location', C2L)]
    a.bar([0, 1], [float(t[l]['s_per_epoch']) for l, _ in libs], color=[c_ for _, c_ in libs])
    b.bar([0, 1], [float(t[l]['train_peak_rss_mb']) / 1024 for l, _ in libs], color=[c_ for _, c_ in libs])
    for ax, lab in ((a, 'seconds per epoch'), (b, 'peak RSS of training (GB)')):
        ax.set_xticks([0, 1], ['c2l_nb', 'cell2location']); ax.set_ylabel(lab); ax.grid(axis='y', alpha=0.3)
    x = [p for _, _, p in r['pairs']]; y = [o for _, o, _ in r['pairs']]
    c.plot(x, y, 'o', color=C2L_NB)
    lo, hi = min(x + y) * 0.97, max(x + y) * 1.03
    c.plot([lo, hi], [lo, hi], 'k--', lw=0.8)
    c.set_xlabel('cell2location'); c.set_ylabel('c2l_nb'); c.set_title('signature error vs truth (distinct references)', fontsize=9)
    c.grid(alpha=0.3)
    fig.tight_layout()
    _save(fig, path)


PLOTS = [  # (file, function, data)
    (os.path.join(SUITE, 'accuracy_vs_time.png'), plot_suite, 'suite'),
    (os.path.join(SUITE, 'calibration.png'), plot_calibration, 'suite'),
    (os.path.join(HD, 'hd_accuracy_vs_time.png'), plot_hd_accuracy, 'hd'),
    (os.path.join(HD, 'hd_time_memory.png'), plot_hd_scale, 'hd'),
    (os.path.join(REF, 'reference.png'), plot_reference, 'reference'),
]


# --- the page ----------------------------------------------------------------------------------------------------

def f3(x): return f'{x:.3f}'
def sgn(x): return f'{x:+.3f}'.replace('+0.000', '0.000').replace('-0.000', '0.000')
def comma(x): return f'{x:,.0f}'


class Links:
    "Reference-style markdown links to result files, defined at the end of each cell."
    def __init__(self): self.used = {}
    def __call__(self, path: str, text: str | None = None) -> str:
        name = os.path.basename(path)
        self.used[name] = url(path)
        return f'[{text or name}][{name}]'
    def defs(self) -> str:
        out = '\n'.join(f'[{k}]: {v}' for k, v in self.used.items()); self.used = {}
        return '\n\n' + out if out else ''


def img(path: str, alt: str) -> str: return f'![{alt}]({os.path.relpath(path, os.path.dirname(PAGE))})'


# the title cell holds nothing else: the site's build turns it into the page's header and drops the rest of the cell
TITLE = """# Performance

> c2l_nb's defaults against cell2location 0.1.5 on each regime: accuracy against the truth, training time and memory, measured side by side."""


def intro(s, h, r, x, L) -> str:
    cur = {q['bins']: q for q in h['current']}
    h100 = cur.get(100000)
    h10 = next(p for p in h['peer'] if p['library'] == 'c2l_nb' and p['bins'] == 10000)
    peer10 = max((p for p in h['peer'] if p['library'] == 'cell2location' and p['bins'] == 10000), key=lambda p: p['steps'])
    fr = [d['c2l_nb']['time'] / d['peer'][30000]['time'] for d in s.values()]
    dr = [d['c2l_nb']['r'] - d['peer'][30000]['r'] for d in s.values()]
    t = r['timing']
    rows = [
        f"| {len(s)} simulated regimes, {_suite.BASE['n_spots']} spots each ({L(os.path.join(SUITE, 'suite_runs.csv'))}) | "
        f"r {sgn(min(dr))} to {sgn(max(dr))} against cell2location; {min(fr):.3f} to {max(fr):.3f} of its training time | "
        f"30,000 steps, {comma(min(d['peer'][30000]['time'] for d in s.values()))} to "
        f"{comma(max(d['peer'][30000]['time'] for d in s.values()))} s |",
        f"| 10,000 Visium HD bins, simulated ({L(os.path.join(HD, 'hd_peer.jsonl'))}) | q05 r {f3(h10['q05_r'])}, trained in "
        f"{h10['train_s'] / 60:.1f} min | q05 r {f3(peer10['q05_r'])} after {peer10['steps']:,} steps ({peer10['train_s'] / 60:.0f} min) |",
        f"| 100,000 Visium HD bins, simulated ({L(os.path.join(HD, 'hd_scale.jsonl'))}) | trained and exported in "
        f"{(h100['train_s'] + h100['export_s']) / 60:.1f} min, peak RSS {max(h100['train_peak_rss_mb'], h100['export_peak_rss_mb']) / 1024:.1f} GB, "
        f"q05 r {f3(h100['q05_r'])} | not run |",
        f"| reference regression, 10,000 cells ({L(os.path.join(REF, 'reference_small_tutorial_250.csv'))}) | "
        f"{float(t['c2l_nb']['s_per_epoch']):.3f} s per epoch | {float(t['cell2location']['s_per_epoch']):.2f} s per epoch |",
        f"| real lymph-node pair, no truth ({L(os.path.join(REAL, 'real_lymph_node.md'))}) | {x['epochs']} steps; its map agrees "
        f"with cell2location's at r {x['overall']} | 30,000 steps |",
    ]
    return f"""This page is written by `benchmarks/make_page.py` from the result files under `benchmarks/`; every number and plot
links to the file it comes from, and those files keep the earlier runs that this page leaves out. How to rerun each
benchmark, and how to install cell2location beside c2l_nb: {L(os.path.join(HERE, 'README.md'), 'benchmarks/README.md')}. Times are
wall-clock seconds on one CPU thread of a two-core machine. Why the defaults are what they are: [the model page](model.ipynb).

| data | c2l_nb defaults | {PEER} defaults |
|---|---|---|
""" + '\n'.join(rows) + L.defs()


def suite_cell(s, L) -> str:
    runs, timing = os.path.join(SUITE, 'suite_runs.csv'), os.path.join(SUITE, 'suite_timing.csv')
    regimes = '\n'.join(f"- `{k}`: {v} ({_suite.REGIMES[k]['cells_per_spot']:g} cells per spot)" for k, v in REGIMES.items() if k in s)
    b = _suite.BASE
    rows = []
    for regime, d in s.items():
        c, p = d['c2l_nb'], d['peer'][30000]
        rows.append(f"| `{regime}` | {len(d['seeds'])} | {f3(c['r'])} ({f3(p['r'])}) | {f3(c['pr_auc'])} ({f3(p['pr_auc'])}) | "
                    f"{f3(c['jsd'])} ({f3(p['jsd'])}) | {c['cover90']:.2f} ({p['cover90']:.2f}) | {c['false_presence']:.2f} "
                    f"({p['false_presence']:.2f}) | {comma(c['steps'])} | {c['time'] / p['time']:.3f} |")
    return f"""## Accuracy suite: nine simulated regimes

Each regime is a simulated Visium-like section of {b['n_spots']:,} spots x {b['n_genes']:,} genes with a reference of
{b['n_cells_per_type']} cells per type ({b['ref_n_batches']} batches, {b['ref_n_techs']} technologies), harder than the simulator's default in one way:

{regimes}

Each library maps with the signatures its own reference model learned at the tutorial's settings (250 epochs), as a
user would. cell2location runs its defaults (30,000 full-data steps at lr 0.002) and is scored at 3,000, 10,000,
20,000 and 30,000 steps; c2l_nb runs `train()` with its defaults. Scores are of the q05 abundances against the truth,
means over the seeds both libraries ran ({L(runs)}; c2l_nb's run `{DEFAULTS}`, cell2location's `c2l30k`). Training
times are steps times the seconds per step that both libraries took back to back on each regime, nothing else
running ({L(timing)}).

{img(os.path.join(SUITE, 'accuracy_vs_time.png'), 'Pearson r of the q05 abundances against training time, per regime')}

Calibration: the share of present entries (true abundance above 0.1 cells) inside [q05, q95], and the share of absent
entries whose q05 is above 0.1 cells (false presence).

{img(os.path.join(SUITE, 'calibration.png'), 'JSD, coverage and false presence per regime')}

c2l_nb's defaults (cell2location's 30,000 steps in brackets); JSD: mean Jensen-Shannon divergence of the proportions
per spot; time: c2l_nb's training time over cell2location's.

| regime | seeds | r | PR-AUC | JSD | coverage | false presence | steps | time |
|---|---|---|---|---|---|---|---|---|
""" + '\n'.join(rows) + L.defs()


def hd_cell(h, L) -> str:
    scale, mem, peerf = (os.path.join(HD, f) for f in ('hd_scale.jsonl', 'hd_memory.jsonl', 'hd_peer.jsonl'))
    cur = h['current']
    rows = []
    for r in cur:
        tot = f"{(r['train_s'] + r['export_s']) / 60:.1f}" if r.get('export_s') is not None else ''
        rows.append(f"| {r['bins']:,} | `{r['mode']}` | {r['batch']:,} | {r['epochs']} | {r['s_per_epoch']:.3g} | {tot} | "
                    f"{r['train_peak_rss_mb'] / 1024:.1f} | {f3(r['q05_r']) if r.get('q05_r') is not None else ''} |")
    peer = max((p for p in h['peer'] if p['library'] == 'cell2location'), key=lambda p: p['steps'])
    m = h['memory']; lo, hi = m[0], m[-1]
    per_bin = ((hi['train_peak_rss_mb'] - hi['train_base_rss_mb']) - (lo['train_peak_rss_mb'] - lo['train_base_rss_mb'])) * 1024 / (hi['bins'] - lo['bins'])
    if h['gpu']:
        g = h['gpu'][-1]
        gpu = (f"On one GPU ({L(os.path.join(HD, 'hd_gpu.jsonl'))}): {g['bins']:,} bins x {g['genes']:,} genes, "
               f"{g.get('epochs')} epochs in {g['train_s'] / 60:.1f} min" + (f", q05 r {f3(g['q05_r'])}" if g.get('q05_r') else '') + '.')
    else:
        gpu = ('Not yet measured on a GPU: `python benchmarks/hd_scale/bench_hd.py gpu` writes '
               '`benchmarks/hd_scale/results/hd_gpu.jsonl`, which this page then shows.')
    return f"""## Visium HD: 10,000 to 1,000,000 bins

Simulated 8 um bins with about 2 cells and 280 UMIs each, 5,000 genes and 40 cell types; both models get the true
signatures. From 20,000 bins `train()` trains in minibatches (at 10,000 bins that mode is forced here); cell2location
runs its tutorial's full-batch training ({L(peerf)}); c2l_nb's curve is its run in {L(scale)}. cell2location's 30,000 steps at {peer['s_per_step']:.2f} s per
step would take {30000 * peer['s_per_step'] / 3600:.0f} hours (a projection from the steps it ran).

{img(os.path.join(HD, 'hd_accuracy_vs_time.png'), 'q05 accuracy against training time at 10,000 HD bins')}

Time per epoch and memory against the number of bins (the memory curve at one fixed minibatch size,
{L(mem)}: training adds about {per_bin:.1f} KB per bin):

{img(os.path.join(HD, 'hd_time_memory.png'), 'seconds per epoch and peak memory against bins')}

c2l_nb's defaults (the zero counts' term over 1,000 sampled genes per step, lazy per-bin Adam steps); the
1,000,000-bin row ran two epochs to time them; minutes are training and export together:

| bins | mode | minibatch | epochs | s per epoch | minutes | peak RSS of training (GB) | q05 r |
|---|---|---|---|---|---|---|---|
""" + '\n'.join(rows) + f'\n\n{gpu}' + L.defs()


def ref_cell(r, L) -> str:
    t = r['timing']; c, p = t['c2l_nb'], t['cell2location']; m = r['meta']
    pairs = r['pairs']
    dm = mean(o - q for _, o, q in pairs)
    return f"""## Reference regression

The tutorial's call (`max_epochs=250, batch_size=2500, lr=0.002`) on {m['n_obs']:,} simulated cells x {m['n_vars']:,} genes x {m['n_types']} types,
timed in alternating chunks on {r['meta']['started'][:10]} ({L(os.path.join(REF, 'reference_small_tutorial_250.csv'))}):
{float(c['s_per_epoch']):.3f} s per epoch against {float(p['s_per_epoch']):.2f}, {float(p['s_per_epoch']) / float(c['s_per_epoch']):.0f} times
as fast, with a training peak RSS of {float(c['train_peak_rss_mb']):,.0f} MB against {float(p['train_peak_rss_mb']):,.0f} MB. The plot's right
panel: the error of the exported signatures against the true ones (`c2l_nb.reference.signature_error`) on the {len(pairs)} distinct
references of the accuracy suite, each library with its default guide ({L(os.path.join(REF, 'signatures.csv'))}):
c2l_nb's is {dm:+.4f} from cell2location's on average.

{img(os.path.join(REF, 'reference.png'), 'reference regression: seconds per epoch, memory, signature error')}""" + L.defs()


def real_cell(x, L) -> str:
    f = os.path.join(REAL, 'real_lymph_node.md')
    return f"""## Real data: the lymph-node pair

`c2l_nb.datasets.lymph_node_visium()`: 1,000 Visium spots x 2,000 genes and a reference of 11 types, with no truth, so
only agreement can be measured ({L(f)}, run `bal7`). c2l_nb's defaults stopped after {x['epochs']} steps
({x['train_s']} s on a loaded machine; cell2location's 30,000 steps took {x['peer_s']} s there). Their q05 map agrees
with cell2location's 30,000-step map at an overall Pearson r of {x['overall']} (proportions {x['prop']}; per type a
median of {x['per_type']}, lowest {x['lowest']} for {x['lowest_type']}). With `N_cells_per_location=30` the mean q05
total per spot is {x['total']} cells in c2l_nb and {x['peer_total']} in cell2location.""" + L.defs()


OTHERS = [  # (result file, what it holds) for the last section
    ('accuracy_suite/results/suite.md', 'the suite, every regime, seed and earlier default, with the targets'),
    ('accuracy_suite/results/suite_runs.md', 'every run of the suite (each setting tried)'),
    ('accuracy_suite/results/zone_variants.md', 'variants of the zone warm start'),
    ('accuracy_suite/results/stop_rule_net.md', "the stopping rule's net-change test, replayed"),
    ('accuracy_suite/results/stop_rule_replay.md', 'a stopping rule that measures jitter (not used)'),
    ('accuracy_suite/results/refine.md', 'the refined abundance posterior (opt-in)'),
    ('accuracy_suite/results/refine_crowded.md', "`refine_abundance='auto'` on the `crowded` regime"),
    ('accuracy_suite/results/refine_types.md', "the refined posterior's cost, type by type"),
    ('accuracy_suite/results/absent_tails.md', 'exact posteriors of false-present entries against the guide'),
    ('accuracy_suite/results/export_timing.md', "the export's time in both libraries"),
    ('accuracy_suite/results/guides.md', 'the hierarchical and amortised guides on the suite'),
    ('hd_scale/results/hd_scale.md', 'every HD run, with exact likelihood and dense Adam'),
    ('hd_scale/results/hd_crops.md', 'sections below 20,000 bins and Slide-seq-like beads, with runaway spots'),
    ('hd_scale/results/loglik_genes.md', 'one likelihood evaluation over sampled genes'),
    ('hd_scale/results/scale.md', 'full batch against minibatches, random minibatches against spatial tiles'),
    ('visium_scale/results/spatial_small_headline.md', 'accuracy against time at 1,000 spots x 3,000 genes (an earlier version\'s schedule)'),
    ('visium_scale/results/spatial_small_peer_long.md', 'cell2location alone for longer on the same data'),
    ('visium_scale/results/spatial_lymph_node_headline.md', '4,000 spots x 10,200 genes (an earlier version)'),
    ('visium_scale/results/spatial_lymph_node_ln_steps.md', "cell2location's first 20 steps at that size"),
    ('visium_scale/results/amortised_small.md', 'the amortised guide against the per-spot guide'),
    ('reference/results/reference_drift.md', 'reference signatures against training length'),
    ('gpu/results/gpu_check_tiny.json', 'a short check on one GPU'),
]


def others_cell(L) -> str:
    items = [f"- {L(os.path.join(HERE, p), p)}: {w}" for p, w in OTHERS if os.path.exists(os.path.join(HERE, p))]
    return ("## Other result files\n\nEarlier runs and the experiments behind the defaults, not shown above (the model "
            "page cites them where they decided a choice):\n\n" + '\n'.join(items) + L.defs())


def _cell(kind: str, src: str, i: int) -> dict:
    c = {'cell_type': kind, 'id': f'perf{i:04d}', 'metadata': {}, 'source': src.splitlines(keepends=True)}
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c


def data() -> dict: return dict(suite=suite(), hd=hd(), reference=reference(), real=real())


def render(d: dict | None = None) -> str:
    d = d or data()
    L = Links()
    md = [TITLE, intro(d['suite'], d['hd'], d['reference'], d['real'], L), suite_cell(d['suite'], L), hd_cell(d['hd'], L),
          ref_cell(d['reference'], L), real_cell(d['real'], L), others_cell(L)]
    nb = {'cells': [_cell('markdown', m.strip(), i) for i, m in enumerate(md)],
          'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
          'nbformat': 4, 'nbformat_minor': 5}
    return json.dumps(nb, indent=1, ensure_ascii=False) + '\n'


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--check', action='store_true', help='only check that the page is up to date and its plots exist')
    a = p.parse_args(argv)
    d = data()
    text = render(d)
    if a.check:
        missing = [rel(f) for f, *_ in PLOTS if not os.path.exists(f)]
        ok = os.path.exists(PAGE) and open(PAGE).read() == text and not missing
        if not ok: print(f'{PAGE} is out of date{" (missing " + ", ".join(missing) + ")" if missing else ""}: '
                         'run python benchmarks/make_page.py', file=sys.stderr)
        return 0 if ok else 1
    for f, plot, key in PLOTS:
        plot(d[key], f); print(f'wrote {rel(f)}')
    open(PAGE, 'w').write(text)
    print(f'wrote {PAGE}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
