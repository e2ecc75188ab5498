"""helpers.tasks.segmentation: B/M/E/S tags, word-level scoring, maximum matching, People's Daily windows (lesson 08)."""

from __future__ import annotations

import math

import pytest

from helpers.tasks.segmentation import (SEG_LABELS, SegmentationError, bidirectional_max_match, bmes_tags, max_match,
                                        people_daily_segmentation, tags_to_words, word_prf, word_spans)


def test_bmes_tags_mark_first_middle_last_and_single_characters():
    assert bmes_tags(["中华人民", "共和国", "成立", "了"]) == ["B", "M", "M", "E", "B", "M", "E", "B", "E", "S"]
    assert set(bmes_tags(["研究生", "命"])) <= set(SEG_LABELS)


@pytest.mark.parametrize("words", [["北京", ""], ["北京", None]])
def test_bmes_tags_reject_empty_words(words):
    with pytest.raises(SegmentationError, match="non-empty strings"):
        bmes_tags(words)


def test_tags_to_words_inverts_bmes_tags_and_reads_illegal_sequences_leniently():
    words = ["中华人民", "共和国", "成立", "了"]
    assert tags_to_words("".join(words), bmes_tags(words)) == words
    # a model's illegal output: M after S, B without E, E at the start; every character stays in one word
    assert tags_to_words("abcdef", ["E", "S", "M", "E", "B", "B"]) == ["a", "b", "cd", "e", "f"]
    assert "".join(tags_to_words("abcdef", ["M", "M", "B", "S", "E", "M"])) == "abcdef"


def test_tags_to_words_rejects_wrong_lengths_and_unknown_tags():
    with pytest.raises(SegmentationError, match="2 tags for 3 characters"):
        tags_to_words("abc", ["B", "E"])
    with pytest.raises(SegmentationError, match="'O' is not one of"):
        tags_to_words("ab", ["B", "O"])


def test_word_prf_counts_a_word_right_only_when_both_ends_match():
    gold, guess = ["北京", "大学", "生", "前来", "应聘"], ["北京大学", "生前", "来", "应聘"]
    assert word_spans(guess) == {(0, 4), (4, 6), (6, 7), (7, 9)}
    scores = word_prf([gold], [guess], known={"北京", "大学", "前来", "应聘"})
    assert scores["precision"] == pytest.approx(1 / 4) and scores["recall"] == pytest.approx(1 / 5)
    assert scores["f1"] == pytest.approx(2 / 9)
    assert scores["oov_words"] == 1 and scores["oov_recall"] == 0.0  # 生 is OOV and was not found
    perfect = word_prf([gold], [gold], known=set())
    assert perfect["f1"] == 1.0 and perfect["oov_recall"] == 1.0 and perfect["oov_words"] == 5
    assert math.isnan(word_prf([gold], [gold], known=set(gold))["oov_recall"])  # no OOV word: undefined, not 0


def test_word_prf_refuses_predictions_of_other_text():
    with pytest.raises(SegmentationError, match="do not spell the gold text"):
        word_prf([["北京", "大学"]], [["北京", "大"]])
    with pytest.raises(SegmentationError, match="1 gold sentences but 2"):
        word_prf([["北京"]], [["北京"], ["大学"]])


def test_maximum_matching_forward_backward_and_bidirectional():
    vocab = {"研究", "研究生", "生命", "起源"}
    assert max_match("研究生命起源", vocab, 3) == ["研究生", "命", "起源"]
    assert max_match("研究生命起源", vocab, 3, backward=True) == ["研究", "生命", "起源"]
    assert bidirectional_max_match("研究生命起源", vocab, 3) == ["研究", "生命", "起源"]
    assert max_match("", vocab, 3) == [] and max_match("未知", vocab, 3) == ["未", "知"]


@pytest.mark.parametrize(("vocab", "longest", "message"), [(set(), 3, "dictionary is empty"),
                                                          ({"研究"}, 0, "positive int")])
def test_maximum_matching_rejects_bad_settings(vocab, longest, message):
    with pytest.raises(SegmentationError, match=message):
        max_match("研究", vocab, longest)


def test_people_daily_windows_keep_every_character_and_never_cut_a_word():
    from helpers.data import load_people_daily

    seg = people_daily_segmentation(max_chars=62)
    people = load_people_daily()
    for split in ("train", "test"):
        rows = seg[split]
        assert max(map(len, rows["chars"])) <= 62
        assert sum(map(len, rows["chars"])) == sum(map(len, people[split]["text"]))
        assert all("".join(w) == "".join(c) and bmes_tags(w) == t for w, c, t in zip(rows["words"], rows["chars"], rows["tags"]))
    assert sum(map(len, seg["train"]["words"])) == sum(map(len, people["train"]["words"]))  # every gold word kept whole
    assert not set(seg["train"]["article"]) & set(seg["test"]["article"])  # the course's article split
