"""Batches of token-id rows of different lengths (lesson 10; the ``bert-zh-reviews`` and ``bert-zh-sentiment`` recipes).

Lesson 10 writes :func:`length_grouped_batches` out in its cells and checks this copy against it.
"""

from __future__ import annotations

from collections.abc import Callable


def pad_rows(rows: list[list[int]]):
    """Token-id lists -> one LongTensor, padded with 0 ([PAD]) to the longest row."""
    import torch

    ids = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
    return ids


def length_grouped_batches(lengths: list[int], batch_size: int, permutation: Callable[[int], list[int]],
                           window: int = 50) -> list[list[int]]:
    """One epoch of index batches with little padding: shuffle, sort each window of ``window`` batches by length,
    cut it into batches, shuffle the batches. ``permutation(n)`` returns a random order of ``range(n)``."""
    order = permutation(len(lengths))
    batches = []
    for start in range(0, len(order), batch_size * window):
        chunk = sorted(order[start : start + batch_size * window], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in permutation(len(batches))]
