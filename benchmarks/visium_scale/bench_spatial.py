"""Spatial mapping benchmark: accuracy against wall time and peak memory, c2l_nb against cell2location.

Simulated data with known truth (`c2l_nb.sim.simulate`), the TRUE signatures as `cell_state_df` (so only the
spatial model is compared), accuracy of the q05 abundance from `c2l_nb.sim.abundance_accuracy`. Every method runs
in its own process (peak RSS is attributable); training runs in chunks, alternating between the processes, and the
accuracy is measured after each chunk, giving accuracy-against-time curves measured under the same machine load.

    python benchmarks/visium_scale/bench_spatial.py --size small --steps-peer 30000 \\
        --c2l-nb-settings name=default,epochs=30000,lr=0.002 \\
        --c2l-nb-settings name=fast,epochs=3000,lr=0.01,lr_end=0.001

Options and the runs on the documentation page: benchmarks/visium_scale/README.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(BENCH, 'tools'), BENCH]  # _common, make_page
from _common import Driver, checkpoints, load_avg, lr_at, parse_settings  # noqa: E402

PEER_PYTHON = '/work/peer_venv/bin/python'
ACC_COLS = ['pearson', 'pearson_proportion', 'pr_auc']


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--size', default='small', choices=['tiny', 'small', 'lymph_node'], help='c2l_nb.sim.simulate preset')
    p.add_argument('--seed', type=int, default=0, help='simulation seed')
    p.add_argument('--steps-peer', type=int, default=30000, help="cell2location's training steps (0: skip the peer)")
    p.add_argument('--peer-lr', type=float, default=0.002, help="cell2location's learning rate (its default)")
    p.add_argument('--c2l-nb-settings', action='append', default=None, metavar='K=V,...',
                   help='one c2l_nb run: name, epochs, lr, lr_end, batch_size (repeat for several runs; '
                        'default: the peer\'s settings, epochs=STEPS_PEER,lr=0.002; `none`: the peer alone)')
    p.add_argument('--points', type=int, default=8, help='accuracy measurements per run (roughly geometric in steps)')
    p.add_argument('--first', type=int, default=None, help='epochs before the first measurement (default: 1%%, >= 50)')
    p.add_argument('--threads', type=int, default=1, help='torch/BLAS threads per process (0: library default); see README')
    p.add_argument('--num-samples', type=int, default=1000, help='posterior draws of the sampled export')
    p.add_argument('--no-export', action='store_true', help='skip the two exports')
    p.add_argument('--no-interleave', action='store_true', help='run methods one after another, not chunk by chunk')
    p.add_argument('--peer-python', default=PEER_PYTHON, help="python of the environment with cell2location")
    p.add_argument('--out', default=os.path.join(HERE, 'results'), help='folder for the result files')
    p.add_argument('--tag', default='', help='suffix of the result file names, e.g. quick')
    p.add_argument('--max-hours', type=float, default=None,
                   help='start no new chunk after this much wall time; the run then finishes (exports, tables) normally')
    p.add_argument('--from-partial', action='store_true',
                   help='only write the tables and figure from <out>/spatial_<size>_<tag>_curve.partial.csv '
                        '(what a run stopped by Ctrl-C or kill leaves)')
    return p.parse_args(argv)


def prepare_data(size: str, seed: int, folder: str) -> dict:
    "Simulate, write the spots (.h5ad), the true signatures (.csv) and the settings; return the truth."
    import anndata as ad
    import numpy as np
    import pandas as pd
    from c2l_nb.sim import simulate
    _, vis = simulate(size, seed=seed)
    truth = vis.obsm['true_abundance']
    sig = vis.varm['true_signatures']
    sig = pd.DataFrame(np.asarray(sig), index=vis.var_names, columns=list(sig.columns))[list(truth.columns)]
    keep = sig.sum(1).to_numpy() > 0  # genes with no signature (e.g. pure background) cannot be modelled
    sig = sig.loc[keep]
    out = ad.AnnData(X=vis.X[:, keep], obs=vis.obs[['sample']].copy(), var=pd.DataFrame(index=vis.var_names[keep]))
    out.write_h5ad(os.path.join(folder, 'vis.h5ad'))
    sig.to_csv(os.path.join(folder, 'signatures.csv'))
    meta = dict(size=size, seed=seed, n_obs=int(out.n_obs), n_vars=int(out.n_vars), n_types=int(sig.shape[1]),
                genes_dropped=int((~keep).sum()), detection_alpha=20.0,
                N_cells_per_location=float(vis.uns['sim']['mean_total_cells']))
    json.dump(meta, open(os.path.join(folder, 'meta.json'), 'w'))
    return dict(truth=truth, meta=meta)


def plan_calls(cfg: dict, points: int, first: int | None) -> list[tuple]:
    """`[(epochs after the call, train kwargs), ...]` for one run.

    With `epochs` and `lr` given and `points > 1`, training is cut into chunks at roughly geometric epoch counts and
    each chunk gets its slice of the geometric lr decay `lr -> lr_end`, with early stopping off, so the chunks add up
    to one uninterrupted run (except that Adam's moment estimates restart with each call, in both libraries).
    Otherwise one call with only the given arguments: the library's defaults apply to the rest."""
    cfg = {k: v for k, v in cfg.items() if k != 'name'}
    pts = int(cfg.pop('points', points))
    epochs, lr, lr_end = cfg.pop('epochs', None), cfg.pop('lr', None), cfg.pop('lr_end', 'default')
    if pts <= 1 or epochs is None or lr is None:
        kw = dict(cfg)
        if epochs is not None: kw['max_epochs'] = int(epochs)
        if lr is not None: kw['lr'] = float(lr)
        if lr_end != 'default': kw['lr_end'] = lr_end
        return [(epochs, kw)]
    if lr_end == 'default': lr_end = None
    if cfg.pop('early_stopping', 0):
        raise ValueError('early_stopping needs one uninterrupted call: give points=1 for that run')
    marks, calls, start = checkpoints(int(epochs), pts, first), [], 0
    for k, end in enumerate(marks):
        kw = dict(cfg, max_epochs=end - start, lr=lr_at(start, epochs, lr, lr_end), seed=k, early_stopping=False)
        if lr_end is not None: kw['lr_end'] = lr_at(end - 1, epochs, lr, lr_end)
        calls.append((end, kw))
        start = end
    return calls


def accuracy(q05_path: str, truth):
    import numpy as np
    from c2l_nb.sim import abundance_accuracy
    return abundance_accuracy(np.load(q05_path), truth)


def main(argv=None):
    a = parse_args(argv)
    if a.from_partial: return from_partial(a)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill PID` cleans up like Ctrl-C
    import numpy as np
    import pandas as pd
    os.makedirs(a.out, exist_ok=True)
    stem = f"spatial_{a.size}{'_' + a.tag if a.tag else ''}"
    work = tempfile.mkdtemp(prefix='c2l_bench_')
    started = datetime.datetime.now().isoformat(timespec='seconds')
    loads = [load_avg()]
    print(f'[{started}] load {loads[0]}; data in {work}', flush=True)
    d = prepare_data(a.size, a.seed, work)
    truth, meta = d['truth'], d['meta']
    print(f"data: {meta['n_obs']} spots x {meta['n_vars']} genes x {meta['n_types']} types "
          f"({meta['genes_dropped']} genes without signature dropped), N_cells_per_location="
          f"{meta['N_cells_per_location']:.2f}", flush=True)

    # ---- the runs: one process each
    env = {'BENCH_THREADS': str(a.threads)} if a.threads else {}
    runs = []
    cfgs = a.c2l_nb_settings or [f'name=c2l_nb,epochs={a.steps_peer or 30000},lr=0.002,lr_end=none']
    if cfgs == ['none']: cfgs = []
    for i, s in enumerate(cfgs):
        c = {'name': f'c2l_nb_{i}' if len(cfgs) > 1 else 'c2l_nb', **parse_settings(s)}
        runs.append(dict(name=c['name'], library='c2l_nb', cfg=c, python=sys.executable,
                         script=os.path.join(BENCH, 'tools', 'c2l_nb_driver.py')))
    if a.steps_peer > 0:
        runs.insert(0, dict(name='cell2location', library='cell2location', python=a.peer_python,
                            script=os.path.join(BENCH, 'tools', 'peer_driver.py'),
                            cfg={'name': 'cell2location', 'epochs': a.steps_peer, 'lr': a.peer_lr}))
    for r in runs:
        r['calls'] = plan_calls(r['cfg'], a.points, a.first)
    for r in runs:
        r['driver'] = Driver(r['name'], r['python'], r['script'], os.path.join(work, f"{r['name']}.log"), env)
    curve, per_type, summary = [], {}, []
    try:
        for r in runs:
            r['info'] = r['driver'].ask('info')
            r['setup'] = r['driver'].ask('spatial_setup', data=work)
            r['done'], r['train_s'], r['steps'] = 0, 0.0, 0
            print(f"{r['name']}: {r['info']}; setup {r['setup']['setup_s']:.1f} s; measuring after epochs "
                  f"{[m for m, _ in r['calls']]}", flush=True)

        def chunk(r, k):
            end, kw = r['calls'][k]
            q = os.path.join(work, f"{r['name']}_q05.npy")
            load = load_avg()
            loads.append(load)
            res = r['driver'].ask('spatial_train', train_kwargs=kw, q05_path=q)
            r['done'], r['train_s'] = res['epochs'], r['train_s'] + res['train_s']
            acc = accuracy(q, truth)
            r['last_acc'], r['last_res'] = acc, res
            row = dict(method=r['name'], library=r['library'], epochs=res['epochs'], steps=res['steps'],
                       train_s=r['train_s'], chunk_s=res['train_s'],
                       chunk_s_per_step=res['train_s'] / max(res['steps'] - r.get('steps', 0), 1),
                       loss_first=res['loss_first'], loss_last=res['loss_last'], load_1min=float(load.split()[0]),
                       train_peak_rss_mb=res['train_peak_rss_mb'], inner_epoch_s=res.get('epoch_s_mean'),
                       **{c_: float(acc.loc['overall', c_]) for c_ in ACC_COLS})
            r['steps'] = res['steps']
            curve.append(row)
            # written after every chunk, so a long run stopped early still leaves its curve
            pd.DataFrame(curve).to_csv(os.path.join(a.out, f'{stem}_curve.partial.csv'), index=False)
            print(f"  {r['name']:>14}: {res['epochs']:>6} epochs, {res['steps']:>6} steps, {r['train_s']:8.1f} s "
                  f"({row['chunk_s_per_step']:.4f} s/step this chunk), loss {res['loss_first']:.4g} -> "
                  f"{res['loss_last']:.4g}, pearson {row['pearson']:.3f}, prop {row['pearson_proportion']:.3f}, "
                  f"PR-AUC {row['pr_auc']:.3f}  [load {load}]", flush=True)

        n_chunks = max(len(r['calls']) for r in runs)
        t_start = time.time()
        def out_of_time():
            if a.max_hours is None or time.time() - t_start < 3600 * a.max_hours: return False
            print(f'--max-hours {a.max_hours} reached: no new chunk', flush=True)
            return True
        if a.no_interleave:
            for r in runs:
                for k in range(len(r['calls'])):
                    if out_of_time(): break
                    chunk(r, k)
        else:
            for k in range(n_chunks):
                if out_of_time(): break
                order = runs if k % 2 == 0 else runs[::-1]  # alternate who goes first
                for r in order:
                    if k < len(r['calls']): chunk(r, k)

        # ---- exports, one process at a time
        for r in runs:
            per_type[r['name']] = r['last_acc'].rename(columns=lambda c: f'{c}_analytic')
            if a.no_export: continue
            for mode in ('quantiles', 'samples'):
                q = os.path.join(work, f"{r['name']}_{mode}_q05.npy")
                loads.append(load_avg())
                res = r['driver'].ask('spatial_export', mode=mode, num_samples=a.num_samples, q05_path=q)
                acc = accuracy(q, truth)
                r[f'export_{mode}'] = {**res, **{c_: float(acc.loc['overall', c_]) for c_ in ACC_COLS}}
                if mode == 'samples':
                    per_type[r['name']] = per_type[r['name']].join(acc.rename(columns=lambda c: f'{c}_sampled'))
                print(f"  {r['name']:>14}: export {mode}: {res['export_s']:.1f} s, peak RSS "
                      f"{res['export_peak_rss_mb']:.0f} MB (from {res['export_base_rss_mb']:.0f} MB), "
                      f"pearson {acc.loc['overall', 'pearson']:.3f}", flush=True)
    except BaseException:  # interrupted or failed: stop the drivers at once, leave no temporary files
        for r in runs:
            if 'driver' in r: r['driver'].kill()
        shutil.rmtree(work, ignore_errors=True)
        raise
    for r in runs:
        r['final'] = r['driver'].close()
    loads.append(load_avg())
    finished = datetime.datetime.now().isoformat(timespec='seconds')

    # ---- tables
    curve = pd.DataFrame(curve)
    for r in runs:
        c, last = r['cfg'], r['last_res']
        rows = curve[curve.method == r['name']]
        steps = int(last['steps'])
        row = {'method': r['name'], 'library': r['library'],
               'version': r['info'].get('version'), 'threads': r['info'].get('threads'),
               'settings': ' '.join(f'{k}={v}' for k, v in c.items() if k != 'name') or 'library defaults',
               'steps': steps, 'train_s': r['train_s'], 's_per_step': r['train_s'] / max(steps, 1),
               's_per_step_median_chunk': float(rows.chunk_s_per_step.median()),
               **{f'{c_}': float(r['last_acc'].loc['overall', c_]) for c_ in ACC_COLS},
               'setup_s': r['setup']['setup_s'], 'base_rss_mb': r['setup']['base_rss_mb'],
               'train_peak_rss_mb': last['train_peak_rss_mb']}
        for mode in ('quantiles', 'samples'):
            e = r.get(f'export_{mode}')
            if e:
                row.update({f'export_{mode}_s': e['export_s'], f'export_{mode}_peak_rss_mb': e['export_peak_rss_mb'],
                            f'export_{mode}_pearson': e['pearson']})
        row['process_peak_rss_mb'] = r['final'].get('peak_rss_mb')
        summary.append(row)
    summary = pd.DataFrame(summary)
    # time for each run to reach the peer's final accuracy
    peer = summary[summary.library == 'cell2location']
    if len(peer):
        target = float(peer.pearson.iloc[0])
        summary['s_to_peer_final_pearson'] = [
            (lambda h: float(h.train_s.iloc[0]) if len(h) else np.nan)(curve[(curve.method == m) & (curve.pearson >= target)])
            for m in summary.method]
    curve.to_csv(os.path.join(a.out, f'{stem}_curve.csv'), index=False)
    if os.path.exists(os.path.join(a.out, f'{stem}_curve.partial.csv')): os.remove(os.path.join(a.out, f'{stem}_curve.partial.csv'))
    summary.to_csv(os.path.join(a.out, f'{stem}_summary.csv'), index=False)
    pt = pd.concat(per_type, axis=1)
    pt.to_csv(os.path.join(a.out, f'{stem}_per_type.csv'))
    meta.update(started=started, finished=finished, load_1min=[float(x.split()[0]) for x in loads if x != 'n/a'],
                machine=f'{platform.machine()}, {os.cpu_count()} cores', args=vars(a),
                versions={r['name']: r['info'] for r in runs})
    json.dump(meta, open(os.path.join(a.out, f'{stem}_meta.json'), 'w'), indent=1, default=str)
    md = markdown(summary, curve, meta)
    open(os.path.join(a.out, f'{stem}.md'), 'w').write(md)
    plot(curve, os.path.join(a.out, f'{stem}.png'), meta)
    print('\n' + md)
    if os.path.abspath(a.out) == os.path.abspath(os.path.join(HERE, 'results')):  # the documentation page
        import make_page
        make_page.main([])
    shutil.rmtree(work, ignore_errors=True)
    return summary, curve


def from_partial(a):
    "Tables and figure of a run that was stopped, from the curve it wrote after every chunk."
    import numpy as np
    import pandas as pd
    stem = f"spatial_{a.size}{'_' + a.tag if a.tag else ''}"
    path = os.path.join(a.out, f'{stem}_curve.partial.csv')
    curve = pd.read_csv(path)
    work = tempfile.mkdtemp(prefix='c2l_bench_')
    meta = prepare_data(a.size, a.seed, work)['meta']
    shutil.rmtree(work, ignore_errors=True)
    summary = []
    for m, g in curve.groupby('method', sort=False):
        last = g.iloc[-1]
        summary.append({'method': m, 'library': last.library, 'settings': 'stopped early: the steps it reached',
                        'steps': int(last.steps), 'train_s': float(last.train_s),
                        's_per_step': float(last.train_s) / max(int(last.steps), 1),
                        **{c: float(last[c]) for c in ACC_COLS}, 'train_peak_rss_mb': float(g.train_peak_rss_mb.max())})
    summary = pd.DataFrame(summary)
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path)).isoformat(timespec='seconds')
    meta.update(started='(start not recorded)', finished=f'{mtime} (stopped)', machine=f'{platform.machine()}, {os.cpu_count()} cores',
                load_1min=[float(x) for x in curve.load_1min], args=vars(a))
    curve.to_csv(os.path.join(a.out, f'{stem}_curve.csv'), index=False)
    summary.to_csv(os.path.join(a.out, f'{stem}_summary.csv'), index=False)
    json.dump(meta, open(os.path.join(a.out, f'{stem}_meta.json'), 'w'), indent=1, default=str)
    md = markdown(summary, curve, meta)
    open(os.path.join(a.out, f'{stem}.md'), 'w').write(md)
    plot(curve, os.path.join(a.out, f'{stem}.png'), meta)
    os.remove(path)
    print(md)
    if os.path.abspath(a.out) == os.path.abspath(os.path.join(HERE, 'results')):
        import make_page
        make_page.main([])
    return summary, curve


def markdown(summary, curve, meta) -> str:
    import pandas as pd
    ld = meta['load_1min']
    lines = [f"# Spatial model: {meta['size']} ({meta['n_obs']} spots x {meta['n_vars']} genes x {meta['n_types']} types)",
             '', f"{meta['started']} to {meta['finished']}; {meta['machine']}; 1-minute load average during the run "
             f"{min(ld):.1f} to {max(ld):.1f} (mean {sum(ld) / len(ld):.1f}). True signatures, "
             f"N_cells_per_location={meta['N_cells_per_location']:.2f}, detection_alpha=20. Accuracy of the q05 "
             "abundance against the truth (overall Pearson r of abundances, of proportions, PR-AUC of presence).", '']
    cols = {'method': 'method', 'settings': 'settings', 'steps': 'steps', 'train_s': 'train (s)',
            's_per_step': 's/step', 'pearson': 'r', 'pearson_proportion': 'r prop.', 'pr_auc': 'PR-AUC',
            'train_peak_rss_mb': 'train peak RSS (MB)', 'export_quantiles_s': 'export q. (s)',
            'export_quantiles_peak_rss_mb': 'export q. peak (MB)', 'export_samples_s': 'export samples (s)',
            'export_samples_peak_rss_mb': 'export samples peak (MB)', 'export_samples_pearson': 'r (sampled q05)',
            's_to_peer_final_pearson': "s to peer's final r"}
    t = summary[[c for c in cols if c in summary]].rename(columns=cols)
    lines += [_md_table(t), '', '## Accuracy after each chunk', '']
    c = curve[['method', 'steps', 'train_s', 'chunk_s_per_step', 'loss_last', 'pearson', 'pearson_proportion',
               'pr_auc', 'load_1min']].rename(columns={'train_s': 'train (s)', 'chunk_s_per_step': 's/step (chunk)',
                                                       'loss_last': 'loss', 'load_1min': 'load'})
    lines += [_md_table(c), '',
              'Peak RSS is the resident-set high-water mark of the method\'s own process (reset before each phase; '
              'training includes building the model). Train time excludes the accuracy evaluations between chunks.']
    return '\n'.join(lines) + '\n'


def _md_table(df) -> str:
    def fmt(v):
        if isinstance(v, float):
            if v != v: return ''
            return f'{v:.4f}' if abs(v) < 1 else f'{v:.4g}' if abs(v) < 1e5 else f'{v:.4e}'
        return str(v)
    rows = ['| ' + ' | '.join(map(str, df.columns)) + ' |', '|' + '---|' * len(df.columns)]
    rows += ['| ' + ' | '.join(fmt(v) for v in r) + ' |' for r in df.itertuples(index=False)]
    return '\n'.join(rows)


def plot(curve, path, meta):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter
    fig, axs = plt.subplots(1, 3, figsize=(14, 4.2))
    for ax, col, lab in zip(axs, ACC_COLS, ['Pearson r, abundance', 'Pearson r, proportions', 'PR-AUC, presence']):
        for m, g in curve.groupby('method', sort=False):
            ax.plot(g.train_s, g[col], marker='o', ms=3, label=m)
        ax.set_xscale('log'); ax.set_xlabel('training wall time (s)'); ax.set_ylabel(lab); ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        ax.xaxis.set_major_formatter(ScalarFormatter()); ax.xaxis.set_minor_formatter(NullFormatter())
    axs[0].legend(fontsize=8)
    fig.suptitle(f"Spatial model, {meta['size']}: {meta['n_obs']} spots x {meta['n_vars']} genes x {meta['n_types']} "
                 f"types (q05 abundance vs truth)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == '__main__':
    main()
