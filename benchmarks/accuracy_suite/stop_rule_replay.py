"""Replay candidate stopping rules on recorded training runs: would a rule that measures the jitter of the monitored
abundances stop earlier, and at what cost in accuracy?

    python benchmarks/accuracy_suite/stop_rule_replay.py record suite REGIME SEED [--epochs 6000]   # an accuracy-suite run (bench_out/suite)
    python benchmarks/accuracy_suite/stop_rule_replay.py record slideseq 0 [--epochs 10000]        # the real Slide-seq beads (no truth)
    python benchmarks/accuracy_suite/stop_rule_replay.py record sim hd8|slide SEED [--epochs 5000]  # bench_hd.simulate_hd, 3,000 bins
    python benchmarks/accuracy_suite/stop_rule_replay.py report                                    # benchmarks/accuracy_suite/results/stop_rule_replay.md
    python benchmarks/accuracy_suite/stop_rule_replay.py net-report                                # benchmarks/accuracy_suite/results/stop_rule_net.md

`record` trains with `train()`'s defaults and the stopping rule off (`early_stopping=False`; the schedule does not
depend on it) and keeps what a rule sees: the monitored q05 of w_sf averaged over every 100 epochs (half of the rule's
200-epoch window), and the q05/q95 maps every 200 epochs (seeded draws outside the training's random stream, so the
run is the suite's own: at its stopping epoch the map equals the suite's). `report` replays rules on the records:
- `current` (c2l_nb's rule, `c2l_nb.svi.Convergence`): a window is calm when the mean total-variation change of the
  proportions and the mean |change| of the log totals since the previous window are both below 0.5%; two calm
  windows in a row, from epoch 2,000;
- `jitter k`: a change also counts as calm when it is below k times the change between the two halves of the same
  window (the jitter within a window). Pure jitter that is independent across epochs gives a ratio (change between
  windows) / (change between halves) of about 0.7; a steady drift gives 2.
Records live in bench_out/stop_rule/ (not committed). Nothing here runs in CI.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BENCH = os.path.dirname(HERE)
REC = os.path.join(ROOT, 'bench_out', 'stop_rule')
BLOCK, EVAL, WINDOW = 100, 200, 200


def build(kind: str, name: str, seed: int):
    "(model, truth or None, record name) for one run."
    import numpy as np, pandas as pd, anndata as ad
    from c2l_nb.models import Cell2location
    if kind == 'suite':
        d = os.path.join(ROOT, 'bench_out', 'suite', f'{name}_s{seed}')
        meta = json.load(open(os.path.join(d, 'meta.json')))
        sig = pd.read_csv(os.path.join(d, f'signatures_c2l_nb_seed{seed}.csv'), index_col=0)
        vis = ad.read_h5ad(os.path.join(d, 'vis.h5ad'))
        g = sig.index.intersection(vis.var_names); vis, sig = vis[:, g].copy(), sig.loc[g]
        sig = sig[json.load(open(os.path.join(d, 'types.json')))]
        Cell2location.setup_anndata(vis, batch_key='sample')
        mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20)
        return mod, pd.read_csv(os.path.join(d, 'truth.csv'), index_col=0).values, f'suite_{name}_s{seed}'
    if kind == 'sim':
        sys.path[:0] = [os.path.join(BENCH, 'hd_scale'), os.path.join(BENCH, 'tools')]
        from hd_crops import DATA
        from bench_hd import simulate_hd
        p = DATA[name]
        X, truth, sig, _ = simulate_hd(3000, p['genes'], p['types'], cells_per_bin=p['cells'], cell_umis=p['umis'], seed=seed)
        vis = ad.AnnData(X, obs=pd.DataFrame(index=[f'b{i}' for i in range(3000)]), var=pd.DataFrame(index=sig.index))
        Cell2location.setup_anndata(vis)
        return Cell2location(vis, cell_state_df=sig, N_cells_per_location=p['cells'], detection_alpha=20), truth, f'sim_{name}_s{seed}'
    if kind == 'slideseq':  # the cerebellum beads shipped in c2l_nb.datasets, with the signatures of the tutorial's reference training
        sys.path.insert(0, os.path.join(BENCH, 'real_data'))
        from slideseq_runaway import beads_and_signatures
        vis, sig = beads_and_signatures()
        Cell2location.setup_anndata(vis)
        return Cell2location(vis, cell_state_df=sig, N_cells_per_location=2, detection_alpha=20), None, f'slideseq_s{seed}'
    raise ValueError(kind)


def record(kind: str, name: str, seed: int, epochs: int, train_kwargs: dict | None = None, variant: str = '') -> str:
    import numpy as np, torch
    torch.set_num_threads(1)
    mod, truth, tag = build(kind, name, seed)
    tag += f'_{variant}' if variant else ''
    blocks, acc, evals = [], [0., 0], {}

    def look(e):
        with torch.no_grad(): acc[0], acc[1] = acc[0] + mod._monitored(mod.module.guide).detach().float(), acc[1] + 1
        if (e + 1) % BLOCK == 0:
            blocks.append((acc[0] / acc[1]).numpy().astype(np.float32)); acc[0], acc[1] = 0., 0
        if (e + 1) % EVAL == 0:
            mod.is_trained_ = True
            with torch.random.fork_rng(): evals[e + 1] = [np.asarray(mod.posterior_quantile(q)['w_sf'], np.float32) for q in (0.05, 0.95)]
            mod.is_trained_ = False
    t0 = time.time()
    mod.train(max_epochs=epochs, early_stopping=False, progress_bar=False, seed=seed, callback=look, **(train_kwargs or {}))
    os.makedirs(REC, exist_ok=True)
    ep = sorted(evals)
    out = os.path.join(REC, f'{tag}.npz')
    np.savez_compressed(out, blocks=np.stack(blocks), eval_epochs=np.array(ep), q05=np.stack([evals[k][0] for k in ep]),
                        q95=np.stack([evals[k][1] for k in ep]), truth=np.zeros(0) if truth is None else truth,
                        seconds=time.time() - t0, settled=settled_epoch(mod))
    return out


def settled_epoch(mod) -> int:
    "The first epoch at the final learning rate of the default full-batch schedule that `record` ran (-1: another schedule)."
    mode = getattr(mod, 'train_mode_', {})
    return -1 if mode.get('batch_size') is not None or 'minibatch' in str(mode.get('why', '')) else mod._default_decay_epochs - 1


def change(a, b) -> tuple:
    "(mean total-variation change of the rows' proportions, mean |change| of log totals), as `Convergence.change`."
    import numpy as np
    ta, tb = a.sum(-1).clip(1e-12), b.sum(-1).clip(1e-12)
    return 0.5 * np.abs(a / ta[:, None] - b / tb[:, None]).sum(-1).mean(), np.abs(np.log(ta) - np.log(tb)).mean()


def looks(blocks) -> list:
    "At the end of every window: its epoch, the change since the previous window, and the change between its halves."
    W = [(blocks[2 * j] + blocks[2 * j + 1]) / 2 for j in range(len(blocks) // 2)]
    return [dict(epoch=WINDOW * (j + 1), D=change(W[j], W[j - 1]), H=change(blocks[2 * j + 1], blocks[2 * j]))
            for j in range(1, len(W))]


def stop_epoch(ls, k=None, tol=0.005, patience=2, min_epochs=2000):
    "The epoch where the rule stops (None: it does not), k: the jitter multiple (None: the current rule)."
    calm = 0
    for s in ls:
        ok = all(s['D'][i] < max(tol, (k or 0.) * s['H'][i]) for i in (0, 1))
        calm = calm + 1 if ok else 0
        if calm >= patience and s['epoch'] >= min_epochs: return s['epoch']
    return None


def report(rec=REC, ks=(0.8, 1.0, 1.2, 1.5)) -> str:
    import numpy as np
    sys.path.insert(0, HERE)
    from accuracy_suite import metrics
    rows, ratios = [], []
    for f in sorted(glob.glob(os.path.join(rec, '*.npz'))):
        d = np.load(f); ls = looks(d['blocks']); ep = list(d['eval_epochs']); tag = os.path.basename(f)[:-4]
        cur = stop_epoch(ls)
        end = cur or ep[-1]
        lo = 1000 if d['truth'].size else 5000
        rat = [(s['D'][0] / s['H'][0], s['D'][1] / s['H'][1]) for s in ls if lo <= s['epoch'] <= end]
        ratios.append((tag, cur, min(r[0] for r in rat), max(r[0] for r in rat), min(r[1] for r in rat), max(r[1] for r in rat)))
        if not d['truth'].size or cur is None: continue
        base = metrics(d['q05'][ep.index(cur)], d['q95'][ep.index(cur)], d['truth'])
        for k in ks:
            e = stop_epoch(ls, k)
            m = metrics(d['q05'][ep.index(e)], d['q95'][ep.index(e)], d['truth']) if e else base
            rows.append((tag, k, cur, e, base['r'], m['r'] - base['r'], m['pr_auc'] - base['pr_auc'], m['jsd'] - base['jsd']))
    L = ['# Stopping rules replayed on recorded runs', '', __doc__.split('\n\n')[1].strip(), '',
         '## Where each rule stops (suite runs; r, PR-AUC and JSD of q05 against the truth, minus the current rule\'s)', '',
         '| run | jitter multiple k | current rule stops at | jitter rule stops at | r, current | d_r | d_pr_auc | d_jsd |',
         '|---|---|---|---|---|---|---|---|']
    L += [f'| {t} | {k} | {c} | {e} | {r:.4f} | {dr:+.4f} | {dp:+.4f} | {dj:+.4f} |' for t, k, c, e, r, dr, dp, dj in rows]
    L += ['', '| k | runs stopped earlier | worst d_r | mean d_r |', '|---|---|---|---|']
    for k in ks:
        sel = [x for x in rows if x[1] == k]
        if sel: L.append(f'| {k} | {sum(x[3] < x[2] for x in sel)} of {len(sel)} | {min(x[5] for x in sel):+.4f} | {np.mean([x[5] for x in sel]):+.4f} |')
    L += ['', '## Change between windows / change between the halves of a window',
          '', 'From epoch 1,000 to the current rule\'s stop (suite runs, where the q05 maps still improve), or from epoch 5,000 on '
          '(runs without truth, or where the current rule never stops: to the end of the record).', '',
          '| run | current rule stops at | proportions, min | proportions, max | totals, min | totals, max |', '|---|---|---|---|---|---|']
    L += [f'| {t} | {c} | {a:.2f} | {b:.2f} | {x:.2f} | {y:.2f} |' for t, c, a, b, x, y in ratios]
    text = '\n'.join(L) + '\n'
    open(os.path.join(HERE, 'results', 'stop_rule_replay.md'), 'w').write(text)
    return text


def replay(blocks, settled: int, **rule) -> int | None:
    "The epoch where `c2l_nb.svi.Convergence` (the package's own rule, with `rule`'s settings) stops on a record (None: never)."
    import torch
    from c2l_nb.svi import EARLY_STOP, Convergence
    vals = iter([torch.as_tensor(b) for b in blocks for _ in range(BLOCK)])
    conv = Convergence(lambda: next(vals), **{**EARLY_STOP, 'settled': settled, **rule})
    return next((e + 1 for e in range(len(blocks) * BLOCK) if conv(e)), None)


def net_report(rec=REC, spans=(0, 3, 5, 10)) -> str:
    "The rule with and without its net-change test (`span`; 0: the change per window only) on every record."
    import numpy as np
    sys.path.insert(0, HERE)
    from accuracy_suite import metrics
    keys = ('r', 'pr_auc', 'jsd', 'cover90', 'false_presence')
    rows = []
    for f in sorted(glob.glob(os.path.join(rec, '*.npz'))):
        d = np.load(f); ep = list(d['eval_epochs']); tag = os.path.basename(f)[:-4]
        settled = int(d['settled']) if 'settled' in d else (4999 if ('few_cells' in tag or 'mid_cells' in tag) else 3999)
        for span in (spans if settled >= 0 else (0,)):  # another schedule: the net-change test is not replayed
            e = replay(d['blocks'], settled, span=span)
            at = e or ep[-1]
            m = metrics(d['q05'][ep.index(at)], d['q95'][ep.index(at)], d['truth']) if d['truth'].size else {}
            rows.append([tag, span, e or f'none ({ep[-1]})'] + [f'{m[k]:.4f}' if m else '' for k in keys])
    L = ['# The stopping rule\'s net-change test, replayed on recorded runs', '',
         'python benchmarks/accuracy_suite/stop_rule_replay.py record suite REGIME SEED --epochs 10000 [--train-kwargs JSON --variant NAME]',
         'python benchmarks/accuracy_suite/stop_rule_replay.py net-report', '',
         '`c2l_nb.svi.Convergence` itself is replayed on each record\'s window means. span 0: a window is calm when the '
         'proportions and the log totals moved less than 0.5% since the previous window (the rule before the test); '
         'span k: once the k + 1 windows compared all ran at the final learning rate, a measure also counts as calm when '
         'its net change over the last k windows, divided by k, is below 0.5%. The metrics are those of the q05/q95 maps '
         'at the stop (at the end of the record where the rule never stops). The default is span 5. Records named '
         '`_zw1000` used `zone_warm_start=1000` (not the default) and ran 7,000 epochs; `slideseq_s0` (the real beads, '
         'N = 2) has no truth.', '',
         '| record | span | stops at | ' + ' | '.join(keys) + ' |', '|---|---|---|' + '---|' * len(keys)]
    L += ['| ' + ' | '.join(map(str, r)) + ' |' for r in rows]
    text = '\n'.join(L) + '\n'
    open(os.path.join(HERE, 'results', 'stop_rule_net.md'), 'w').write(text)
    return text


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('cmd', choices=['record', 'report', 'net-report'])
    p.add_argument('args', nargs='*', help='record: KIND [NAME] SEED')
    p.add_argument('--epochs', type=int, default=None)
    p.add_argument('--train-kwargs', default='{}', help="record: more train() arguments (JSON), e.g. '{\"zone_warm_start\": 1000}'")
    p.add_argument('--variant', default='', help='record: a name for those arguments (appended to the record\'s name)')
    p.add_argument('--dir', default=REC, help='report: the records')
    a = p.parse_args(argv)
    if a.cmd == 'record':
        kind, *rest = a.args
        name, seed = (None, int(rest[0])) if kind == 'slideseq' else (rest[0], int(rest[1]))
        epochs = a.epochs or {'suite': 6000, 'sim': 5000, 'slideseq': 10000}[kind]
        print(record(kind, name, seed, epochs, json.loads(a.train_kwargs), a.variant), flush=True)
    elif a.cmd == 'net-report': print(net_report(a.dir))
    else: print(report(a.dir))


if __name__ == '__main__':
    main()
