"""Paired timing for the accuracy suite: on each regime (seed 0), cell2location for 1,500 full-data steps and c2l_nb's
default `train()`, back to back, one thread each; run it with nothing else on the machine.

    python benchmarks/accuracy_suite/suite_timing.py [--regimes all] [--repeats 1] [--append]

Writes benchmarks/accuracy_suite/results/suite_timing.{csv,md}: cell2location's seconds per step (its 30,000 default steps
projected from it), c2l_nb's steps and training seconds, and the fraction of cell2location's time that c2l_nb took.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), 'tools'), os.path.dirname(HERE)]  # accuracy_suite, _common, make_page
import accuracy_suite as S  # noqa: E402


def last(run):
    logs = [json.loads(x) for x in open(os.path.join(run, 'log.jsonl')) if '"spatial"' in x]
    return logs[-1]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--regimes', default='all')
    p.add_argument('--repeats', type=int, default=1)
    p.add_argument('--peer-steps', type=int, default=1500)
    p.add_argument('--append', action='store_true', help='keep the saved rows of the other regimes')
    a = p.parse_args(argv)
    import pandas as pd
    rows = []
    for rep in range(a.repeats):
        for regime in (list(S.REGIMES) if a.regimes == 'all' else a.regimes.split(',')):
            data = S.prepare(regime, 0)
            runs = {}
            for lib in (['peer', 'c2l_nb'] if rep % 2 == 0 else ['c2l_nb', 'peer']):
                cfg = f'timing{rep}'
                out = os.path.join(data, f'{lib}_own_{cfg}')
                shutil.rmtree(out, ignore_errors=True)
                S.job(lib, 'own', data, cfg, checkpoints=str(a.peer_steps) if lib == 'peer' else '',
                      ref_tag='' if lib == 'peer' else '_exp')
                runs[lib] = last(out)
            peer, ours = runs['peer'], runs['c2l_nb']
            rows.append(dict(regime=regime, repeat=rep, peer_s_per_step=peer['s_per_step'],
                             peer_30k_s=peer['s_per_step'] * 30000, c2l_nb_steps=ours['steps'],
                             c2l_nb_s_per_step=ours['s_per_step'], c2l_nb_train_s=ours['train_s'],
                             fraction=ours['train_s'] / (peer['s_per_step'] * 30000), c2l_nb_status=ours['status']))
            print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    path = os.path.join(HERE, 'results', 'suite_timing.csv')
    if a.append and os.path.exists(path):
        old = pd.read_csv(path)
        df = pd.concat([old[~old.regime.isin(df.regime)], df], ignore_index=True)
    df.to_csv(os.path.join(HERE, 'results', 'suite_timing.csv'), index=False)
    with open(os.path.join(HERE, 'results', 'suite_timing.md'), 'w') as f:
        import datetime, torch
        f.write('# Paired timing\n\n' + S.markdown(df) + f"\nMean fraction of cell2location's 30,000-step time: "
                f"{df.fraction.mean():.3f} (1/{1 / df.fraction.mean():.0f}).\n\n"
                f"Measured on {datetime.date.today()} with nothing else running, one thread each, torch {torch.__version__} for "
                "c2l_nb: cell2location's seconds per step over its first steps, projected to its 30,000; c2l_nb's `train()` "
                "with its defaults, its training time including compiling the step (`torch.compile`; `engine/results/compile_time.md`).\n")
    import make_page
    make_page.main([])


if __name__ == '__main__':
    main()
