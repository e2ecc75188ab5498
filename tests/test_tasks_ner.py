"""helpers.tasks.ner: BIO tags, windows for a 64-position model, the lexicon baseline (lesson 07)."""

from __future__ import annotations

import re

import pytest

from helpers.tasks.ner import NER_LABELS, NerDataError, bio_tags, gazetteer, lexicon_tags, ner_windows, spans


def test_bio_tags_mark_first_and_inner_characters():
    tags = bio_tags("李鹏在北京", [{"type": "PER", "start": 0, "end": 2, "text": "李鹏"},
                                {"type": "LOC", "start": 3, "end": 5}])
    assert tags == ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"]
    assert set(tags) <= set(NER_LABELS)


@pytest.mark.parametrize(("entity", "message"), [
    ({"type": "PERSON", "start": 0, "end": 2}, r"Unknown entity type 'PERSON'.*PER"),
    ({"type": "PER", "start": 3, "end": 9}, r"does not fit a text of 5 characters"),
    ({"type": "PER", "start": 2, "end": 2}, r"need 0 <= start < end"),
    ({"type": "PER", "start": 1, "end": 3, "text": "李鹏"}, r"not aligned to the characters: text\[1:3\] is '鹏在'"),
])
def test_bio_tags_reject_entities_that_do_not_fit_the_text(entity, message):
    with pytest.raises(NerDataError, match=message):
        bio_tags("李鹏在北京", [entity])


def test_bio_tags_reject_overlapping_entities():
    with pytest.raises(NerDataError, match="overlaps an earlier entity"):
        bio_tags("北京大学", [{"type": "ORG", "start": 0, "end": 4}, {"type": "LOC", "start": 0, "end": 2}])


def test_windows_cover_the_text_and_never_cut_an_entity():
    text = "新华社北京电," + "国家主席江泽民今天会见了客人," * 6 + "双方进行了友好的交谈。"
    found = [m.start() for m in re.finditer("江泽民", text)]
    tags = bio_tags(text, [{"type": "PER", "start": i, "end": i + 3} for i in found])
    assert len(found) == 6
    windows = ner_windows(text, tags, max_chars=20)
    assert "".join(text[a:b] for a, b in windows) == text
    assert all(b - a <= 20 for a, b in windows)
    assert not any(tags[a].startswith("I-") for a, _ in windows)


def test_windows_cut_a_long_clause_before_an_entity():
    text = "甲" * 15 + "江泽民" + "乙" * 10
    tags = bio_tags(text, [{"type": "PER", "start": 15, "end": 18}])
    windows = ner_windows(text, tags, max_chars=16)
    assert windows[0] == (0, 15) and "".join(text[a:b] for a, b in windows) == text


def test_windows_reject_bad_arguments():
    with pytest.raises(NerDataError, match="3 tags for 4 characters"):
        ner_windows("北京大学", ["O"] * 3, max_chars=62)
    with pytest.raises(NerDataError, match="max_chars must be an int >= 8"):
        ner_windows("北京大学", ["O"] * 4, max_chars=2)


def test_spans_follow_seqeval_for_stray_inside_tags():
    assert spans(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-ORG", "B-ORG"]) == [
        ("PER", 0, 2), ("LOC", 3, 5), ("ORG", 5, 6), ("ORG", 6, 7)]
    with pytest.raises(NerDataError, match="not BIO"):
        spans(["B-PER", "PER"])


def test_lexicon_baseline_takes_the_longest_known_name():
    import datasets

    rows = datasets.Dataset.from_dict({"chars": [list("北京大学在北京")],
                                       "tags": [["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-LOC", "I-LOC"]]})
    lexicon = gazetteer(rows)
    assert lexicon == {"北京大学": "ORG", "北京": "LOC"}
    assert lexicon_tags(list("去北京大学"), lexicon) == ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG"]
    with pytest.raises(NerDataError, match="lexicon is empty"):
        lexicon_tags(list("北京"), {})
