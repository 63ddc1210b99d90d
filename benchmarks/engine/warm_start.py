"""Experiment: start the per-spot abundances from a Poisson non-negative regression of each spot on the signatures.

Used by `accuracy_suite/suite_job.py` when its train kwargs hold `"warm_start": {...}`; measured in
`results/schedule.md` (see `benchmarks/engine/README.md`).
"""
import torch


@torch.no_grad()
def poisson_nnls(X: torch.Tensor, A: torch.Tensor, iters: int = 200, gene_effect: bool = True):
    "W (n, F) >= 0 and m (G,) with X ~ Poisson(W (A * m)), by multiplicative updates (KL-NMF with the signatures A (F, G) fixed)."
    n, G = X.shape
    m = torch.ones(G, dtype=X.dtype)
    W = (X.sum(1, keepdim=True) / A.sum(1).mean()).expand(n, A.shape[0]).clone() / A.shape[0]
    for it in range(iters):
        Am = A * m
        R = X / (W @ Am).clamp_min(1e-12)
        W *= (R @ Am.T) / Am.sum(1).clamp_min(1e-12)
        if gene_effect and it % 10 == 9:
            U = W @ A
            m *= ((X / (U * m).clamp_min(1e-12)) * U).sum(0) / U.sum(0).clamp_min(1e-12)
            m = m.clamp(1e-2, 1e2); m /= m.mean()  # genes without counts: no estimate
    return W, m


@torch.no_grad()
def warm_start(mod, floor: float = 0.05, gene_effect: bool = True, set_m: bool = True, iters: int = 200) -> dict:
    "Set the guide's per-spot abundance locations (and m_g's) from `poisson_nnls`; returns a summary."
    import numpy as np
    g, model = mod.module.guide, mod.module.model
    X = mod.adata_manager.X
    X = torch.as_tensor(X.toarray() if hasattr(X, 'toarray') else np.asarray(X), dtype=torch.float32)
    A = model.cell_state.cpu()
    W, m = poisson_nnls(X, A, iters, gene_effect)
    bidx = torch.as_tensor(mod.adata_manager.batch()[0])
    y = model.detection_mean.cpu()[bidx]  # (n, 1): the detection's prior mean
    w = W / y
    lo = floor * float(w.mean())
    site = 'w_sf_proportion' if 'w_sf_proportion' in g.sites else 'w_sf'
    g.locs[site].copy_(w.clamp_min(lo).log().reshape(g.locs[site].shape))
    if 'n_s_cells_per_location' in g.sites:
        g.locs['n_s_cells_per_location'].copy_(w.sum(1, keepdim=True).clamp_min(lo).log().reshape(g.locs['n_s_cells_per_location'].shape))
    if set_m and gene_effect: g.locs['m_g'].copy_(m.log().reshape(g.locs['m_g'].shape))
    return dict(mean_total=float(w.sum(1).mean()), m_range=(float(m.min()), float(m.max())))
