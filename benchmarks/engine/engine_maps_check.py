"""A shorter check of the real lymph-node pair after a change outside the Visium path: the default (compiled) fit and
Pyro's with seed 0 only, per-type r of their q05 maps (`engine_maps.py` does all four fits).

    python benchmarks/engine/engine_maps_check.py NAME     # results/engine_maps_NAME.md
"""
import sys
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_maps import RESULTS, signatures, fit, per_type_r  # noqa: E402


def main():
    import torch
    name = sys.argv[1] if len(sys.argv) > 1 else 'check'
    torch.set_num_threads(1)
    vis, sig = signatures()
    runs = {'compiled_s0': fit(vis, sig, 'auto', 0), 'pyro_s0': fit(vis, sig, 'pyro', 0)}
    r = per_type_r(runs['compiled_s0']['q05'], runs['pyro_s0']['q05'])
    md = [f"# Lymph-node pair check ({name})", "", f"`python benchmarks/engine/engine_maps_check.py {name}` (one torch thread, "
          "other benchmarks on the two cores: the seconds are not a speed benchmark).", "",
          "| run | engine | steps | training s | mean q05 total |", "|---|---|---|---|---|"]
    md += [f"| {k} | {v['engine']} | {v['steps']} | {v['seconds']} | {v['q05'].sum(1).mean():.2f} |" for k, v in runs.items()]
    md += ["", f"compiled_s0 vs pyro_s0, per-type r of the q05 maps: min {r.min():.4f}, median {np.median(r):.4f} "
           f"({', '.join(f'{t} {x:.3f}' for t, x in zip(sig.columns, r))})"]
    (RESULTS / f'engine_maps_{name}.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))


if __name__ == '__main__':
    main()
