"""helpers.tasks.instruct: instruction data from real annotations, the chat template, generation and scoring."""

from __future__ import annotations

import pytest

from helpers.pretrain.tokenization import GPT_ZH_SPECIALS, char_lm_tokenizer
from helpers.tasks import instruct
from helpers.tasks.instruct import (CHAT_TEMPLATE, NONE, PHRASINGS, TASKS, InstructDataError, instruction_examples,
                                    names_in, number_split, score, word_spans_of)


@pytest.fixture(scope="module")
def test_rows():
    return instruction_examples("test", 12)


@pytest.fixture(scope="module")
def train_rows():
    return instruction_examples("train", 300)


def _phrasings(task, which):
    p = PHRASINGS[task][which]
    if isinstance(p, str):
        return {p}
    return set(p)


def test_every_task_gets_per_task_examples_with_messages_that_end_in_the_answer(test_rows):
    assert [test_rows["task"].count(t) for t in TASKS] == [12] * len(TASKS)
    for row in test_rows:
        user, assistant = row["messages"]
        assert user["role"] == "user" and assistant == {"role": "assistant", "content": row["answer"]}
        assert user["content"] == f"{row['phrasing']}\n{row['source']}"


def test_training_examples_use_training_phrasings_and_held_out_ones_never_appear_in_training(train_rows):
    for task in TASKS:
        used = {p for p, t in zip(train_rows["phrasing"], train_rows["task"]) if t == task}
        kinds = {"人名", "地名", "机构名"}
        unseen = {u.format(kind=k) for u in _phrasings(task, "unseen") for k in kinds}
        allowed = {p.format(kind=k) for p in _phrasings(task, "train") for k in kinds}
        assert used <= allowed and not used & unseen, task
        assert len(used) >= 4, f"{task}: the training set should mix its phrasings"


def test_unseen_examples_are_the_same_questions_asked_another_way(test_rows):
    unseen = instruction_examples("test", 12, unseen=True)
    assert unseen["source"] == test_rows["source"] and unseen["answer"] == test_rows["answer"]
    for task in TASKS:
        phrasings = {p for p, t in zip(unseen["phrasing"], unseen["task"]) if t == task}
        assert all(any(p == u.format(kind=k) for u in _phrasings(task, "unseen") for k in ("人名", "地名", "机构名"))
                   for p in phrasings)


def test_answers_come_from_the_annotations(test_rows):
    import cn2an

    for row in test_rows:
        if row["task"] == "sentiment":
            assert row["answer"] in {"好评", "差评"}
        elif row["task"] == "segment":
            assert row["answer"].replace(" ", "") == row["source"]
        elif row["task"] == "ner":
            assert row["answer"] == NONE or all(name in row["source"] for name in names_in(row["answer"]))
        else:
            assert row["answer"] == cn2an.an2cn(row["source"], instruct.NUMBER_MODE)
            assert number_split(row["source"]) == "test"


def test_no_held_out_text_is_in_the_training_examples(train_rows, test_rows):
    assert not set(train_rows["source"]) & set(test_rows["source"])


def test_bad_arguments_are_refused_with_a_reason():
    with pytest.raises(InstructDataError, match="unseen phrasings are for testing"):
        instruction_examples("train", 5, unseen=True)
    with pytest.raises(InstructDataError, match="split must be"):
        instruction_examples("dev", 5)
    with pytest.raises(InstructDataError, match="positive int"):
        instruction_examples("test", 0)
    with pytest.raises(InstructDataError, match="unknown task"):
        score("poetry", ["a"], ["a"])
    with pytest.raises(InstructDataError, match="2 predictions for 1 answers"):
        score("number", ["a", "b"], ["a"])


def test_scores_count_names_and_words_not_strings():
    assert names_in("江泽民、李鹏") == {"江泽民", "李鹏"} and names_in(NONE) == set() and names_in(" ") == set()
    ner = score("ner", ["李鹏、江泽民", "无", "北京"], ["江泽民、李鹏", "无", "上海"])
    assert ner["exact_match"] == pytest.approx(1 / 3)
    assert ner["f1"] == pytest.approx(2 * (2 / 3) * (2 / 3) / (4 / 3))  # 2 of 3 predicted names right, 2 of 3 gold found
    assert word_spans_of("迈向 充满") == {(0, 2, "迈向"), (2, 4, "充满")}
    seg = score("segment", ["迈向 充 满"], ["迈向 充满"])
    assert seg["f1"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert score("sentiment", ["好评 ", "差评"], ["好评", "好评"])["exact_match"] == 0.5
    assert score("segment", ["完全 不同"], ["迈向 充满"])["f1"] == 0.0


def test_the_chat_template_marks_exactly_the_answer_and_its_end_token():
    tok = char_lm_tokenizer(GPT_ZH_SPECIALS + sorted(set("用户助手:这是好评吗?\n是的 ")))
    tok.chat_template = CHAT_TEMPLATE
    messages = [{"role": "user", "content": "这是好评吗?"}, {"role": "assistant", "content": "是的 好评"}]
    text = tok.apply_chat_template(messages, tokenize=False)
    assert text == "<|endoftext|>用户:这是好评吗?\n助手:是的 好评<|endoftext|>"
    enc = tok.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    marked = [t for t, m in zip(tok.convert_ids_to_tokens(enc["input_ids"]), enc["assistant_masks"]) if m]
    assert "".join(marked) == "是的 好评<|endoftext|>"
    prompt = tok.apply_chat_template(messages[:1], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("\n助手:")
    with pytest.raises(Exception, match="only user and assistant turns"):
        tok.apply_chat_template([{"role": "system", "content": "你好"}], tokenize=False)


def test_the_character_tokenizer_keeps_spaces_and_line_breaks():
    tok = char_lm_tokenizer(GPT_ZH_SPECIALS + list("迈向 充满\n"))
    ids = tok("迈向 充满\n迈", add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == "迈向 充满\n迈" and len(ids) == 7
    assert tok.convert_ids_to_tokens(tok("新")["input_ids"]) == ["<unk>"]
    with pytest.raises(ValueError, match="must start with"):
        char_lm_tokenizer(list("迈向"))
