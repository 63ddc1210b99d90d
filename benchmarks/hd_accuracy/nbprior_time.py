"""Training time with and without `train(neighbour_prior='auto')`, side by side in one process (one torch thread).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/hd_accuracy/nbprior_time.py   # results/nbprior_time.md

Each setting trains the same section (`subtypes`, seed 1, 8 um bins: 2,500 bins x 2,000 genes x 44 types, from
`hd_suite.py prepare`) for the library's HD schedule (500 epochs), twice, alternating; the table gives each run.
"""
import time
from pathlib import Path

import anndata
import torch

from c2l_nb.spatial import Cell2location

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).parent / 'results' / 'nbprior_time.md'


def one(ad, sig, prior):
    mod = Cell2location(ad, cell_state_df=sig, N_cells_per_location=float(ad.obs['true_total_cells'].mean()), detection_alpha=20)
    t = time.time()
    mod.train(neighbour_prior=prior, progress_bar=False)
    return time.time() - t, len(mod.history_['elbo_train']), mod.train_mode_['engine']


def main():
    torch.set_num_threads(1)
    ad = anndata.read_h5ad(ROOT / 'bench_out' / 'hd_suite' / 'subtypes_s1_8um.h5ad')
    sig = ad.varm['true_signatures'].copy()
    del ad.obsm['true_abundance']
    Cell2location.setup_anndata(ad)
    rows = []
    for rep in range(2):
        for prior in (None, 'auto'):
            s, ep, eng = one(ad, sig, prior)
            rows.append(f"| {rep} | {prior} | {ep} | {eng} | {s:.1f} | {1000 * s / ep:.1f} |")
            print(rows[-1], flush=True)
    OUT.write_text('\n'.join(['# Training time with the neighbourhood prior', '',
                              'One torch thread; `subtypes` seed 1, 8 um (2,500 bins x 2,000 genes x 44 types); '
                              '`python benchmarks/hd_accuracy/nbprior_time.py`.', '',
                              '| run | neighbour_prior | epochs | engine | train s | ms per epoch |', '|---|---|---|---|---|---|']
                             + rows) + '\n')


if __name__ == '__main__':
    main()
