"""Why absent cell types get a q05 above 0.1 cells: for false-present entries (true abundance <= 0.1, q05 > 0.1) of a
trained default model, the exact posterior of the entry's weight given everything else at the guide's medians (a
1-D grid: the spot's negative-binomial likelihood times the weight's Gamma prior), against the guide's own
conditional LogNormal.

    python benchmarks/accuracy_suite/absent_tails.py bench_out/suite/many_cells_s0 [--entries 25]

Needs a suite folder (`accuracy_suite.py prepare`) with c2l_nb's cached signatures. Writes
benchmarks/accuracy_suite/results/absent_tails.md. One torch thread.
"""
from __future__ import annotations

import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('data')
    p.add_argument('--entries', type=int, default=25)
    a = p.parse_args(argv)
    import numpy as np, pandas as pd, torch
    from scipy import stats, sparse
    from c2l_nb.models import Cell2location
    import accuracy_suite as S
    torch.set_num_threads(1)
    meta, sig, truth, vis = S.load(a.data)
    mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20)
    mod.train(progress_bar=False, seed=meta['seed'])
    g = mod.module.guide
    med = {k: v.numpy() for k, v in g.quantiles(0.5).items()}
    T, q05 = truth.values, np.asarray(mod.posterior_quantile(0.05)['w_sf'])
    fp = np.argwhere((T <= 0.1) & (q05 > 0.1))
    cs, m = sig.values.T, med['m_g'][0]
    bidx = vis.obs['sample'].astype('category').cat.codes.values
    ns_form = 'w_sf_proportion' in med
    site, lam = 'w_sf_proportion' if ns_form else 'w_sf', mod.priors.w_sf_mean_var_ratio
    rows = []
    for s, f in fp[np.random.default_rng(0).choice(len(fp), size=min(a.entries, len(fp)), replace=False)]:
        v, y = med[site][s].copy(), med['detection_y_s'][s, 0]
        N = med['n_s_cells_per_location'][s, 0]
        shape = lam * (med['z_sr_groups_factors'][s] @ med['x_fr_group2fact'])[f]
        b = min(bidx[s], med['s_g_gene_add'].shape[0] - 1)
        alpha, s_g = 1 / med['alpha_g_inverse'][b] ** 2, med['s_g_gene_add'][b]
        x = vis.X[s].toarray().ravel() if sparse.issparse(vis.X) else np.asarray(vis.X[s]).ravel()
        loc, sc = (t[s, f].item() for t in g._own(site))
        grid = np.linspace(loc - 8 * sc - 4, loc + 6 * sc, 3000)  # log weight
        V = np.repeat(v[None], len(grid), 0); V[:, f] = np.exp(grid)  # every grid point at once: (grid, types)
        W = N * V / V.sum(1, keepdims=True) if ns_form else V
        mu = (W @ cs * m + s_g) * y
        lp = (stats.nbinom(alpha, alpha / (alpha + mu)).logpmf(x).sum(1) + stats.gamma(shape, scale=1 / lam).logpdf(np.exp(grid))
              + grid)
        pr = np.exp(lp - lp.max()); pr /= pr.sum(); c = np.cumsum(pr)
        cells = lambda u: N * np.exp(u) / (v.sum() - v[f] + np.exp(u)) if ns_form else np.exp(u)
        mean = (pr * grid).sum()
        rows.append(dict(spot=int(s), type=truth.columns[f], prior_shape=shape, exact_q05=cells(grid[np.searchsorted(c, 0.05)]),
                         guide_q05=cells(loc - 1.6448536 * sc), exact_q50=cells(grid[np.searchsorted(c, 0.5)]), guide_q50=cells(loc),
                         exact_log_sd=np.sqrt((pr * (grid - mean) ** 2).sum()), guide_log_sd=sc))
    df = pd.DataFrame(rows)
    text = (f"# The posterior of absent types: exact (1-D, given the rest) against the guide\n\n`python benchmarks/accuracy_suite/absent_tails.py {a.data}`: "
            f"{len(df)} of the {len(fp)} false-present entries (true abundance <= 0.1, q05 > 0.1) of c2l_nb's defaults on "
            f"`{meta['regime']}` seed {meta['seed']}; abundances in cells.\n\n" + S.markdown(df) +
            f"\nMedians: exact q05 {df.exact_q05.median():.4f}, guide q05 {df.guide_q05.median():.3f}; exact q50 "
            f"{df.exact_q50.median():.3f}, guide q50 {df.guide_q50.median():.3f}; sd of the log weight, exact "
            f"{df.exact_log_sd.median():.2f}, guide {df.guide_log_sd.median():.2f}. Share whose exact q05 is at most 0.1 cells: "
            f"{(df.exact_q05 <= 0.1).mean():.2f}.\n")
    with open(os.path.join(HERE, 'results', 'absent_tails.md'), 'w') as fh: fh.write(text)
    print(text)


if __name__ == '__main__':
    import sys; sys.path.insert(0, HERE)
    main()
