"""helpers.batching: padding and length-grouped batches (lesson 10; the bert-zh-reviews and bert-zh-sentiment recipes)."""

from __future__ import annotations

import random

from helpers.batching import length_grouped_batches, pad_rows


def shuffler(seed):
    rng = random.Random(seed)

    def permutation(n):
        order = list(range(n))
        rng.shuffle(order)
        return order
    return permutation


def test_length_grouped_batches_cover_every_row_once_with_similar_lengths():
    lengths = [random.Random(i).randint(5, 128) for i in range(1000)]
    batches = length_grouped_batches(lengths, 16, shuffler(0), window=10)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert sorted(len(b) for b in batches) == [8] + [16] * 62  # 6 full windows of 10 batches, then 40 rows left
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    shuffled = shuffler(1)(1000)
    random_spread = sum(max(lengths[i] for i in shuffled[s : s + 16]) - min(lengths[i] for i in shuffled[s : s + 16])
                        for s in range(0, 1000, 16)) / 63
    assert spread < random_spread / 4, "sorting inside each window must give batches of similar lengths"
    assert batches != length_grouped_batches(lengths, 16, shuffler(2), window=10), "another seed, another epoch"
    assert batches == length_grouped_batches(lengths, 16, shuffler(0), window=10), "same seed, same epoch"


def test_pad_rows_pads_with_zeros_to_the_longest_row():
    assert pad_rows([[5, 6, 7], [8]]).tolist() == [[5, 6, 7], [8, 0, 0]]
