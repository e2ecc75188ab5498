"""helpers.tasks.mlm: clauses, NSP / SOP sentence pairs and BERT masking (lessons 04, 07)."""

from __future__ import annotations

import random

import pytest
import torch

from helpers.tasks.mlm import BERT_SPECIALS, mask_for_mlm, nsp_example, pack_pairs, sentence_pairs, split_clauses


def toy_articles(n_articles=6, clauses=12, seed=0):
    rng = random.Random(seed)
    return [[[rng.randrange(5, 100) for _ in range(rng.randint(3, 14))] for _ in range(clauses)] for _ in range(n_articles)]


def test_mlm_masking_rule():
    ids = torch.randint(5, 3000, (400, 64), generator=torch.Generator().manual_seed(0))
    ids[:, 0], ids[:, -1], ids[:10, 30:] = 2, 3, 0  # [CLS], [SEP], padding
    inputs, chosen = mask_for_mlm(ids, 3000, 5, 0.15, torch.Generator().manual_seed(1))
    assert not chosen[ids < 5].any(), "special tokens and padding must never be chosen"
    rate = chosen.sum().item() / (ids >= 5).sum().item()
    assert 0.14 < rate < 0.16
    masked = (inputs[chosen] == BERT_SPECIALS.index("[MASK]")).float().mean().item()
    kept = (inputs[chosen] == ids[chosen]).float().mean().item()
    assert 0.77 < masked < 0.83 and 0.08 < kept < 0.12
    assert torch.equal(inputs[~chosen], ids[~chosen])


def test_clauses_end_at_clause_punctuation_and_keep_every_character():
    text = "今天下雨,我们不去了。明天呢?再说:也许吧"
    assert split_clauses(text) == ["今天下雨,", "我们不去了。", "明天呢?", "再说:", "也许吧"]
    assert "".join(split_clauses(text)) == text


def test_nsp_pairs_fit_the_model_and_are_half_negatives():
    articles = toy_articles()
    pairs = sentence_pairs(articles, 32, random.Random(0), "nsp")
    assert len(pairs) == sum(len(a) - 1 for a in articles)  # one example per clause start
    assert all(len(a) + len(b) + 3 <= 32 and a and b for a, b, _ in pairs)
    assert 0.35 < sum(label for _, _, label in pairs) / len(pairs) < 0.65


def contains(flat, run):
    return any(flat[s : s + len(run)] == run for s in range(len(flat) - len(run) + 1))


def test_a_positive_b_continues_a_and_a_negative_b_starts_a_clause_of_another_article():
    articles = toy_articles()
    k, i = 2, 4
    flat = [t for c in articles[k] for t in c]
    seen = set()
    for seed in range(40):
        a, b, label = nsp_example(articles, k, i, random.Random(seed), 64)
        seen.add(label)
        if label == 0:
            assert contains(flat, a + b), "B must be the text right after A"
        else:
            assert not contains(flat, a + b)
            assert any(tuple(b[: len(c)]) == tuple(c) for j, art in enumerate(articles) if j != k for c in art)
    assert seen == {0, 1}


def test_sop_pairs_are_two_runs_of_whole_clauses_in_either_order():
    articles = toy_articles()
    pairs = sentence_pairs(articles, 32, random.Random(0), "sop")
    assert pairs and all(len(a) + len(b) + 3 <= 32 for a, b, _ in pairs)
    clauses = {tuple(c) for art in articles for c in art}
    starts_with_a_clause = lambda seg: any(tuple(seg[: len(c)]) == c for c in clauses)
    assert all(starts_with_a_clause(a) and starts_with_a_clause(b) for a, b, _ in pairs)
    assert 0.35 < sum(label for _, _, label in pairs) / len(pairs) < 0.65


def test_sentence_pairs_reject_an_unknown_task():
    with pytest.raises(ValueError, match=r"task must be 'nsp' \(BERT\) or 'sop' \(ALBERT\), got 'mlm'"):
        sentence_pairs(toy_articles(), 32, random.Random(0), "mlm")


def test_packed_pairs_mark_segment_b_and_pad_with_zeros():
    ids, types, labels = pack_pairs([([7, 8], [9], 0), ([7], [8, 9, 10], 1)], cls=2, sep=3)
    assert ids.tolist() == [[2, 7, 8, 3, 9, 3, 0], [2, 7, 3, 8, 9, 10, 3]]
    assert types.tolist() == [[0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1]]
    assert labels.tolist() == [0, 1]
