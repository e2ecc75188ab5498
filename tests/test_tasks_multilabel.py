"""helpers.tasks.multilabel: sentences labelled with the kinds of words they contain (lesson 09)."""

from __future__ import annotations

import pytest

from helpers.data import CorpusError


def test_multi_hot_follows_the_label_order_and_rejects_unknown_names():
    from helpers.tasks.multilabel import MULTILABEL_NAMES, multi_hot

    assert multi_hot(["NUM", "PER"]) == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert multi_hot([]) == [0.0] * len(MULTILABEL_NAMES)
    with pytest.raises(CorpusError, match=r"Unknown label\(s\) \['PERSON'\]; this label set is \['PER'"):
        multi_hot(["PERSON"])
    assert multi_hot(["joy"], names=("anger", "joy")) == [0.0, 1.0]


def test_multilabel_sentences_fit_the_model_and_report_what_was_left_out():
    from helpers.tasks.multilabel import MULTILABEL_NAMES, load_people_daily_multilabel

    data = load_people_daily_multilabel(max_chars=62)
    assert all(len(t) <= 62 for t in data["test"]["text"])
    assert all(set(labels) <= set(MULTILABEL_NAMES) for labels in data["train"]["labels"])
    assert "longer than 62 characters left out" in data["train"].info.description
    # same article split as load_people_daily: no article in two splits
    assert not set(data["train"]["article"]) & set(data["test"]["article"])
    cardinality = sum(len(x) for x in data["train"]["labels"]) / len(data["train"])
    assert 1.0 < cardinality < 2.0


def test_multilabel_loader_rejects_a_bad_length():
    from helpers.tasks.multilabel import load_people_daily_multilabel

    with pytest.raises(CorpusError, match="max_chars must be an int >= 8"):
        load_people_daily_multilabel(max_chars=4)
