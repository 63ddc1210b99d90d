"""Zone warm-start variants on the accuracy suite's data, one run each (seed 0 of a regime; results/zone_variants.md).

    python benchmarks/accuracy_suite/zone_variants.py <regime>_s<seed> default        # the saved defaults of refine_suite.py (no warm start)
    python benchmarks/accuracy_suite/zone_variants.py <regime>_s<seed> warm1000       # zones copied from the weights (one zone per type) after epoch 1,000
    python benchmarks/accuracy_suite/zone_variants.py <regime>_s<seed> warm1000k10    # zones from an NMF of rank 10 of the weights after epoch 1,000
    python benchmarks/accuracy_suite/zone_variants.py <regime>_s<seed> long-none      # 10,000 epochs without the stopping rule, no warm start
    python benchmarks/accuracy_suite/zone_variants.py <regime>_s<seed> long-auto      # the same with the library's warm start (the ELBO at equal steps)
    python benchmarks/accuracy_suite/zone_variants.py report

Trains c2l_nb's defaults (`train()`, seeded; the library's own warm start off) with the variant applied by a
callback, or loads the model `refine_suite.py --models bench_out/refine/models` saved (`default`). Reports the q05
metrics of the suite (`accuracy_suite.metrics`), the ELBO (mean of 30 single-draw estimates, lower loss is better)
and `a_cv`: how much the zone prior's means a_sf = sum_r z_sr x_rf (guide medians) vary across spots (mean over
types of their coefficient of variation). Appends to bench_out/zones/variants.jsonl. The library's default
(`zone_warm_start='auto'`: NMF of rank ceil(F/2) after epoch 500) is run by the suite itself (config `zones500`).
"""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
import sys, os, warnings, time, json; warnings.filterwarnings('ignore')
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
OUT = os.path.join(HERE, '..', '..', 'bench_out', 'zones')


def warm(g, NK):
    import torch
    site = 'w_sf_proportion' if 'w_sf_proportion' in g.sites else 'w_sf'
    with torch.no_grad():
        v = g.quantiles(0.5)[site]
        S_, F = v.shape; R = g.locs['x_fr_group2fact'].shape[0]
        if NK is None:  # one zone per type: the prior's means copy the weights
            x = torch.full((R, F), 1e-3); x[torch.arange(F), torch.arange(F)] = 1.0
            z = torch.full((S_, R), 1e-3); z[:, :F] = v
        else:
            from sklearn.decomposition import NMF
            nmf = NMF(NK, init='nndsvda', max_iter=1000, random_state=0)
            W = nmf.fit_transform(v.numpy()); H = nmf.components_
            c = H.sum(1, keepdims=True); H = H / c; W = W * c.T
            x = torch.full((R, F), 1e-3); x[:NK] = torch.as_tensor(H, dtype=torch.float32).clamp_min(1e-3)
            z = torch.full((S_, R), 1e-3); z[:, :NK] = torch.as_tensor(W, dtype=torch.float32).clamp_min(1e-3)
        g.locs['x_fr_group2fact'].copy_(x.log()); g.locs['z_sr_groups_factors'].copy_(z.log())
        for k in ('x_fr_group2fact', 'z_sr_groups_factors'): g.scales[k].fill_(float(torch.log(torch.expm1(torch.tensor(0.1)))))


def elbo(mod, n=30):
    import numpy as np, torch, pyro
    from pyro.infer import Trace_ELBO
    args = mod._data(torch.device('cpu')).args(None); e = Trace_ELBO(num_particles=1)
    with torch.no_grad(), pyro.validation_enabled(False):
        torch.manual_seed(123); return float(np.mean([e.loss(mod.module.model, mod.module.guide, *args) for _ in range(n)]))


def run(name, mode):
    import numpy as np, torch
    torch.set_num_threads(1)
    import accuracy_suite as S
    from c2l_nb.models import Cell2location
    meta, sig, truth, vis = S.load(os.path.join(S.OUT, name))
    t0 = time.time()
    if mode == 'default':
        mod = Cell2location.load(os.path.join(HERE, '..', '..', 'bench_out', 'refine', 'models', name), vis); train_s = None
    elif mode.startswith('long-'):  # 10,000 epochs, no stopping rule: the library's warm start ('auto') or none ('none')
        mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20)
        mod.train(max_epochs=10000, early_stopping=False, progress_bar=False, seed=meta['seed'],
                  zone_warm_start=None if mode == 'long-none' else 'auto'); train_s = time.time() - t0
    else:
        K = int(mode[4:].split('k')[0]); NK = int(mode.split('k')[1]) if 'k' in mode[4:] else None
        mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=meta['N_cells_per_location'], detection_alpha=20)
        mod.train(progress_bar=False, seed=meta['seed'], callback=lambda ep: warm(mod.module.guide, NK) if ep == K - 1 else None,
                  zone_warm_start=None); train_s = time.time() - t0
    med = {k: v.detach().numpy() for k, v in mod.module.guide.quantiles(0.5).items()}
    a = med['z_sr_groups_factors'] @ med['x_fr_group2fact']
    q05, q95 = (np.asarray(mod.posterior_quantile(q)['w_sf']) for q in (0.05, 0.95))
    row = dict(run=name, mode=mode, steps=len(mod.history_['elbo_train']), train_s=train_s, reason=getattr(mod, 'train_reason_', ''),
               elbo=elbo(mod), a_cv=float(np.mean(a.std(0) / a.mean(0))), **S.metrics(q05, q95, truth.values))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'variants.jsonl'), 'a') as fh: fh.write(json.dumps(row) + '\n')
    print(json.dumps(row), flush=True)


def report():
    import pandas as pd
    import accuracy_suite as S
    d = pd.read_json(os.path.join(OUT, 'variants.jsonl'), lines=True).drop_duplicates(['run', 'mode'], keep='last')
    d = d.drop(columns=['reason', 'train_s']).round(4)
    with open(os.path.join(HERE, 'results', 'zone_variants.md'), 'w') as fh: fh.write(S.markdown(d, 4))
    print(d.to_string())


if __name__ == '__main__':
    if sys.argv[1] == 'report': report()
    else: run(sys.argv[1], sys.argv[2])
