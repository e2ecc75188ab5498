"""Determinism: a lesson executed twice, each time in a fresh kernel, prints the same numbers.

nbval already compares one fresh run of every lesson with its stored outputs in the cells
marked ``# NBVAL_CHECK_OUTPUT``. This test is stricter on one lesson that trains a model live
(lesson 05: a tiny GPT trained from random weights, here for 120 steps instead of the lesson's 300 to
save time, then sampling with several decoding methods): two fresh runs
on the same machine must print identical text in *every* cell except those marked
``# NBVAL_IGNORE_OUTPUT`` (timings). That is determinism. The stored outputs are not compared here:
they were made on another machine, perhaps with another thread count, and a live training run
sums its floating-point numbers in another order there (nbval compares the cells whose output
does not depend on that, with a numeric tolerance; the lesson's asserts check what it learned).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coursetools.notebooks import execute, printed_cells

pytestmark = pytest.mark.notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSON = "05_gpt_causal_lm.ipynb"


def test_a_lesson_prints_the_same_numbers_twice():
    first, second = (printed_cells(execute(NOTEBOOKS / LESSON, {"LIVE_STEPS": 120})) for _ in range(2))
    assert any("perplexity" in text for _, text in first), "the lesson should print its metrics"
    differ = [i for (i, a), (_, b) in zip(first, second) if a != b]
    assert not differ, f"cells {differ} of {LESSON} printed different text in two fresh runs"
