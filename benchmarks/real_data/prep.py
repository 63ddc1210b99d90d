"""The real lymph-node pair (commands and data: README.md in this folder): writes the pair as two .h5ad files."""
import sys
if sys.argv[1:2] in (['-h'], ['--help']): print(__doc__); sys.exit()  # noqa: E401
import os
import anndata as ad
from c2l_nb.datasets import lymph_node_visium
OUT = os.environ.get('REAL_LN_OUT', 'bench_out/real_ln/'); os.makedirs(OUT, exist_ok=True)
ref, vis = lymph_node_visium()
print(vis, ref)
vis.obs['sample'] = vis.obs['sample'].astype(str) if 'sample' in vis.obs else 'ln'
ref.obs['sample'] = ref.obs['sample'].astype(str) if 'sample' in ref.obs else 'ref'
ref.obs['cell_type'] = ref.obs['cell_type'].astype(str)
v = ad.AnnData(vis.X, obs=vis.obs[['sample']].copy(), var=vis.var[[]].copy())
r = ad.AnnData(ref.X, obs=ref.obs[['sample', 'cell_type']].copy(), var=ref.var[[]].copy())
v.write_h5ad(OUT + 'vis.h5ad'); r.write_h5ad(OUT + 'ref.h5ad')
print(v, r, v.var_names[:3], r.var_names[:3])
