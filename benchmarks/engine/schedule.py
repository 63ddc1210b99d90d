"""Fewer steps: does a shorter learning-rate schedule keep the accuracy, with or without a warm start of the abundances?

    python benchmarks/engine/schedule.py        # results/schedule.md, from accuracy_suite/results/suite_runs.csv

The runs are accuracy-suite runs, made with
`accuracy_suite.py run --lib c2l_nb --sig own --config NAME --seeds S --train-kwargs JSON` (`CONFIGS` below: name,
seeds, JSON). `decay_epochs` sets the schedule's length (lr 0.05 -> 0.002; the defaults: 4,000 steps with totals from
N_s, 5,000 in the released form; the stopping rule then ends training); `warm_start` first sets the per-spot abundances
(and m_g) from a Poisson non-negative regression of each spot on the signatures (`warm_start.py`, its time counted in
training time); `local_lr` the per-spot locations' first learning rate. Each run is compared with the defaults
(`compiled`) on the same regimes and seeds.
"""
import sys
from pathlib import Path
import pandas as pd

HERE = Path(__file__).resolve().parent
RUNS = HERE.parent / 'accuracy_suite' / 'results' / 'suite_runs.csv'
CONFIGS = {  # name: (what it is, seeds, --train-kwargs)
    'd2500': ('decay over 2,500 steps', '0,1,2', '{"decay_epochs": 2500}'),
    'wsd2500': ('warm start, decay over 2,500 steps', '0,1,2', '{"decay_epochs": 2500, "warm_start": {}}'),
    'wsl01d2500': ('warm start, decay over 2,500 steps, per-spot lr from 0.01', '0', '{"decay_epochs": 2500, "warm_start": {}, "local_lr": 0.01}'),
    'ws': ('warm start, the default schedule', '0,1,2', '{"warm_start": {}}'),
}
METRICS = ['r', 'pr_auc', 'jsd', 'cover90', 'false_presence', 'total_ratio']


def table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    fmt = lambda v: f'{v:.3f}' if isinstance(v, float) else str(v)
    return '\n'.join(['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
                     + ['| ' + ' | '.join(fmt(v) for v in r) + ' |' for r in df.itertuples(index=False)])


def main():
    d = pd.read_csv(RUNS)
    d = d[(d.lib == 'c2l_nb') & (d.sig == 'own')].set_index(['regime', 'seed'])
    base = d[d.config == 'compiled']
    rows, per = [], []
    for name, (what, seeds, kw) in CONFIGS.items():
        o = d[d.config == name]
        if not len(o): continue
        idx = o.index.intersection(base.index)
        diff = o.loc[idx, METRICS] - base.loc[idx, METRICS]
        by = diff.groupby('regime').mean()
        rows.append(dict(run=name, what=what, pairs=len(idx), steps=o.loc[idx, 'steps'].mean(), default_steps=base.loc[idx, 'steps'].mean(),
                         train_s=o.loc[idx, 'train_s'].mean(), default_train_s=base.loc[idx, 'train_s'].mean(),
                         **{f'd_{m}': diff[m].mean() for m in METRICS}, worst_d_r=by.r.min(), worst_d_pr_auc=by.pr_auc.min()))
        per += [dict(run=name, regime=r, **{f'd_{m}': x[m] for m in ['r', 'pr_auc', 'jsd', 'cover90']}) for r, x in by.iterrows()]
    md = ["# Fewer steps: a shorter schedule, with and without a warm start", "",
          "`python benchmarks/engine/schedule.py`: each run against the defaults (run `compiled`) on the same regimes and seeds "
          "(`pairs`), q05 against the truth; `d_`: the run minus the defaults (r, pr_auc, cover90: higher is better; jsd: "
          "lower); `worst_`: the regime with the largest loss. Training seconds from runs two at a time on two cores. "
          "The runs' arguments are in `schedule.py`.", "",
          table(pd.DataFrame(rows).round(4)), "", "## By regime", "", table(pd.DataFrame(per).round(4))]
    out = HERE / 'results' / 'schedule.md'
    out.write_text('\n'.join(md) + '\n')
    print(out.read_text())


if __name__ == '__main__':
    if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__)
    else: main()
