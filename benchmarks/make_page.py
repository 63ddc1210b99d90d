"""Write the documentation page `nbs/explanations/performance.ipynb` from the benchmark results.

The benchmark scripts call this at the end of every run, so the page always shows the latest results in
`benchmarks/results/`; run it by hand after deleting or renaming results:

    python benchmarks/make_page.py          # rewrite the page
    python benchmarks/make_page.py --check  # exit 1 if the page is out of date (used by the tests)

Standard library only. The page is a notebook of markdown cells (the tables, copied from each result's `.md`) and
one code cell per figure that displays the PNG kept next to the results.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results')
PAGE = os.path.join(ROOT, 'nbs', 'explanations', 'performance.ipynb')

# (section title, result stem, what the run answers) in page order; results that do not exist are left out
SHOWN = [
    ('Accuracy suite: nine regimes, defaults against cell2location\'s 30,000 steps', 'suite',
     "The regimes of `benchmarks/accuracy_suite.py` (fine-grained subtypes, tight and loose, 3, 5 and 30 cells per "
     "spot, a wide spread of gene sensitivity, sections of different depth, sibling subtypes among distinct types, and "
     "`crowded`: 20 distinct types, about 17 in each spot, a held-out regime run before the zone warm start existed), "
     "each library mapping with its own reference signatures, with the truth known. Times in this table come from a "
     "shared, loaded machine; the paired timing below is the one to read for speed."),
    ('Accuracy suite: zone warm-start variants (seed 0)', 'zone_variants',
     "`benchmarks/zone_variants.py`: the previous defaults (`default`), the zones copied from the weights after epoch "
     "1,000 (`warm1000`), and an NMF of rank 10 after epoch 1,000 (`warm1000k10`, `warm500k10` after epoch 500); `elbo` "
     "is the loss (negative ELBO, 30 draws), `a_cv` how much the zone prior's means vary across spots. The default "
     "(rank ceil(F/2) after epoch 500) was the suite's run `zones500`; the current default also divides each type's "
     "weights by their mean over spots before factorising (run `balanced`)."),
    ('Accuracy suite: the refined posterior\'s cost, type by type', 'refine_types',
     "`benchmarks/refine_types.py`: each type refined alone, on the previous defaults' fits; the loss in JSD comes from "
     "types present in nearly every spot, which gain nothing in false presence."),
    ('Accuracy suite: why absent types get a q05 above 0.1 cells', 'absent_tails',
     "`benchmarks/absent_tails.py`: for entries the default q05 wrongly calls present, the exact posterior of the "
     "entry's weight given every other site at the guide's medians, against the guide's own LogNormal; the reason for "
     "the opt-in skewed family (`skewed_weights=True`, the model page)."),
    ('Accuracy suite: the refined abundance posterior (opt-in)', 'refine',
     "`benchmarks/refine_suite.py`: the previous defaults (trained without the zone warm start), their q05/q95 of `w_sf` from the guide, from "
     "`refine_abundance` for every type (`export_posterior(refine_abundance=True)`): exact 1-D conditionals of each "
     "abundance mixed over 16 joint draws of the rest (`c2l_nb.refine`, the model page), and with "
     "`refine_abundance='auto'` (refined for types without a twin when spots hold 10 or more cells). Its second "
     "table is `'auto'` against cell2location's 30,000 steps, target by target: met on the first seven regimes, not "
     "on `loose_subtypes`, simulated after the rule was fixed, which is why no refinement is the default."),
    ('Accuracy suite: the export in the time fraction', 'export_timing',
     "`benchmarks/export_timing.py`: the tutorial's `export_posterior` call timed in both libraries on seed 0 of the "
     "regimes, c2l_nb with `refine_abundance='auto'` and without refinement (the default), added to the paired "
     "training times."),
    ('Accuracy suite: paired timing', 'suite_timing',
     "Seconds per step of both libraries measured back to back on each regime, nothing else running, one thread. "
     "`mid_cells` was measured with detection coupling, the other regimes before it; coupling adds one multiply-add "
     "per spot and does not change the cost of a step measurably (`mid_cells`: 0.012 s per step, within the others' spread)."),
    ('Reference signatures at the tutorial\'s 250 epochs, every regime and seed', 'signatures',
     "Error of the exported signatures (`means_per_cluster_mu_fg`) against the true ones "
     "(`c2l_nb.reference.signature_error`: RMS of the log-ratio around its median, mean over types). `c2l_nb_softplus` "
     "is the softplus guide, `c2l_nb_exp` the LogNormal guide (the default), `peer` cell2location 0.1.5; `c2l_nb` "
     "(seed 0 only) is the softplus guide of the previous defaults. Regimes with the same seed and number of types "
     "share one reference, so each seed has two distinct references: `subtypes` and the four 20-type regimes."),
    ('Visium HD scale: training and export at 10,000 to 1,000,000 bins', 'hd_scale',
     "`benchmarks/bench_hd.py`: simulated 8 um bins with the library's defaults (`train()` chooses full batch or "
     "minibatches from the data size, the free memory and the expected time), time, peak memory and accuracy; "
     "at 10,000 bins full batch and minibatches side by side."),
    ('Visium HD scale: cell2location beside c2l_nb at 10,000 bins', 'hd_peer',
     "`benchmarks/bench_hd_peer.py`: the same simulated bins, both models given the true signatures; cell2location's "
     "tutorial training (full batch, lr 0.002) measured at checkpoints as far as its time allowed, its 30,000 steps "
     "projected from its measured seconds per step."),
    ('Sparse sections below the minibatch threshold: crops of an HD section, Slide-seq-like beads', 'hd_crops',
     "`benchmarks/hd_crops.py`: fewer than 20,000 simulated bins or beads train full batch; the Visium schedule "
     "against `train()`'s default for sparse counts (the minibatch mode's settings at full batch), with runaway spots "
     "counted."),
    ('Visium HD sparsity: one likelihood evaluation, exact and over sampled genes', 'loglik_genes',
     "`benchmarks/bench_loglik_genes.py`: the exact `spatial_loglik` against `spatial_loglik_genes` (the zero counts' "
     "term over k sampled genes, the non-zero counts exact), forward and backward on the same simulated bins."),
    ('Training at scale: memory of full batch and minibatches, random minibatches and spatial tiles', 'scale',
     "`benchmarks/bench_scale.py`: peak memory and seconds per epoch of full-batch and host-resident minibatch "
     "training, and random minibatches against spatially coherent tiles at equal epochs."),
    ('Spatial model, small size: defaults against cell2location', 'spatial_small_headline',
     "c2l_nb's default `train()` (its learning-rate schedule and convergence rule) against cell2location's default "
     "settings (lr 0.002, full-data steps), interleaved in one run on the same data. cell2location's 30,000 default "
     "steps take hours here; the long run below shows its accuracy further along."),
    ('Spatial model, small size: cell2location for longer', 'spatial_small_peer_long',
     "cell2location alone, as far along its 30,000 default steps as the run was allowed to go (stopped early runs "
     "show the steps they reached)."),
    ('Spatial model, lymph-node size', 'spatial_lymph_node_headline',
     "c2l_nb's default `train()` and the two exports at the size of one Visium lymph-node section."),
    ('Spatial model, lymph-node size, one thread on a loaded machine', 'spatial_lymph_node_ln_defaults_1thread',
     "The same run with one torch thread while two other benchmark processes shared the machine's two cores: a "
     "pessimistic bound, measured before the spatial likelihood's block size was raised from 2^17 to 2^19 entries."),
    ('Reference regression, the tutorial\'s 250 epochs', 'reference_small_tutorial_250',
     "The tutorial's call (`max_epochs=250, batch_size=2500, lr=0.002`) in both libraries, timed in alternating "
     "chunks, with the accuracy of the estimated signatures at the end."),
]

INTRO = """# Performance

> Accuracy, time and memory of c2l_nb against cell2location 0.1.5, measured side by side on simulated data with known truth.

This page is written by `benchmarks/make_page.py` from the files in `benchmarks/results/`, which the benchmark
scripts (`benchmarks/bench_spatial.py`, `benchmarks/bench_reference.py`) rewrite at the end of each run; the scripts,
their options and how to install cell2location beside c2l_nb are described in `benchmarks/README.md`. Every table
comes from one run in which both libraries trained on the same files, on the same machine, their work interleaved.

Where the time goes, and what changed to make it shorter, is explained in the API pages:
[the likelihood](../infer.html) ("The same sum, fast": count terms on the non-zero entries only, count histograms,
gradients by hand), [the spatial model](../spatial.html) ("The likelihood in one pass") and
[the reference model](../reference.html) ("Pooling cells").
The model is cell2location's (same likelihood, same outputs), except that with 10 or more expected cells per spot
the cell totals come from $N_s$ (the form of cell2location's unreleased high-resolution branch; see the model page).

The accuracy suite was measured with the current defaults (LogNormal guide, the q05-based stopping rule with
windows of 200 steps; with 10 or more expected cells per spot, totals from $N_s$, a learning rate decaying from
0.05 to 0.002 over 4,000 steps and the zone warm start after step 500; with fewer, cell2location's released form with the decay over 5,000 steps and the
per-spot locations decaying to 0.004 only). The Visium HD scale runs (2 cells per bin: the released form, and
minibatches) and the paired timing (seconds per step) were measured with the released form. The reference
signatures do not depend on the spatial schedule. The sections after
the HD ones were measured with an earlier version's defaults (softplus guide, learning rate 0.02 decaying to 0.002
over `max_epochs`, a loss-based stopping rule that ended training after about 2,000 steps); their speed per step is
unchanged, their step counts and accuracies are not the current ones.
"""


def _cell(kind: str, src: str, i: int) -> dict:
    c = {'cell_type': kind, 'id': f'perf{i:04d}', 'metadata': {}, 'source': src.splitlines(keepends=True)}
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c


def _body(md: str) -> str:
    "A result's markdown without its title line; its sub-headings moved one level down."
    md = re.sub(r'^# .*\n+', '', md, count=1)
    return re.sub(r'^## ', '#### ', md, flags=re.M).strip()


def render() -> str:
    cells = [_cell('markdown', INTRO.strip(), 0)]
    for k, (title, stem, what) in enumerate(SHOWN, 1):
        md = os.path.join(RESULTS, f'{stem}.md')
        if not os.path.exists(md): continue
        cells.append(_cell('markdown', f'## {title}\n\n{what}\n\n' + _body(open(md).read()), 2 * k - 1))
        if os.path.exists(os.path.join(RESULTS, f'{stem}.png')):
            cells.append(_cell('code', "#| echo: false\nfrom IPython.display import Image\n"
                               f"Image('../../benchmarks/results/{stem}.png', width=900)", 2 * k))
    nb = {'cells': cells, 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
          'nbformat': 4, 'nbformat_minor': 5}
    return json.dumps(nb, indent=1, ensure_ascii=False) + '\n'


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--check', action='store_true', help='only check that the page is up to date')
    a = p.parse_args(argv)
    text = render()
    if a.check:
        ok = os.path.exists(PAGE) and open(PAGE).read() == text
        if not ok: print(f'{PAGE} is out of date: run python benchmarks/make_page.py', file=sys.stderr)
        return 0 if ok else 1
    open(PAGE, 'w').write(text)
    print(f'wrote {PAGE}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
