"""Reference regression benchmark: seconds per epoch and peak memory, c2l_nb against cell2location.

The simulated reference of a `c2l_nb.sim.simulate` preset ('small': 10,000 cells x 3,000 genes x 20 types), set up
as in the tutorial (batch_key='Sample', labels_key='Subset', categorical_covariate_keys=['Method']), minibatches of
2,500 cells. Each library runs in its own process; after a warm-up, timed chunks alternate between the two.

    python benchmarks/reference/bench_reference.py --size small --warmup 2 --epochs 10 --repeats 2

Options and the run on the documentation page: benchmarks/reference/README.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(BENCH, 'tools'), os.path.join(BENCH, 'visium_scale'), BENCH]  # _common, bench_spatial, make_page
from _common import Driver, load_avg  # noqa: E402
from bench_spatial import PEER_PYTHON, _md_table  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--size', default='small', choices=['tiny', 'small', 'lymph_node'], help='c2l_nb.sim.simulate preset')
    p.add_argument('--seed', type=int, default=0, help='simulation seed')
    p.add_argument('--warmup', type=int, default=2, help='untimed epochs first')
    p.add_argument('--epochs', type=int, default=10, help='epochs per timed chunk')
    p.add_argument('--repeats', type=int, default=2, help='timed chunks per library (alternating)')
    p.add_argument('--batch-size', type=int, default=2500, help='cells per minibatch')
    p.add_argument('--lr', type=float, default=0.002, help='learning rate (both libraries)')
    p.add_argument('--threads', type=int, default=1, help='torch/BLAS threads per process (0: library default)')
    p.add_argument('--skip-peer', action='store_true', help='time c2l_nb alone')
    p.add_argument('--peer-python', default=PEER_PYTHON)
    p.add_argument('--out', default=os.path.join(HERE, 'results'))
    p.add_argument('--tag', default='')
    return p.parse_args(argv)


def prepare_data(size: str, seed: int, folder: str) -> dict:
    import anndata as ad
    import pandas as pd
    from c2l_nb.sim import simulate
    ref, _ = simulate(size, seed=seed)
    out = ad.AnnData(X=ref.X, obs=ref.obs[['Sample', 'Subset', 'Method']].copy(), var=pd.DataFrame(index=ref.var_names))
    out.write_h5ad(os.path.join(folder, 'ref.h5ad'))
    pd.DataFrame(ref.varm['true_signatures'], index=ref.var_names).to_csv(os.path.join(folder, 'true_signatures.csv'))
    return dict(size=size, seed=seed, n_obs=int(out.n_obs), n_vars=int(out.n_vars),
                n_types=int(out.obs['Subset'].nunique()), n_batches=int(out.obs['Sample'].nunique()))


def main(argv=None):
    a = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill PID` cleans up like Ctrl-C
    os.makedirs(a.out, exist_ok=True)
    stem = f"reference_{a.size}{'_' + a.tag if a.tag else ''}"
    work = tempfile.mkdtemp(prefix='c2l_bench_ref_')
    started = datetime.datetime.now().isoformat(timespec='seconds')
    loads = [load_avg()]
    meta = prepare_data(a.size, a.seed, work)
    steps_per_epoch = -(-meta['n_obs'] // a.batch_size)
    print(f"[{started}] load {loads[0]}; {meta['n_obs']} cells x {meta['n_vars']} genes x {meta['n_types']} types, "
          f"{steps_per_epoch} steps per epoch", flush=True)
    env = {'BENCH_THREADS': str(a.threads)} if a.threads else {}
    runs = [dict(name='c2l_nb', python=sys.executable, script=os.path.join(BENCH, 'tools', 'c2l_nb_driver.py'))]
    if not a.skip_peer:
        runs.insert(0, dict(name='cell2location', python=a.peer_python, script=os.path.join(BENCH, 'tools', 'peer_driver.py')))
    rows = []
    try:
        for r in runs:
            r['driver'] = Driver(r['name'], r['python'], r['script'], os.path.join(work, f"{r['name']}.log"), env)
            r['info'] = r['driver'].ask('info')
            r['setup'] = r['driver'].ask('ref_setup', data=work)
            r['times'], r['epoch_times'] = [], []
        for r in runs:
            if a.warmup:
                r['warm'] = r['driver'].ask('ref_train', epochs=a.warmup, batch_size=a.batch_size, lr=a.lr)
                print(f"  {r['name']:>14}: warm-up {a.warmup} epochs {r['warm']['train_s']:.1f} s", flush=True)
        for k in range(a.repeats):
            for r in (runs if k % 2 == 0 else runs[::-1]):
                load = load_avg()
                loads.append(load)
                res = r['driver'].ask('ref_train', epochs=a.epochs, batch_size=a.batch_size, lr=a.lr)
                r['times'].append(res['train_s'] / a.epochs)
                r['epoch_times'] += res.get('epoch_s') or []
                r['last'] = res
                print(f"  {r['name']:>14}: {a.epochs} epochs {res['train_s']:.1f} s = {res['train_s'] / a.epochs:.3f} "
                      f"s/epoch, loss {res['loss_last']:.5g}, peak RSS {res['train_peak_rss_mb']:.0f} MB  [load {load}]",
                      flush=True)
        import numpy as np
        import pandas as pd
        from c2l_nb.reference import signature_error
        truth = pd.read_csv(os.path.join(work, 'true_signatures.csv'), index_col=0)
        for r in runs:  # accuracy of the signatures after the same number of epochs
            path = os.path.join(work, f"{r['name']}_sig.npy")
            names = r['driver'].ask('ref_signatures', path=path)['factor_names']
            est = pd.DataFrame(np.load(path).T, index=truth.index, columns=names)
            err = signature_error(est, truth[names])
            ok = truth[names].to_numpy() > 0.5
            r['sig_err'] = float(err.mean())
            r['sig_log_r'] = float(np.corrcoef(np.log(est.to_numpy()[ok]), np.log(truth[names].to_numpy()[ok]))[0, 1])
            print(f"  {r['name']:>14}: signature log-error {r['sig_err']:.4f}, log Pearson {r['sig_log_r']:.4f}", flush=True)
    except BaseException:  # interrupted or failed: stop the drivers at once, leave no temporary files
        for r in runs:
            if 'driver' in r: r['driver'].kill()
        shutil.rmtree(work, ignore_errors=True)
        raise
    for r in runs:
        r['final'] = r['driver'].close()
    loads.append(load_avg())
    for r in runs:
        row = {'method': r['name'], 'version': r['info'].get('version'), 'threads': r['info'].get('threads'),
               'epochs_timed': a.epochs * a.repeats, 's_per_epoch': statistics.median(r['times']),
               's_per_epoch_all': ' '.join(f'{t:.3f}' for t in r['times']),
               's_per_step': statistics.median(r['times']) / steps_per_epoch,
               'setup_s': r['setup']['setup_s'], 'base_rss_mb': r['setup']['base_rss_mb'],
               'train_peak_rss_mb': r['last']['train_peak_rss_mb'], 'loss_last': r['last']['loss_last'],
               'epochs_total': r['last']['epochs'], 'signature_log_error': r['sig_err'],
               'signature_log_pearson': r['sig_log_r']}
        if r['epoch_times']:  # the peer's epochs timed inside Lightning (without the trainer's start-up)
            row['s_per_epoch_inside_trainer'] = statistics.median(r['epoch_times'])
        rows.append(row)
    import pandas as pd
    df = pd.DataFrame(rows)
    df.to_csv(os.path.join(a.out, f'{stem}.csv'), index=False)
    lv = [float(x.split()[0]) for x in loads if x != 'n/a']
    meta.update(started=started, finished=datetime.datetime.now().isoformat(timespec='seconds'), load_1min=lv,
                machine=f'{platform.machine()}, {os.cpu_count()} cores', args=vars(a),
                versions={r['name']: r['info'] for r in runs})
    json.dump(meta, open(os.path.join(a.out, f'{stem}_meta.json'), 'w'), indent=1, default=str)
    cols = {'method': 'method', 'version': 'version', 'threads': 'threads', 's_per_epoch': 's/epoch (median)',
            's_per_epoch_all': 's/epoch (each chunk)', 's_per_epoch_inside_trainer': 's/epoch inside the trainer',
            's_per_step': 's/step', 'epochs_total': 'epochs in all', 'signature_log_error': 'signature error',
            'signature_log_pearson': 'signature log r', 'train_peak_rss_mb': 'train peak RSS (MB)', 'base_rss_mb': 'RSS before the model (MB)'}
    md = (f"# Reference regression: {a.size} ({meta['n_obs']} cells x {meta['n_vars']} genes x {meta['n_types']} types)\n\n"
          f"{meta['started']} to {meta['finished']}; {meta['machine']}; 1-minute load average {min(lv):.1f} to "
          f"{max(lv):.1f}. batch_key='Sample', labels_key='Subset', categorical_covariate_keys=['Method'], "
          f"batch_size={a.batch_size} ({steps_per_epoch} steps per epoch), lr={a.lr}; {a.warmup} warm-up epochs, then "
          f"{a.repeats} alternating chunks of {a.epochs} epochs per library (whole `train()` calls timed).\n\n"
          + _md_table(df[[c for c in cols if c in df]].rename(columns=cols)) + '\n\n'
          "Signature error: per cell type, the RMS of log(estimate / truth) around its median over genes with a true "
          "mean above 0.5 (`c2l_nb.reference.signature_error`), averaged over types; log r: Pearson correlation of "
          "log signatures over the same entries. Both from the posterior median after all the epochs above.\n")
    open(os.path.join(a.out, f'{stem}.md'), 'w').write(md)
    print('\n' + md)
    if os.path.abspath(a.out) == os.path.abspath(os.path.join(HERE, 'results')):  # the documentation page
        import make_page
        make_page.main([])
    shutil.rmtree(work, ignore_errors=True)
    return df


if __name__ == '__main__':
    main()
