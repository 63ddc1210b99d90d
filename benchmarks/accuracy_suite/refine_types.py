"""Where the refined posterior's cost comes from: refine one cell type at a time and score the change.

    python benchmarks/accuracy_suite/refine_types.py        # reads bench_out/refine/quantiles/*.npz (refine_suite.py --dump)

For every suite run dumped by `refine_suite.py --dump` (the defaults' guide quantiles of w_sf and the refined ones,
every type refined), each type is refined alone (its columns of q05/q95 replaced, the rest the guide's) and the
change in the JSD of q05 proportions and in false presence is measured against the truth
(`accuracy_suite.metrics`). Types are grouped by how often they are truly absent from a spot (true abundance <= 0.1
cells), which no statistic of the fit shows. Writes benchmarks/accuracy_suite/results/refine_types.md.
"""
from __future__ import annotations
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401

import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
DUMPS = os.path.join(HERE, '..', '..', 'bench_out', 'refine', 'quantiles')
GROUPS = [(0, 0.02, 'absent from < 2% of spots'), (0.02, 0.1, '2-10%'), (0.1, 1.01, '>= 10%')]


def per_type(d) -> 'pd.DataFrame':
    "One row per type: the change in JSD and false presence when only that type is refined, and its true absent share."
    import numpy as np, pandas as pd
    import accuracy_suite as S
    T, g05, g95 = d['truth'], d['guide_q05'], d['guide_q95']
    base, rows = S.metrics(g05, g95, T), []
    for f in range(T.shape[1]):
        q05, q95 = g05.copy(), g95.copy()
        q05[:, f], q95[:, f] = d['ref_q05'][:, f], d['ref_q95'][:, f]
        m = S.metrics(q05, q95, T)
        rows.append(dict(type=f, absent_share=float((T[:, f] <= 0.1).mean()), d_jsd=m['jsd'] - base['jsd'],
                         d_false_presence=m['false_presence'] - base['false_presence'],
                         q05_ratio=float(d['ref_q05'][:, f].sum() / g05[:, f].sum())))
    return pd.DataFrame(rows)


def main():
    import numpy as np, pandas as pd
    import accuracy_suite as S
    out = []
    for f in sorted(glob.glob(os.path.join(DUMPS, '*.npz'))):
        name = os.path.basename(f)[:-4]; regime, seed = name.rsplit('_s', 1)
        d = dict(np.load(f, allow_pickle=True))
        t = per_type(d); t.insert(0, 'seed', int(seed)); t.insert(0, 'regime', regime)
        t['all_refined_d_jsd'] = S.metrics(d['ref_q05'], d['ref_q95'], d['truth'])['jsd'] - S.metrics(d['guide_q05'], d['guide_q95'], d['truth'])['jsd']
        out.append(t)
    df = pd.concat(out)
    rows = []
    for (regime, seed), d in df.groupby(['regime', 'seed'], sort=False):
        row = dict(regime=regime, seed=seed, types=len(d), all_refined_d_jsd=d.all_refined_d_jsd.iloc[0],
                   sum_single_d_jsd=d.d_jsd.sum())
        for lo, hi, label in GROUPS:
            g = d[(d.absent_share >= lo) & (d.absent_share < hi)]
            row[f'n ({label})'] = len(g)
            row[f'd_jsd ({label})'] = g.d_jsd.sum()
            row[f'd_false_presence ({label})'] = g.d_false_presence.sum()
        rows.append(row)
    tab = pd.DataFrame(rows)
    text = ("# The refined posterior's cost, type by type\n\n`python benchmarks/accuracy_suite/refine_types.py` on the runs dumped by "
            "`python benchmarks/accuracy_suite/refine_suite.py bench_out/suite/<regime>_s<seed> --models bench_out/refine/models --dump` "
            "(c2l_nb's defaults). Each type is refined alone; its changes in the JSD of q05 proportions and in false "
            "presence (share of absent entries with q05 > 0.1) are summed over the types of a group. Groups: how often the "
            "type is truly absent from a spot (true abundance <= 0.1 cells). `all_refined_d_jsd`: every type refined at "
            "once (the changes add up nearly, `sum_single_d_jsd`).\n\n" + S.markdown(tab, 4) +
            "\n\nPer type (all runs):\n\n" + S.markdown(df.drop(columns='all_refined_d_jsd'), 4))
    with open(os.path.join(HERE, 'results', 'refine_types.md'), 'w') as fh: fh.write(text)
    print(tab.round(4).to_string())


if __name__ == '__main__':
    main()
