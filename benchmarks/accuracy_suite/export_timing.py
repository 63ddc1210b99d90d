"""Time of the tutorial's `export_posterior` call (1,000 posterior draws, one block of all spots) in both libraries,
on suite folders, so that the time fraction of the accuracy suite can count the export users run after training.

    python benchmarks/accuracy_suite/export_timing.py run bench_out/suite/sections_s0 [more folders]   # both libraries, one thread
    python benchmarks/accuracy_suite/export_timing.py report                                          # results/export_timing.md

c2l_nb: the model `refine_suite.py` saved (`bench_out/refine/models/<regime>_s<seed>`), exported with its default
(`refine_abundance='auto'`) and with `refine_abundance=False`. cell2location: its export does not depend on how long
the model trained, so it is trained for 100 steps only, then exported with the tutorial's arguments. Each library
runs in its own process and environment, one after the other, one torch thread. The report adds these times to the
paired training times of `suite_timing.md` (seed 0, a quiet machine).
"""
from __future__ import annotations
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'bench_out', 'export_timing.jsonl')
PEER_PYTHON = '/work/peer_venv/bin/python'


def job(lib: str, data: str) -> None:
    "Runs in the library's environment: time its export and append one JSON line."
    import anndata as ad, pandas as pd, torch
    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(data, 'meta.json')))
    name = f"{meta['regime']}_s{meta['seed']}"
    vis = ad.read_h5ad(os.path.join(data, 'vis.h5ad'))
    sig = pd.read_csv(os.path.join(data, f"signatures_{lib}_seed{meta['seed']}.csv"), index_col=0)
    genes = sig.index.intersection(vis.var_names)
    vis, sig = vis[:, genes].copy(), sig.loc[genes][json.load(open(os.path.join(data, 'types.json')))]
    sk = {'num_samples': 1000, 'batch_size': vis.n_obs}
    rows = []
    if lib == 'peer':
        from cell2location.models import Cell2location
        Cell2location.setup_anndata(vis, batch_key='sample')
        mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20)
        mod.train(max_epochs=100, train_size=1, batch_size=None, accelerator='cpu', enable_progress_bar=False,
                  enable_model_summary=False)
        t0 = time.perf_counter(); mod.export_posterior(vis, sample_kwargs=sk)
        rows.append(dict(run='cell2location', export_s=time.perf_counter() - t0))
    else:
        from c2l_nb.models import Cell2location
        Cell2location.setup_anndata(vis, batch_key='sample')
        mod = Cell2location.load(os.path.join(ROOT, 'bench_out', 'refine', 'models', name), vis)
        for refine in ('auto', False):
            t0 = time.perf_counter(); out = mod.export_posterior(vis.copy(), sample_kwargs=sk, refine_abundance=refine)
            n = len(out.uns['mod'].get('refined_abundance', {}).get('types', []))
            rows.append(dict(run=f'c2l_nb, refine_abundance={refine!r}', export_s=time.perf_counter() - t0, n_refined=n))
    with open(OUT, 'a') as fh:
        for r in rows: fh.write(json.dumps(dict(regime=meta['regime'], seed=meta['seed'], **r)) + '\n')
    print(name, rows, flush=True)


def run(folders: list) -> None:
    env = dict(os.environ, PYTHONNOUSERSITE='1', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    for d in folders:
        for lib, py in (('c2l_nb', sys.executable), ('peer', PEER_PYTHON)):
            subprocess.run([py, os.path.abspath(__file__), 'job', lib, d], env=env, check=True)


def report() -> None:
    import pandas as pd
    sys.path.insert(0, HERE)
    from accuracy_suite import markdown
    df = pd.read_json(OUT, lines=True).drop_duplicates(['regime', 'seed', 'run'], keep='last')
    t = pd.read_csv(os.path.join(HERE, 'results', 'suite_timing.csv')).groupby('regime').mean(numeric_only=True)
    w = df.pivot_table(index=['regime', 'seed'], columns='run', values='export_s').reset_index()
    n = df.dropna(subset=['n_refined']).groupby(['regime', 'seed']).n_refined.max().reset_index()
    w = w.merge(n, on=['regime', 'seed'])
    auto, plain, peer = "c2l_nb, refine_abundance='auto'", 'c2l_nb, refine_abundance=False', 'cell2location'
    w['c2l_nb_train_s'] = w.regime.map(t.c2l_nb_train_s); w['peer_30k_s'] = w.regime.map(t.peer_30k_s)
    w['fraction_train'] = w.c2l_nb_train_s / w.peer_30k_s
    w['fraction_train_export'] = (w.c2l_nb_train_s + w[auto]) / (w.peer_30k_s + w[peer])
    w['fraction_train_export_vs_peer_train'] = (w.c2l_nb_train_s + w[auto]) / w.peer_30k_s
    text = ("# The export in the time fraction\n\n`python benchmarks/accuracy_suite/export_timing.py run <suite folders>`, then `report`. "
            "Seconds of the tutorial's `export_posterior` call (1,000 draws, one block of all spots, one torch thread): "
            f"`{auto}` the twin rule, `{plain}` c2l_nb's default export, `n_refined` the types it refined. `c2l_nb_train_s` and `peer_30k_s` "
            "are the paired training times of `suite_timing.md` (seed 0, quiet machine). `fraction_train_export`: c2l_nb's "
            "training and export with the twin rule over cell2location's 30,000 steps and export; the last column leaves "
            "cell2location's export out.\n\n" + markdown(w) + '\n')
    with open(os.path.join(HERE, 'results', 'export_timing.md'), 'w') as fh: fh.write(text)
    print(text)


if __name__ == '__main__':
    if sys.argv[1] == 'job': job(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'run': run(sys.argv[2:])
    else: report()
