"""Determinism: a lesson executed twice, each time in a fresh kernel, prints the same numbers.

nbval already compares one fresh run of every lesson with its stored outputs in the cells
marked ``# NBVAL_CHECK_OUTPUT``. This test is stricter on one lesson that trains a model live
(lesson 04: a tiny GPT for 300 steps, then sampling with several decoding methods): two fresh runs
on the same machine must print identical text in *every* cell except those marked
``# NBVAL_IGNORE_OUTPUT`` (timings). That is determinism. The stored outputs are not compared here:
they were made on another machine, perhaps with another thread count, and a live training run
sums its floating-point numbers in another order there (nbval compares the cells whose output
does not depend on that, with a numeric tolerance; the lesson's asserts check what it learned).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSON = "04_gpt_causal_lm.ipynb"


def _printed(nb) -> list[tuple[int, str]]:
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.lstrip().startswith("# NBVAL_IGNORE_OUTPUT"):
            continue
        text = "".join(o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
                       for o in cell.get("outputs", []) if o.output_type in {"stream", "execute_result"})
        out.append((index, text))
    return out


def _run() -> list[tuple[int, str]]:
    nb = nbformat.read(NOTEBOOKS / LESSON, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return _printed(nb)


def test_a_lesson_prints_the_same_numbers_twice():
    first, second = _run(), _run()
    assert any("perplexity" in text for _, text in first), "the lesson should print its metrics"
    differ = [i for (i, a), (_, b) in zip(first, second) if a != b]
    assert not differ, f"cells {differ} of {LESSON} printed different text in two fresh runs"
