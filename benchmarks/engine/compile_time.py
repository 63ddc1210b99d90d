"""How long `train()` waits for `torch.compile` before its first compiled step, cold and with the compile cache warm.

    python benchmarks/engine/compile_time.py        # results/compile_time.md and results/compile_time.json

For each full-batch size of `step_time.py`, a fresh process builds the model and times the first call of the compiled
step with its backward pass (`CompiledELBO`: the compile and one step) against the same for the plain-torch step;
`cold` in an empty torch compile cache (`TORCHINDUCTOR_CACHE_DIR` set to a new folder), `warm` in a second process
on the same cache, as when the same data is fitted again. One torch thread.
"""
import json, os, subprocess, sys, tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = ['lymph_node', 'suite', 'visium_large']


def one(size: str) -> dict:
    "Seconds of the first compiled step (compile included) and of one plain-torch step, in this process."
    import time, torch, warnings
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    sys.path.insert(0, str(HERE))
    from step_time import model_for
    from c2l_nb.elbo import FlatELBO, CompiledELBO
    mod, args, _ = model_for(size)
    model, guide = mod.module.model, mod.module.guide
    t = time.perf_counter(); FlatELBO(model, guide)(*args).backward(); flat = time.perf_counter() - t
    comp = CompiledELBO(FlatELBO(model, guide))
    t = time.perf_counter(); comp(*args).backward(); first = time.perf_counter() - t
    assert comp.failed is None, comp.failed
    return dict(first_compiled_s=round(first, 2), first_flat_s=round(flat, 3))


def main():
    if sys.argv[1:2] == ['--one']: print(json.dumps(one(sys.argv[2]))); return
    rows = []
    for size in SIZES:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=cache, OMP_NUM_THREADS='1')
            run = lambda: json.loads(subprocess.run([sys.executable, __file__, '--one', size], env=env, check=True,
                                                    capture_output=True, text=True).stdout.strip().splitlines()[-1])
            cold, warm = run(), run()
        rows.append(dict(size=size, cold_s=cold['first_compiled_s'], warm_s=warm['first_compiled_s'], flat_step_s=cold['first_flat_s']))
        print(rows[-1], flush=True)
    (HERE / 'results' / 'compile_time.json').write_text(json.dumps(rows, indent=1) + '\n')
    md = ["# Waiting for the compiler", "",
          "`python benchmarks/engine/compile_time.py`: the first compiled step of `train()` on the full data (compile and one "
          "step, with its backward pass), `cold` in an empty torch compile cache, `warm` with the cache of the cold run; "
          "`flat_step_s`: one uncompiled step, for scale. One torch thread, two cores.", "",
          "| size | cold_s | warm_s | flat_step_s |", "|---|---|---|---|"]
    md += [f"| {r['size']} | {r['cold_s']} | {r['warm_s']} | {r['flat_step_s']} |" for r in rows]
    (HERE / 'results' / 'compile_time.md').write_text('\n'.join(md) + '\n')
    print('\n'.join(md))


if __name__ == '__main__':
    main()
