"""Cost of one likelihood evaluation (forward and backward) at Visium HD sparsity: the exact `spatial_loglik` against
`spatial_loglik_genes` with k sampled genes, side by side on the same simulated bins.

    python benchmarks/hd_scale/bench_loglik_genes.py [--bins 5000] [--genes 5000] [--types 40] [--threads 1]

Prints a table (milliseconds, best of 5 after a warm-up) and writes benchmarks/hd_scale/results/loglik_genes.md.
"""
import argparse, sys, time
from pathlib import Path
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / 'tools')]  # bench_hd, _common


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--bins', type=int, default=5000)
    p.add_argument('--genes', type=int, default=5000)
    p.add_argument('--types', type=int, default=40)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--ks', default='all,2500,1000,500')
    a = p.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from bench_hd import simulate_hd
    from c2l_nb.infer import Counts
    from c2l_nb.spatial import spatial_loglik
    from c2l_nb.loglik_genes import spatial_loglik_genes, draw_genes
    X, truth, sig = simulate_hd(a.bins, a.genes, a.types)[:3]
    G = X.shape[1]
    c = Counts.from_matrix(X)
    cs = torch.as_tensor(sig.values.T, dtype=torch.float32)
    base = (torch.as_tensor(truth) + 0.01, torch.ones(1, G), torch.full((1, G), 1e-3), torch.full((X.shape[0], 1), 0.06),
            torch.full((1, G), 10.))

    def once(k):
        w, m, s, y, al = (t.clone().requires_grad_() for t in base)
        t0 = time.perf_counter()
        v = spatial_loglik(c, w, cs, m, s, y, al) if k is None else spatial_loglik_genes(c, w, cs, m, s, y, al, draw_genes(G, k))
        v.backward()
        return time.perf_counter() - t0

    rows = []
    for k in [None if v == 'all' else int(v) for v in a.ks.split(',')]:
        ts = [once(k) for _ in range(6)][1:]
        rows.append((('all (exact, `spatial_loglik`)' if k is None else f'{k:,} (`spatial_loglik_genes`)'), 1000 * min(ts)))
    exact = rows[0][1]
    lines = [f"# One likelihood evaluation at Visium HD sparsity\n",
             f"`python benchmarks/hd_scale/bench_loglik_genes.py --bins {a.bins} --genes {a.genes} --types {a.types} --threads {a.threads}`: "
             f"{a.bins:,} simulated 8 um bins x {G:,} genes x {a.types} types, {X.nnz / a.bins:.0f} non-zero counts per bin; "
             "forward and backward, best of 5 after a warm-up, on the CPU.\n",
             '| genes in the zero counts\' term | ms | relative to exact |', '|---|---|---|']
    lines += [f'| {name} | {ms:.1f} | {ms / exact:.2f} |' for name, ms in rows]
    txt = '\n'.join(lines) + '\n'
    print(txt)
    (HERE / 'results' / 'loglik_genes.md').write_text(txt)


if __name__ == '__main__':
    main()
