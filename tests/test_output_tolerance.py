"""The numeric tolerance with which nbval compares a fresh run with the stored outputs (conftest.py)."""

from __future__ import annotations

from conftest import numbers_match, texts_match


def test_rounding_in_the_last_digits_is_tolerated():
    assert numbers_match("513.339", "513.341")  # another thread count, 300 training steps
    assert numbers_match("0.771", "0.772")
    assert numbers_match("8.9085", "8.9086")
    assert numbers_match("6.2e-05", "6.3e-05")


def test_a_real_change_of_a_result_is_not():
    assert not numbers_match("0.771", "0.781")
    assert not numbers_match("513.339", "520.000")
    assert not numbers_match("0.851", "0.855")


def test_whole_numbers_must_be_identical():
    assert numbers_match("4,623", "4,623")
    assert not numbers_match("4,623", "4,624")
    assert not numbers_match("918795", "918796")


def test_words_must_be_identical_and_numbers_paired():
    assert texts_match("entity F1: model 0.851   lexicon 0.788\n", "entity F1: model 0.852  lexicon 0.788\n")
    assert not texts_match("entity F1: model 0.851", "entity F1: lexicon 0.851")
    assert not texts_match("F1 0.851 0.788", "F1 0.851")
    assert not texts_match("['PER', 'LOC']", "['PER', 'ORG']")
