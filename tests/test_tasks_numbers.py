"""helpers.tasks.numbers: numbers and their Chinese readings (lesson 06, the t5-zh recipe)."""

from __future__ import annotations

import random

import pytest

from helpers.tasks.numbers import random_number, t5_example, t5_examples


def test_t5_task_examples_and_bad_task():
    assert t5_example("大写", "1998") == ("大写:1998", "壹仟玖佰玖拾捌元整")
    assert t5_example("读法", "100200") == ("读法:100200", "十万零二百")
    with pytest.raises(ValueError, match=r"Unknown task '金额'"):
        t5_example("金额", "12")
    draws = [random_number(random.Random(3), "大写") for _ in range(2)]
    assert draws[0] == draws[1] and draws[0].replace(".", "").isdigit()
    test, seen = t5_examples(50, seed=2)
    train, _ = t5_examples(500, seed=0, exclude=seen)
    assert test == t5_examples(50, seed=2)[0] and len(set(test)) == 50
    assert not set(train) & set(test), "training pairs must never repeat a test pair"



def test_short_integers_are_never_held_out():
    from helpers.tasks.numbers import SHORT_NUMBERS

    assert len(SHORT_NUMBERS) == 200 and ("读法", "7") in SHORT_NUMBERS and ("大写", "99") in SHORT_NUMBERS
    _, seen = t5_examples(3000, seed=2)
    assert not seen & SHORT_NUMBERS, "held-out splits must leave every integer below 100 to training"
