"""Numbers and their Chinese readings: lesson 06's seq2seq task and the ``t5-zh`` recipe's data.

``读法:1998`` -> ``一千九百九十八`` (how the number is read) and ``大写:1998`` -> ``壹仟玖佰玖拾捌元整``
(the anti-fraud numerals on cheques and invoices), converted by ``cn2an``.
"""

from __future__ import annotations

import random

T5_TASKS = {"读法": "low", "大写": "rmb"}  # task prefix -> cn2an's conversion mode


def random_number(rng: random.Random, task: str) -> str:
    """A number to convert: 1-9 integer digits (zeros common, to exercise 零), maybe decimals (lesson 06)."""
    digits = rng.randint(1, 9)
    first = str(rng.randint(1, 9)) if digits > 1 else str(rng.randint(0, 9))
    rest = "".join("0" if rng.random() < 0.35 else str(rng.randint(1, 9)) for _ in range(digits - 1))
    text = first + rest
    if rng.random() < 0.35:
        places = rng.randint(1, 2) if task == "大写" else rng.randint(1, 3)
        text += "." + "".join(str(rng.randint(0, 9)) for _ in range(places))
    return text


def t5_example(task: str, number: str) -> tuple[str, str]:
    """``("大写:1998", "壹仟玖佰玖拾捌元整")``: the task prefix, the number and cn2an's conversion (lesson 06)."""
    import cn2an

    if task not in T5_TASKS:
        raise ValueError(f"Unknown task {task!r}: use one of {sorted(T5_TASKS)}.")
    return f"{task}:{number}", cn2an.an2cn(number, T5_TASKS[task])  # ASCII colon: the tokenizer applies NFKC


SHORT_NUMBERS = frozenset((task, str(k)) for task in T5_TASKS for k in range(100))
"""The 200 bare integers below 100 (both tasks): a class so small that a held-out split drawn at random
would take most of it, leaving none to learn from. They are never held out; every reader must know them."""


def t5_examples(n: int, seed: int, exclude: set | frozenset = frozenset()) -> tuple[list[tuple[str, str]], set]:
    """``n`` distinct (source, target) pairs, both tasks mixed, none of whose (task, number) is in ``exclude``
    or in :data:`SHORT_NUMBERS` (the ``t5-zh`` recipe adds those to its training pool on purpose).

    Returns the pairs and the (task, number) set including ``exclude``. Lesson 06 takes its
    test numbers with ``seed=2``, exactly the checkpoint's test split.
    """
    rng, seen, rows = random.Random(seed), set(exclude), []
    while len(rows) < n:
        task = rng.choice(sorted(T5_TASKS))
        number = random_number(rng, task)
        if (task, number) in seen or (task, number) in SHORT_NUMBERS:
            continue
        seen.add((task, number))
        rows.append(t5_example(task, number))
    return rows, seen

