"""helpers.tasks.text2text: span corruption and labelled tasks as text (lesson 06, the t5-zh-span recipe)."""

from __future__ import annotations

import random

import pytest

from helpers.tasks.text2text import (NO_ENTITY, Text2TextError, entity_prf, entity_target, parse_entities, sentinel,
                                     span_corrupt)


def test_span_corruption_removes_about_rate_of_the_tokens_and_the_target_restores_them():
    tokens = list("淮河流域最大的水污染治理项目郑州市污水处理厂工程日前开工郑州市污水处理厂是国务院淮河流域水污染防治重点工程之一")
    for seed in range(20):
        source, target = span_corrupt(tokens, random.Random(seed))
        sentinels = [t for t in source if t.startswith("<extra_id_")]
        assert sentinels == [sentinel(i) for i in range(len(sentinels))]
        assert target[-1] == sentinel(len(sentinels))  # closed by one more sentinel
        removed = [t for t in target if not t.startswith("<extra_id_")]
        assert len(removed) == round(len(tokens) * 0.15)
        # putting each span back where its sentinel stands gives the original
        spans, current = {}, None
        for t in target:
            if t.startswith("<extra_id_"):
                current = t
                spans[current] = []
            else:
                spans[current].append(t)
        rebuilt = [ch for t in source for ch in (spans[t] if t in spans else [t])]
        assert rebuilt == tokens
    assert span_corrupt(tokens, random.Random(3)) == span_corrupt(tokens, random.Random(3))


def test_span_corruption_on_ids_and_tiny_inputs():
    source, target = span_corrupt([5, 6, 7, 8, 9, 10, 11, 12, 13, 14], random.Random(0), mark=lambda i: 100 + i)
    assert 100 in source and target[0] == 100 and all(isinstance(t, int) for t in source + target)
    source, target = span_corrupt(["a", "b"], random.Random(0))  # one kept, one removed
    assert len([t for t in target if not t.startswith("<")]) == 1
    with pytest.raises(Text2TextError, match="at least 2 tokens"):
        span_corrupt(["a"], random.Random(0))
    with pytest.raises(Text2TextError, match="rate"):
        span_corrupt(list("abcdef"), random.Random(0), rate=1.5)


def test_entity_targets_round_trip_and_score():
    chars = list("江泽民在北京会见新华社记者")
    tags = ["B-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O", "B-ORG", "I-ORG", "I-ORG", "O", "O"]
    target = entity_target(chars, tags)
    assert target == "人名:江泽民;地名:北京;机构名:新华社"
    assert parse_entities(target) == [("PER", "江泽民"), ("LOC", "北京"), ("ORG", "新华社")]
    assert entity_target(list("今天下雨"), ["O"] * 4) == NO_ENTITY
    assert parse_entities(NO_ENTITY) == [] and parse_entities("人名:;乱写;国家:中国") == []  # malformed pieces are not entities
    scores = entity_prf([target, NO_ENTITY], ["人名:江泽民;地名:北京;地名:上海", NO_ENTITY])
    assert scores["precision"] == pytest.approx(2 / 3) and scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3) and (scores["gold"], scores["predicted"]) == (3, 3)
    assert entity_prf(["人名:张三;人名:张三"], ["人名:张三"])["recall"] == 0.5  # duplicates count per copy
    assert entity_prf([NO_ENTITY], [NO_ENTITY])["f1"] == 0.0
    with pytest.raises(Text2TextError, match="one tag per character"):
        entity_target(chars, tags[:-1])
    with pytest.raises(Text2TextError, match="one per sentence"):
        entity_prf([target], [])
