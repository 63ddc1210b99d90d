"Minibatch scaling and data-parallel training: exact checks with the guide's noise fixed per spot and step."
import os, socket, tempfile

import numpy as np, pandas as pd, torch, pyro
import pyro.distributions as pdist
import torch.multiprocessing as mp
from pyro.infer import Trace_ELBO

from c2l_nb.infer import Guide, positive_normal
from c2l_nb.sim import simulate
from c2l_nb.spatial import Cell2location

STEPS, BATCH, SEED = 20, 50, 3


class FixedNoiseGuide(Guide):
    "The mean-field guide with its standard-normal noise read from `table`: one draw per step and spot, whatever the minibatch."
    table, step, advance = None, 0, True

    def _site(self, name, idx, ids):
        loc, scale = self.loc_scale(name, idx)
        eps = self.table[name][self.step]
        if ids is not None: eps = eps[ids]
        v = self._T(loc + scale * eps)
        d = positive_normal(loc, scale, self.transform)
        return pyro.sample(name, pdist.Delta(v, log_density=d.log_prob(v), event_dim=0))

    def forward(self, x=None, idx=None, *args, **kwargs):
        shard = getattr(self, 'shard_ids', None)
        ids = None if idx is None else (idx.cpu() if shard is None else shard[idx.cpu()])
        out = {n: self._site(n, None, None) for n, s in self.sites.items() if not s.local}
        with pyro.plate('obs_plate', self.n_obs, dim=-2, subsample=idx):
            out.update({n: self._site(n, idx, ids) for n, s in self.sites.items() if s.local})
        if self.advance: self.step += 1
        return out


def noise_table(guide, steps, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {n: torch.randn((steps,) + tuple(s.shape), generator=g) for n, s in guide.sites.items()}


def make_model():
    _, vis = simulate('tiny', seed=0)
    sig = pd.DataFrame(vis.varm['true_signatures'], index=vis.var_names)
    vis = vis[:, sig.sum(1) > 0].copy(); sig = sig.loc[vis.var_names]
    Cell2location.setup_anndata(vis, batch_key='sample')
    mod = Cell2location(vis, cell_state_df=sig, N_cells_per_location=float(vis.uns['sim']['mean_total_cells']),
                       detection_alpha=20)
    guide = mod.module.guide
    guide.__class__ = FixedNoiseGuide
    guide.table = noise_table(guide, STEPS)
    return mod


def test_minibatch_gradient_is_unbiased():
    "Over one epoch's minibatches, the mean gradient of the minibatch ELBO equals the full-data gradient."
    torch.set_num_threads(1)
    mod = make_model()
    guide, model = mod.module.guide, mod.module.model
    guide.advance = False
    data = mod._data(torch.device('cpu'), resident='host')
    params = dict(guide.named_parameters())

    def grads(args):
        for p in params.values(): p.grad = None
        with pyro.validation_enabled(False): Trace_ELBO().differentiable_loss(model, guide, *args).backward()
        return {k: p.grad.clone() for k, p in params.items()}

    full = grads(data.args(None))
    perm = torch.randperm(mod.n_obs, generator=torch.Generator().manual_seed(0))
    parts = [grads(data.args(perm[i:i + BATCH])) for i in range(0, mod.n_obs, BATCH)]
    K = len(parts)
    for k, g in full.items():
        mean = sum(p[k] for p in parts) / K
        local = guide.sites[k.split('.', 1)[1]].local
        if local: mean = mean * K / mod.n_obs * BATCH  # each spot appears once, its gradient scaled by N / B
        tol = 1e-4 * float(g.abs().max()) + 1e-6
        assert torch.allclose(mean, g, atol=tol, rtol=1e-4), (k, float((mean - g).abs().max()), float(g.abs().max()))


def _settings():  # 200 spots, 50 a step: 4 steps an epoch
    return dict(max_epochs=STEPS // 4, lr=0.01, check_every=5)


def _worker(rank, world, port, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world))
    torch.set_num_threads(1)
    from c2l_nb import distributed
    mod = make_model()
    # a file store: the TCP store lives in rank 0, and a rank still tearing down when rank 0 exits aborted (SIGABRT)
    torch.distributed.init_process_group('gloo', init_method=f'file://{out}.store', rank=rank, world_size=world)
    try:
        mod.train(batch_size=BATCH, seed=SEED, devices=world, progress_bar=False, **_settings())
        if distributed.is_main():
            torch.save({'params': {k: v.detach() for k, v in mod.module.guide.state_dict().items()},
                        'history': mod.history_['elbo_train']['elbo_train'].to_numpy(), 'mode': mod.train_mode_}, out)
        open(f'{out}.done{rank}', 'w').close()  # this rank trained (and rank 0 saved) before gloo's teardown
        torch.distributed.barrier()  # both ranks tear down together: gloo's teardown has aborted a rank (SIGABRT) on a loaded machine
    finally: torch.distributed.destroy_process_group()


def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def test_two_processes_equal_one():
    "2 gloo processes x 25 spots per step give the parameters of 1 process x 50 spots over the same minibatches."
    from c2l_nb.distributed import ShardPlan
    from c2l_nb.svi import run_svi
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, 'two.pt')
        try: mp.start_processes(_worker, args=(2, _free_port(), out), nprocs=2, start_method='spawn', join=True)
        except mp.ProcessExitedException:  # an abort in gloo's teardown, rare on a loaded machine, after both ranks finished
            if not all(os.path.exists(f'{out}.done{r}') for r in range(2)): raise
        two = torch.load(out, weights_only=False)
    mod = make_model()
    data, plan = mod._data(torch.device('cpu')), ShardPlan(mod.n_obs, 2, BATCH, seed=SEED)
    epoch = lambda: [data.args(torch.as_tensor(np.concatenate(step))) for step in plan.epoch()]
    res = run_svi(mod.module.model, mod.module.guide, epoch, progress=False, row_sparse=True, **_settings())  # lazy per-spot steps, as train() takes them
    assert mod.module.guide.step == STEPS and mod.n_obs == 200
    np.testing.assert_allclose(two['history'], res.history, rtol=1e-5)
    one = mod.module.guide.state_dict()
    assert set(one) == set(two['params'])
    for k, v in one.items():
        np.testing.assert_allclose(two['params'][k].numpy(), v.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=k)
    assert two['mode']['devices'] == 2 and two['mode']['row_sparse']
