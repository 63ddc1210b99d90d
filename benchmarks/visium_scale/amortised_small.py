"""Amortised guide against the per-spot (mean-field) guide on the simulator's `small` preset.

Seconds per step, and the overall Pearson r of the q05 abundance against the truth after training, with the steps
needed to come within 0.01 of the per-spot guide's r. True signatures as `cell_state_df` (as `bench_spatial.py`),
detection_alpha=20, N_cells_per_location = the simulation's mean cells per spot. One run at a time, one thread.

    python benchmarks/visium_scale/amortised_small.py --run name=per_spot                      # library defaults, per-spot guide
    python benchmarks/visium_scale/amortised_small.py --run name=amortised,amortised=1         # amortised defaults
    python benchmarks/visium_scale/amortised_small.py --run name=a2,amortised=1,lr=0.005,epochs=500,batch_size=100,encoder_mode=multiple
    python benchmarks/visium_scale/amortised_small.py --table                                  # results/amortised_small.md

Each run appends one row to results/amortised_small.csv and its curve (r every `every` epochs) to
results/amortised_small_curve.csv; the curve's evaluations are excluded from the training time.
"""
from __future__ import annotations
import argparse, csv, json, math, os, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'results')
KEYS = ('name', 'amortised', 'encoder_mode', 'n_hidden', 'n_layers', 'dropout', 'epochs', 'batch_size', 'lr', 'lr_end', 'every', 'seed')


def parse(spec: str) -> dict:
    "`k=v,...` into settings (numbers where they parse)."
    out = {}
    for kv in spec.split(','):
        k, v = kv.split('=')
        if k not in KEYS: raise SystemExit(f"unknown setting {k!r}; known: {KEYS}")
        try: v = int(v)
        except ValueError:
            try: v = float(v)
            except ValueError: pass
        out[k] = v
    return out


def data(seed: int = 0):
    "The small preset's spots and true signatures (genes with a signature only), truth and mean cells per spot."
    import numpy as np, pandas as pd
    from anndata import AnnData
    from c2l_nb.sim import simulate
    _, vis = simulate('small', seed=seed)
    truth = vis.obsm['true_abundance']
    sig = vis.varm['true_signatures']
    sig = pd.DataFrame(np.asarray(sig), index=vis.var_names, columns=list(sig.columns))[list(truth.columns)]
    keep = sig.sum(1).to_numpy() > 0
    ad = AnnData(X=vis.X[:, keep], obs=vis.obs[['sample']].copy(), var=pd.DataFrame(index=vis.var_names[keep]))
    return ad, sig.loc[keep], truth, float(vis.uns['sim']['mean_total_cells'])


def run(s: dict) -> dict:
    import numpy as np, torch
    from c2l_nb.spatial import Cell2location
    from c2l_nb.sim import abundance_accuracy
    torch.set_num_threads(1)
    ad, sig, truth, n_cells = data()
    Cell2location.setup_anndata(ad)
    am = bool(s.get('amortised', 0))
    enc = {k: s[k] for k in ('n_hidden', 'n_layers', 'dropout') if k in s}
    mod = Cell2location(ad, cell_state_df=sig, N_cells_per_location=n_cells, detection_alpha=20.0, amortised=am,
                        **(dict(encoder_mode=s.get('encoder_mode', 'single'), encoder_kwargs=enc or None) if am else {}))
    r = lambda: float(abundance_accuracy(mod.posterior_quantile(0.05)['w_sf'], truth).loc['overall', 'pearson'])
    kw = {}
    if 'epochs' in s: kw['max_epochs'] = int(s['epochs'])
    if 'batch_size' in s: kw['batch_size'] = None if s['batch_size'] == 0 else int(s['batch_size'])
    if 'lr' in s: kw['lr'] = float(s['lr'])
    if 'lr_end' in s: kw['lr_end'] = None if s['lr_end'] == 0 else float(s['lr_end'])
    bs = kw.get('batch_size', 'default')
    bs = mod._default_batch_size if bs == 'default' else bs
    steps_per_epoch = 1 if bs is None else math.ceil(ad.n_obs / bs)
    every, curve, spent = int(s.get('every', 0)), [], [0.]

    def cb(epoch):
        if every and (epoch + 1) % every == 0:
            t = time.perf_counter(); curve.append(((epoch + 1) * steps_per_epoch, r())); spent[0] += time.perf_counter() - t
    mod.is_trained_ = True  # the callback reads quantiles during training
    t0 = time.perf_counter()
    mod.train(progress_bar=False, seed=int(s.get('seed', 0)), callback=cb, **kw)
    secs = time.perf_counter() - t0 - spent[0]
    steps = len(mod.history_['elbo_train']) * steps_per_epoch
    final = r()
    return dict(name=s['name'], guide='amortised' if am else 'per-spot', settings=json.dumps({k: v for k, v in s.items() if k != 'name'}),
                batch_size=bs if bs is not None else ad.n_obs, steps=steps, train_s=round(secs, 1), s_per_step=round(secs / steps, 4),
                q05_r=round(final, 4), status=mod.train_status_, load=round(os.getloadavg()[0], 2), curve=curve)


def write_row(row: dict):
    os.makedirs(OUT, exist_ok=True)
    f = os.path.join(OUT, 'amortised_small.csv')
    cols = [k for k in row if k != 'curve']
    new = not os.path.exists(f)
    with open(f, 'a', newline='') as h:
        w = csv.DictWriter(h, cols)
        if new: w.writeheader()
        w.writerow({k: row[k] for k in cols})
    with open(os.path.join(OUT, 'amortised_small_curve.csv'), 'a') as h:
        for st, rr in row['curve']: h.write(f"{row['name']},{st},{rr:.4f}\n")


def table():
    "results/amortised_small.md from the CSV: each run, its r, and the first step where it came within 0.01 of per_spot."
    import pandas as pd
    df = pd.read_csv(os.path.join(OUT, 'amortised_small.csv'))
    cf = os.path.join(OUT, 'amortised_small_curve.csv')
    cur = pd.read_csv(cf, names=['name', 'step', 'r']) if os.path.exists(cf) else pd.DataFrame(columns=['name', 'step', 'r'])
    ref = df.loc[df.name == 'per_spot', 'q05_r']
    target = float(ref.iloc[-1]) - 0.01 if len(ref) else math.nan
    def first(n):
        c = cur[(cur.name == n) & (cur.r >= target)]
        return int(c.step.min()) if len(c) else ''
    df['steps_to_target'] = [first(n) for n in df.name]
    df['r_gap'] = (df.q05_r - (target + 0.01)).round(4)
    cols = ['name', 'guide', 'settings', 'batch_size', 'steps', 'train_s', 's_per_step', 'q05_r', 'r_gap', 'steps_to_target', 'status', 'load']
    lines = ['# Amortised guide vs per-spot guide: simulator `small` preset (1000 spots, 3000 genes, 20 types), seed 0', '',
             'One thread (`torch.set_num_threads(1)`) on a shared 2-core machine (1-minute load average in `load`). '
             'q05_r: overall Pearson r of the q05 abundance against the truth after training; r_gap: q05_r minus the '
             f'per-spot guide\'s ({target + 0.01:.4f}); steps_to_target: first evaluated step with r within 0.01 of it '
             '(curve evaluated every `every` epochs, blank when not evaluated or not reached). Written by '
             '`benchmarks/visium_scale/amortised_small.py --table`.', '',
             '| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
    for _, x in df.iterrows(): lines.append('| ' + ' | '.join(str(x[c]).replace('|', '/') for c in cols) + ' |')
    lines += ['', 'Rows whose name contains `meanlin` or `mup` ran an encoder since discarded (linear maps divided by their input '
              'width, resp. by its square root, for the encoder layers; `nonorm`: without the layer normalisation); the other '
              'amortised rows ran the encoder as committed (linear, layer norm, ReLU), with dropout 0.1 (the default until '
              'then) unless `dropout` is set, except `amortised_defaults_seed1` and `time_amortised_dropout0`, run after the '
              'default became 0. `time_*` rows are short runs for seconds per step only, alternated under the same load. '
              'Two runs of the discarded forms at lr 0.05 without the width division (plain linear maps) and at lr 0.01 '
              'without layer normalisation stopped at once with a NaN loss and left no row.']
    open(os.path.join(OUT, 'amortised_small.md'), 'w').write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', help='one run: k=v,... with keys ' + ', '.join(KEYS))
    p.add_argument('--table', action='store_true', help='write results/amortised_small.md')
    a = p.parse_args()
    if a.run:
        row = run(parse(a.run)); write_row(row)
        print({k: v for k, v in row.items() if k != 'curve'}, row['curve'][-5:])
    if a.table: table()
