"""Course checkpoints: loading rules, the pretraining command, and the shipped models' floors.

The floors here are looser than the targets in the issue (the benchmark reports the targets;
``python benchmarks/pretrained_targets.py``): they catch a broken or swapped checkpoint.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from helpers import checkpoints, pretrain
from helpers.checkpoints import CheckpointError, checkpoint_dir, pick_model

NAMES = checkpoints.COURSE_CHECKPOINTS


# --------------------------------------------------------------------------- loading rules
def test_unknown_checkpoint_name_lists_the_shipped_ones():
    with pytest.raises(CheckpointError, match=r"Unknown course checkpoint 'bert-en'.*bert-zh"):
        checkpoint_dir("bert-en")


def test_incomplete_checkpoint_names_missing_files_and_the_rebuild_command(tmp_path, monkeypatch):
    (tmp_path / "gpt-en").mkdir()
    (tmp_path / "gpt-en" / "config.json").write_text("{}")
    monkeypatch.setenv(checkpoints.ENV_CHECKPOINTS, str(tmp_path))
    with pytest.raises(CheckpointError) as err:
        checkpoint_dir("gpt-en")
    message = str(err.value)
    assert "is missing model.safetensors, tokenizer.json, tokenizer_config.json, README.md." in message
    assert "python -m helpers.pretrain gpt-en" in message


def test_pick_model_tiny_full_and_local_copies(tmp_path, monkeypatch):
    monkeypatch.delenv(checkpoints.ENV_MODEL_DIR, raising=False)
    assert pick_model("tiny", "bert-zh", "bert-base-chinese") == str(checkpoint_dir("bert-zh"))
    assert pick_model("full", "bert-zh", "bert-base-chinese") == "bert-base-chinese"
    (tmp_path / "gpt2").mkdir()
    (tmp_path / "gpt2" / "config.json").write_text("{}")
    monkeypatch.setenv(checkpoints.ENV_MODEL_DIR, str(tmp_path))
    assert pick_model("full", "gpt-en", "gpt2") == str(tmp_path / "gpt2")


def test_pick_model_full_with_an_empty_local_folder_says_how_to_fill_it(tmp_path, monkeypatch):
    monkeypatch.setenv(checkpoints.ENV_MODEL_DIR, str(tmp_path))
    with pytest.raises(CheckpointError, match=r"has no config\.json.*hf download google/mt5-small"):
        pick_model("full", "t5-zh", "google/mt5-small")


def test_check_pair_catches_a_tokenizer_from_another_checkpoint():
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from helpers import check_pair

    bert = AutoModelForMaskedLM.from_pretrained(checkpoint_dir("bert-zh"))
    check_pair(AutoTokenizer.from_pretrained(checkpoint_dir("bert-zh")), bert)  # same folder: fine
    with pytest.raises(CheckpointError, match=r"tokenizer has 4,096 ids but the model embeds only 3,721.*same folder"):
        check_pair(AutoTokenizer.from_pretrained(checkpoint_dir("gpt-en")), bert)


def test_pick_model_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match=r"Unknown mode 'Full'.*'tiny' or 'full'"):
        pick_model("Full", "bert-zh", "bert-base-chinese")


# --------------------------------------------------------------------------- pieces of the command
def test_mlm_masking_rule():
    ids = torch.randint(5, 3000, (400, 64), generator=torch.Generator().manual_seed(0))
    ids[:, 0], ids[:, -1], ids[:10, 30:] = 2, 3, 0  # [CLS], [SEP], padding
    inputs, chosen = pretrain.mask_for_mlm(ids, 3000, 5, 0.15, torch.Generator().manual_seed(1))
    assert not chosen[ids < 5].any(), "special tokens and padding must never be chosen"
    rate = chosen.sum().item() / (ids >= 5).sum().item()
    assert 0.14 < rate < 0.16
    masked = (inputs[chosen] == 4).float().mean().item()
    kept = (inputs[chosen] == ids[chosen]).float().mean().item()
    assert 0.77 < masked < 0.83 and 0.08 < kept < 0.12
    assert torch.equal(inputs[~chosen], ids[~chosen])


def test_t5_task_examples_and_bad_task():
    assert pretrain.t5_example("大写", "1998") == ("大写:1998", "壹仟玖佰玖拾捌元整")
    assert pretrain.t5_example("读法", "100200") == ("读法:100200", "十万零二百")
    with pytest.raises(ValueError, match=r"Unknown task '金额'"):
        pretrain.t5_example("金额", "12")
    import random

    draws = [pretrain.random_number(random.Random(3), "大写") for _ in range(2)]
    assert draws[0] == draws[1] and draws[0].replace(".", "").isdigit()
    test, seen = pretrain.t5_examples(50, seed=2)
    train, _ = pretrain.t5_examples(500, seed=0, exclude=seen)
    assert test == pretrain.t5_examples(50, seed=2)[0] and len(set(test)) == 50
    assert not set(train) & set(test), "training pairs must never repeat a test pair"


def test_character_tokenizer_is_reproducible_and_marks_unknown_characters():
    vocab = pretrain.BERT_SPECIALS + list("的国人中")
    tok = pretrain._char_tokenizer(vocab, pretrain.BERT_SPECIALS, bert=True)
    again = pretrain._char_tokenizer(vocab, pretrain.BERT_SPECIALS, bert=True)
    assert tok.get_vocab() == again.get_vocab()
    enc = tok("中国人", "的龘")
    assert tok.convert_ids_to_tokens(enc["input_ids"]) == ["[CLS]", "中", "国", "人", "[SEP]", "的", "[UNK]", "[SEP]"]
    assert enc["token_type_ids"] == [0, 0, 0, 0, 0, 1, 1, 1]


def test_command_rejects_a_non_positive_step_count(capsys):
    with pytest.raises(SystemExit):
        pretrain.main(["bert-zh", "--steps", "0"])
    assert "--steps must be a positive number of optimizer steps, got 0" in capsys.readouterr().err


def test_command_end_to_end_writes_a_loadable_checkpoint_with_a_card(tmp_path):
    from transformers import AutoTokenizer, BertForPreTraining

    out = pretrain.main(["bert-zh", "--steps", "3", "--out", str(tmp_path / "bert"), "--quiet"])
    for name in checkpoints.REQUIRED_FILES + ("training_log.json",):
        assert (out / name).is_file(), name
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "python -m helpers.pretrain bert-zh --steps 3" in card and "CPU-seconds" in card
    log = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert log["recipe"]["steps"] == 3 and set(log["test"]) >= {"mlm_loss", "unigram_ce", "top1", "nsp_acc"}
    model = BertForPreTraining.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert model.config.vocab_size == len(tok)


# --------------------------------------------------------------------------- the shipped checkpoints
@pytest.mark.parametrize("name", NAMES)
def test_shipped_checkpoint_is_complete_safe_and_documented(name):
    from safetensors import safe_open

    folder = checkpoint_dir(name)
    with safe_open(folder / "model.safetensors", framework="pt") as f:
        assert len(list(f.keys())) > 10
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt")), "weights must be safetensors only"
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert f"python -m helpers.pretrain {name}" in card and "CPU-seconds" in card and "## Test split" in card


def test_all_checkpoints_together_stay_under_40_mb():
    total = sum(p.stat().st_size for name in NAMES for p in checkpoint_dir(name).iterdir())
    assert total < 40e6, f"checkpoints take {total / 1e6:.1f} MB"


def _test_metrics(name: str) -> dict:
    return json.loads((checkpoint_dir(name) / "training_log.json").read_text(encoding="utf-8"))["test"]


def test_bert_zh_beats_the_unigram_baseline_on_held_out_articles():
    m = _test_metrics("bert-zh")
    assert m["unigram_ce"] - m["mlm_loss"] > 0.7
    assert m["top1"] > 2.5 * m["unigram_top1"]
    assert m["nsp_acc"] > 0.6


def test_albert_zh_learned_masked_characters_and_sentence_order():
    m = _test_metrics("albert-zh")
    assert m["unigram_ce"] - m["mlm_loss"] > 0.7
    assert m["top1"] > 2.5 * m["unigram_top1"]
    assert m["sop_acc"] > 0.515  # chance is 0.5 (3,000 pairs: 0.515 is ~1.6 standard errors above it); no surface cue


def test_albert_zh_ner_beats_the_lexicon_on_held_out_articles():
    m = _test_metrics("albert-zh-ner")
    assert m["entity_f1_micro"] > 0.78
    assert m["entity_f1_micro"] > m["lexicon_baseline_f1"]
    assert m["entities"] > 4000


def test_albert_zh_ner_starts_from_albert_zh():
    ner = json.loads((checkpoint_dir("albert-zh-ner") / "config.json").read_text())
    base = json.loads((checkpoint_dir("albert-zh") / "config.json").read_text())
    assert ner["model_type"] == base["model_type"] == "albert"
    assert ner["id2label"]["1"] == "B-PER" and len(ner["id2label"]) == 7
    assert ner["vocab_size"] == base["vocab_size"] and ner["embedding_size"] == base["embedding_size"]


def test_bert_zh_multilabel_finds_the_common_labels():
    m = _test_metrics("bert-zh-multilabel")
    assert m["micro_f1_at_0.5"] > 0.8
    assert min(m["f1_PER"], m["f1_LOC"], m["f1_NUM"]) > 0.8


def test_gpt_en_perplexity_is_under_half_the_unigram_perplexity():
    m = _test_metrics("gpt-en")
    assert m["ratio"] < 0.5 and m["ppl"] < 0.5 * m["unigram_ppl"]


def test_t5_zh_exact_match():
    assert _test_metrics("t5-zh")["exact_match_greedy"] > 0.9


def test_shipped_bert_fills_an_obvious_mask():
    from transformers import AutoTokenizer, BertForMaskedLM

    folder = checkpoint_dir("bert-zh")
    tok = AutoTokenizer.from_pretrained(folder)
    model = BertForMaskedLM.from_pretrained(folder).eval()
    enc = tok("我们要进一步扩大对外开[MASK]。", return_tensors="pt")
    with torch.no_grad():
        logits = model(**enc).logits
    pos = enc["input_ids"][0].tolist().index(tok.mask_token_id)
    assert "放" in tok.convert_ids_to_tokens(logits[0, pos].topk(5).indices)


def test_stand_in_copy_loads_like_a_hub_folder(tmp_path, monkeypatch):
    """Full mode reads $PLM_MODEL_DIR/<hub name>: a copy of a course checkpoint is a valid stand-in."""
    from transformers import AutoModelForCausalLM

    shutil.copytree(checkpoint_dir("gpt-en"), tmp_path / "gpt2")
    monkeypatch.setenv(checkpoints.ENV_MODEL_DIR, str(tmp_path))
    path = pick_model("full", "gpt-en", "gpt2")
    assert Path(path) == tmp_path / "gpt2"
    assert AutoModelForCausalLM.from_pretrained(path).config.model_type == "gpt2"


def test_bert_zh_reviews_adapted_to_reviews_without_forgetting_the_news():
    m = _test_metrics("bert-zh-reviews")
    assert m["unigram_ce"] - m["mlm_loss"] > 1.5
    # same review pieces, same masks: continued pretraining must lower the loss clearly
    assert m["reviews_62_mlm_loss_bert-zh"] - m["reviews_62_mlm_loss_after"] > 0.5
    assert m["news_62_mlm_loss_after"] - m["news_62_mlm_loss_bert-zh"] < 1.0
    config = json.loads((checkpoint_dir("bert-zh-reviews") / "config.json").read_text())
    assert config["max_position_embeddings"] == 128 and config["vocab_size"] == 3721


def test_bert_zh_sentiment_is_far_above_the_majority_class():
    m = _test_metrics("bert-zh-sentiment")
    assert m["accuracy"] > 0.82 and m["accuracy"] > m["majority_accuracy"] + 0.25
    assert m["reviews"] > 1500
    config = json.loads((checkpoint_dir("bert-zh-sentiment") / "config.json").read_text())
    assert config["id2label"] == {"0": "差评", "1": "好评"}


def test_sentiment_teacher_labels_each_review_without_having_seen_it():
    # bert-zh-sentiment distils TF-IDF + LR; its soft targets must be out-of-fold, or they would
    # just repeat the labels (in-sample, the linear model fits the training reviews almost perfectly)
    import numpy as np

    from helpers.data import load_chinese_reviews
    from helpers.pretrain import RECIPES, _out_of_fold_tfidf, _tfidf_lr

    assert 0 < RECIPES["bert-zh-sentiment"].distill < 1
    reviews = load_chinese_reviews()["train"].select(range(2000))
    texts, labels = list(reviews["text"]), np.array(reviews["label"])
    in_sample = np.mean((_tfidf_lr(texts, labels).predict_proba(texts)[:, 1] > 0.5) == labels)
    out_of_fold = np.mean((_out_of_fold_tfidf(texts, labels) > 0.5) == labels)
    assert in_sample > 0.97
    assert 0.6 < out_of_fold < in_sample - 0.1


# --------------------------------------------------------------------------- lesson 08, exercise 5
def test_prompt_classifier_of_lesson_08_exercise_5_scores_label_words_at_one_mask(monkeypatch):
    """The solution's definitions (run by benchmarks/transfer_seeds.py) keep the prompt whole and add no weights."""
    from transformers import AutoConfig, AutoTokenizer, DataCollatorWithPadding

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from transfer_seeds import NOTEBOOK, PROMPT_EXERCISE, exercise_definitions

    model_dir = checkpoint_dir("bert-zh-reviews")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ns = {"torch": torch, "AutoConfig": AutoConfig, "tokenizer": tokenizer, "MODEL": model_dir, "MAX_LEN": 128,
          "SEED": 0, "ATTENTION_DROPOUT": 0.0}
    exec(exercise_definitions(NOTEBOOK, PROMPT_EXERCISE), ns)
    batch = ns["prompt_encode"]({"text": ["质量很好，下次还来", "差" * 500]})
    assert [len(x) for x in batch["input_ids"]] == [2 + 9 + len(ns["suffix"]), 128]  # the long review is cut ...
    for ids in batch["input_ids"]:  # ... and every review ends with the whole prompt and exactly one [MASK]
        assert ids[-1 - len(ns["suffix"]) : -1] == ns["suffix"] and ids.count(tokenizer.mask_token_id) == 1
    pretrained, scratch = ns["prompt_classifier"](pretrained=True), ns["prompt_classifier"](pretrained=False)
    assert pretrained.masked_lm.num_parameters() == scratch.masked_lm.num_parameters()
    assert sum(p.numel() for p in pretrained.parameters()) == pretrained.masked_lm.num_parameters()  # no new head
    inputs = DataCollatorWithPadding(tokenizer)([{k: v[i] for k, v in batch.items() if k != "length"} for i in range(2)])
    out = pretrained.eval()(**inputs, labels=torch.tensor([1, 0]))
    assert out.logits.shape == (2, 2) and torch.isfinite(out.loss)
    full = pretrained.masked_lm(**inputs).logits  # the two logits are the MLM's scores for 差 / 好 at [MASK]
    at_mask = full[inputs["input_ids"] == tokenizer.mask_token_id]
    torch.testing.assert_close(out.logits, at_mask[:, tokenizer.convert_tokens_to_ids(["差", "好"])])
