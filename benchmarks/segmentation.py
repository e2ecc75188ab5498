"""Lesson 08's size × method table over several seeds, and the "all windows" cells the lesson cannot run live.

    .venv/bin/python benchmarks/segmentation.py      # ~25 min; writes benchmarks/segmentation.md

Lesson 08 (section 6) compares word segmenters on the held-out test articles after training on
100 / 1,000 windows drawn from the non-sports training articles, with one seed. This script runs
the lesson's own code (its cells tagged ``training-script``, exported by
``coursetools.lesson_script``: data, scoring, maximum matching, jieba, pkuseg's trainer, the
``Trainer`` fine-tune and the test table) again

* for three seeds at 100 / 1,000 windows (the seed draws the training windows, the head's initial
  weights and the batch order), reported as mean ± standard deviation; and
* once at all non-sports training windows, for the two cells the lesson leaves out because they
  take minutes: pkuseg's CRF on every window and the random-init BERT (the pretrained model at this
  size is the shipped ``bert-zh-cws``, which the lesson evaluates itself).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

from coursetools.lesson_script import run_training_cells
from coursetools.notebooks import NotebookError

ROOT = Path(__file__).resolve().parents[1]
TABLE = Path(__file__).with_name("segmentation.md")
NOTEBOOK = ROOT / "notebooks" / "08_chinese_word_segmentation.ipynb"
METHODS = ("bidirectional maximum matching", "pkuseg feature CRF", "BERT, pretrained init", "BERT, random init")


def run_lesson(overrides: dict) -> dict:
    """Lesson 08's training-script cells with ``overrides``; returns their globals (output swallowed)."""
    return run_training_cells(NOTEBOOK, overrides)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds for the small sizes (default 0 1 2)")
    parser.add_argument("--all-steps", type=int, default=3000, help="BERT steps on all windows (default 3000)")
    parser.add_argument("--skip-all", action="store_true", help="only the small sizes (minutes instead of ~20)")
    args = parser.parse_args()
    if len(args.seeds) < 2:
        parser.error("give at least two --seeds: a spread over one seed is not defined")
    start = time.perf_counter()
    per_seed = []
    try:
        for seed in args.seeds:
            ns = run_lesson({"SEED": seed})
            if ns["MODE"] != "tiny":
                parser.error("this benchmark measures the course checkpoints: run it in tiny mode (unset PLM_MODE)")
            per_seed.append(ns["table"])
            print(f"seed {seed}: done ({time.perf_counter() - start:.0f} s)", flush=True)
        sizes = ns["SIZES"]
        big = None
        if not args.skip_all:
            n_all = len(ns["pool"])
            big = run_lesson({"SEED": 0, "SIZES": [n_all], "STEPS": {**ns["STEPS"], n_all: args.all_steps}})["table"]
            print(f"all {n_all:,} windows: done ({time.perf_counter() - start:.0f} s)", flush=True)
    except NotebookError as error:
        parser.error(str(error))

    lines = [f"# Lesson 08: word segmentation, {len(args.seeds)} seeds", "",
             f"Written by `benchmarks/segmentation.py` ({platform.machine()}, {time.perf_counter() - start:.0f} s): "
             f"lesson 08's own code (cells tagged `training-script`), seeds {args.seeds}. Word F1 and OOV recall on "
             f"the {len(ns['test_gold']):,} test windows (held-out articles; OOV = not among the training split's "
             f"words), mean ± standard deviation over the seeds. The seed draws the training windows from the "
             f"non-sports training articles, the new head's initial weights and the batch order.", "",
             "| method | " + " | ".join(f"F1, {n:,} windows" for n in sizes) + " | "
             + " | ".join(f"OOV recall, {n:,}" for n in sizes) + " |",
             "|---|" + "---|" * (2 * len(sizes))]
    for method in METHODS:
        f1 = [" {:.3f} ± {:.3f}".format(*(lambda v: (v.mean(), v.std()))(np.array([t.loc[(method, n)]["f1"] for t in per_seed])))
              for n in sizes]
        oov = [" {:.3f} ± {:.3f}".format(*(lambda v: (v.mean(), v.std()))(np.array([t.loc[(method, n)]["oov_recall"] for t in per_seed])))
               for n in sizes]
        lines.append(f"| {method} |" + " |".join(f1) + " |" + " |".join(oov) + " |")
    gaps = {n: np.array([t.loc[("BERT, pretrained init", n)]["f1"] - t.loc[("BERT, random init", n)]["f1"] for t in per_seed])
            for n in sizes}
    crf_gaps = {n: np.array([t.loc[("BERT, pretrained init", n)]["f1"] - t.loc[("pkuseg feature CRF", n)]["f1"]
                             for t in per_seed]) for n in sizes}
    lines += ["", "Differences in F1 points, mean ± sd over the seeds: "
              + "; ".join(f"{n:,} windows: pretrained − random {100 * g.mean():+.1f} ± {100 * g.std():.1f}, "
                          f"pretrained − CRF {100 * crf_gaps[n].mean():+.1f} ± {100 * crf_gaps[n].std():.1f}"
                          for n, g in gaps.items()) + "."]
    jieba_row = per_seed[0].loc[("jieba (its own dictionary)", "-")]
    lines += ["", "jieba (its own dictionary and HMM, not trained here; jieba says they were built partly from the 1998 "
              f"People's Daily): F1 {jieba_row['f1']:.3f}, OOV recall {jieba_row['oov_recall']:.3f}."]
    if big is not None:
        n_all = [k for k in big.index.get_level_values(1) if k != "-" and k != "all"][0]
        lines += ["", f"## All {n_all:,} non-sports training windows (seed 0, one run)", "",
                  f"pkuseg: the lesson's {ns['CRF_ITERS']} passes; BERT: {args.all_steps:,} steps of batch 32 at the lesson's "
                  "learning rate. The shipped `bert-zh-cws` (all 36,256 windows, its model card's recipe) is in the lesson.", "",
                  "| method | F1 | OOV recall |", "|---|---|---|"]
        for method in METHODS:
            row = big.loc[(method, n_all)]
            lines.append(f"| {method} | {row['f1']:.3f} | {row['oov_recall']:.3f} |")
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
