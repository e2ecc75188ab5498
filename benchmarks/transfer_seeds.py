"""Lesson 10's transfer experiment over several seeds and two training budgets.

    .venv/bin/python benchmarks/transfer_seeds.py      # ~11 min; writes benchmarks/transfer.md

Lesson 10 (section 6) fine-tunes the course checkpoint ``bert-zh-reviews`` and the same
architecture from random weights on 100 / 300 / 1,000 labelled reviews, once, with one seed.
This script runs the lesson's own code (the cells tagged ``training-script``, exported by
``coursetools.lesson_script``: data, tokenizer, ``load_classifier``, ``fine_tune``, ``accuracy``)
for three seeds (the seed sets the new head's initial weights and the batch order), two
budgets

* ``lesson``: the lesson's ``EPOCHS`` (56-126 optimizer steps);
* ``longer``: 20 / 8 / 4 epochs (140-252 steps), enough for random initialisation to leave
  the majority class at every size;

and two classifiers:

* ``new head``: the lesson's ``load_classifier`` (``AutoModelForSequenceClassification``, a new
  randomly initialised 2-way head on the pooled [CLS] vector);
* ``prompt``: prompt-based fine-tuning (Schick & Schuetze 2021, "PET"; Gao et al. 2021, "LM-BFF"),
  defined by the solution of the lesson's exercise 2 (its definitions cell, run here). Each review becomes
  ``<review>。总之很[MASK]。`` and the masked-LM head's scores for the label words 差 / 好 at
  [MASK] are the two logits: no new weights, so a pretrained model starts from what its MLM head
  already knows. It is trained by the lesson's own ``fine_tune`` and scored by its ``accuracy``.

Reported: accuracy on the lesson's 800 validation reviews and on the 1,736 test reviews,
mean ± standard deviation over the seeds, and the gain of pretrained over random initialisation.
The gain is what the issue's target ("pretrained beats random by >= 5 points at the small
sizes") is about; this table says how much of the lesson's single-seed gain survives.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import platform
import sys
import time
from pathlib import Path

import numpy as np

from coursetools.lesson_script import lesson_script
from coursetools.notebooks import NotebookError, solution_definitions

ROOT = Path(__file__).resolve().parents[1]
TABLE = Path(__file__).with_name("transfer.md")
NOTEBOOK = ROOT / "notebooks" / "10_finetune_little_data.ipynb"
BUDGETS = {"lesson": None, "longer": {100: 20, 300: 8, 1000: 4}}  # None: the lesson's EPOCHS
CLASSIFIERS = ("new head", "prompt")
PROMPT_EXERCISE = 2  # lesson 10's exercise whose solution defines the prompt classifier


def lesson_namespace() -> dict:
    """Run lesson 10's training-script cells and exercise 2's definitions (quietly); return their globals."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # as the lesson does: no load report for every new head
    namespace: dict = {"__name__": "lesson09"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(lesson_script(NOTEBOOK, {}), str(NOTEBOOK), "exec"), namespace)
        exec(compile(solution_definitions(NOTEBOOK, PROMPT_EXERCISE), f"{NOTEBOOK} (exercise {PROMPT_EXERCISE})",
                     "exec"), namespace)
    return namespace


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds to run (default 0 1 2)")
    parser.add_argument("--sizes", type=int, nargs="+", help="training-set sizes (default: the lesson's SIZES)")
    args = parser.parse_args()
    if len(args.seeds) < 2:
        parser.error("give at least two --seeds: a spread over one seed is not defined")
    start = time.perf_counter()
    try:
        ns = lesson_namespace()
    except NotebookError as error:
        parser.error(str(error))
    if ns["MODE"] != "tiny":
        parser.error("this benchmark measures the course checkpoint: run it in tiny mode (unset PLM_MODE)")
    sizes = args.sizes or ns["SIZES"]
    unknown = [n for n in sizes if n not in BUDGETS["longer"]]
    if unknown:
        parser.error(f"sizes {unknown} have no 'longer' budget; choose from {sorted(BUDGETS['longer'])}")
    data = {"new head": (ns["pool"], ns["val"], ns["test"])}
    data["prompt"] = tuple(d.map(ns["prompt_encode"], batched=True) for d in data["new head"])
    val, test = data["new head"][1:]
    rows = []
    for classifier in CLASSIFIERS:
        pool, val_c, test_c = data[classifier]
        for budget, epochs in BUDGETS.items():
            epochs = epochs or ns["EPOCHS"]
            for n in sizes:
                scores = {}
                for init in ("pretrained", "random"):
                    for seed in args.seeds:
                        ns["SEED"] = seed  # load_classifier seeds the new head with the global SEED
                        if classifier == "prompt":
                            model = ns["prompt_classifier"](pretrained=init == "pretrained", seed=seed)
                        else:
                            model = ns["load_classifier"](pretrained=init == "pretrained")
                        log = ns["fine_tune"](model, pool.select(range(n)), epochs=epochs[n], seed=seed)
                        scores.setdefault(init, []).append((ns["accuracy"](model, val_c), ns["accuracy"](model, test_c)))
                steps = len(log["loss"])
                pre, rnd = np.array(scores["pretrained"]), np.array(scores["random"])
                rows.append({"classifier": classifier, "budget": budget, "n": n, "epochs": epochs[n], "steps": steps,
                             "pre": pre, "rnd": rnd})
                print(f"{classifier:8} {budget:7} {n:5} reviews, {steps} steps: test pretrained {pre[:, 1].round(3)} "
                      f"random {rnd[:, 1].round(3)} gain {100 * (pre[:, 1].mean() - rnd[:, 1].mean()):+.1f} points "
                      f"({time.perf_counter() - start:.0f} s)", flush=True)

    def cell(values):
        return f"{values.mean():.3f} ± {values.std():.3f}"

    p_typical = float(np.mean([r["pre"][:, 1].mean() for r in rows]))
    lines = [f"# Lesson 10: transfer gain over {len(args.seeds)} seeds", "",
             f"Written by `benchmarks/transfer_seeds.py` ({platform.machine()}, "
             f"{time.perf_counter() - start:.0f} s): lesson 10's own fine-tuning code, seeds {args.seeds}, "
             f"`bert-zh-reviews` (pretrained) vs the same configuration from random weights; classifier "
             f"`new head` is the lesson's, `prompt` scores the label words {' / '.join(ns['LABEL_WORDS'])} with the "
             f"masked-LM head at the [MASK] of `<review>{ns['PROMPT']}` (exercise {PROMPT_EXERCISE}'s solution). "
             f"Mean ± standard deviation over the seeds; {len(val)} validation / {len(test):,} test reviews "
             f"(an accuracy near {p_typical:.2f} on {len(test):,} reviews has a standard error of about "
             f"{np.sqrt(p_typical * (1 - p_typical) / len(test)):.3f}).", "",
             "| classifier | budget | reviews | epochs (steps) | val: pretrained | val: random | test: pretrained | test: random "
             "| gain, test (points) | seeds where random stays at the majority class |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    majority = max(np.mean(test["label"]), 1 - np.mean(test["label"]))
    for r in rows:
        stuck = int(np.sum(np.abs(r["rnd"][:, 1] - majority) < 0.005))
        lines.append(f"| {r['classifier']} | {r['budget']} | {r['n']:,} | {r['epochs']} ({r['steps']}) | {cell(r['pre'][:, 0])} | "
                     f"{cell(r['rnd'][:, 0])} | {cell(r['pre'][:, 1])} | {cell(r['rnd'][:, 1])} | "
                     f"{100 * (r['pre'][:, 1].mean() - r['rnd'][:, 1].mean()):+.1f} | {stuck} of {len(args.seeds)} |")
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[4:]))
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
