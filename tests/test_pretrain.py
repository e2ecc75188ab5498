"""helpers.pretrain: the registry, the recipes' pieces and the ``python -m helpers.pretrain NAME`` command."""

from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import checkpoints
from helpers.pretrain import REGISTRY, BuildResult, Recipe, main
from helpers.pretrain.loop import lr_at
from helpers.pretrain.tokenization import char_tokenizer
from helpers.tasks.mlm import BERT_SPECIALS

RECIPES_DIR = Path(__file__).resolve().parents[1] / "helpers" / "pretrain" / "recipes"
SHARED_BUILDERS = {"zh_encoder"}  # builder modules that several recipes share: not a checkpoint of their own


# --------------------------------------------------------------------------- the registry
def test_every_registered_name_has_a_recipe_module_a_checkpoint_folder_and_a_card():
    for name, entry in REGISTRY.items():
        module = importlib.import_module(f"helpers.pretrain.recipes.{name.replace('-', '_')}")
        assert module.RECIPE is entry.recipe and module.build is entry.build, f"{name}: registry and recipe module differ"
        assert entry.recipe.name == name
        folder = checkpoints.CHECKPOINTS / name
        assert folder.is_dir(), f"{name} is registered but checkpoints/{name}/ does not exist"
        card = (folder / "README.md").read_text(encoding="utf-8")
        assert f"python -m helpers.pretrain {name}" in card, f"checkpoints/{name}/README.md is not {name}'s model card"
        assert json.loads((folder / "training_log.json").read_text())["recipe"]["name"] == name
        assert entry.base is None or entry.base in REGISTRY, f"{name} starts from {entry.base}, which is not registered"


def test_every_recipe_module_and_checkpoint_folder_is_registered():
    modules = {p.stem.replace("_", "-") for p in RECIPES_DIR.glob("*.py") if p.stem != "__init__"}
    assert modules - {m.replace("_", "-") for m in SHARED_BUILDERS} == set(REGISTRY), "a recipe module is not in REGISTRY"
    folders = {p.name for p in checkpoints.CHECKPOINTS.iterdir() if p.is_dir()}
    assert folders == set(REGISTRY), "checkpoints/ and REGISTRY list different models"
    assert checkpoints.course_checkpoints() == tuple(REGISTRY)


def test_the_recipe_in_each_model_card_is_the_registered_one():
    # a changed recipe must come with a rebuilt checkpoint (or the card no longer says how it was made)
    for name, entry in REGISTRY.items():
        logged = json.loads((checkpoints.CHECKPOINTS / name / "training_log.json").read_text())["recipe"]
        # what decides training; a field added to Recipe after a checkpoint was built must hold its default there
        expected = {f.name: getattr(entry.recipe, f.name) for f in dataclasses.fields(Recipe) if f.name != "test_use"
                    and (f.name in logged or getattr(entry.recipe, f.name) != f.default)}
        logged.pop("test_use", None)
        assert logged == expected, f"{name}: recipe differs from checkpoints/{name}/training_log.json"
        card = (checkpoints.CHECKPOINTS / name / "README.md").read_text(encoding="utf-8")
        assert f"## Test split ({entry.recipe.test_use})" in card, f"{name}: the card's test-split note is not the recipe's"


# --------------------------------------------------------------------------- pieces of the command
def test_learning_rate_warms_up_then_decays_to_zero():
    r = Recipe("x", "00", steps=100, batch=1, lr=1.0, warmup=0.1)
    assert lr_at(5, r) == pytest.approx(0.5) and lr_at(10, r) == pytest.approx(1.0)
    assert lr_at(55, r) == pytest.approx(0.5) and lr_at(100, r) == 0.0


def test_character_tokenizer_is_reproducible_and_marks_unknown_characters():
    vocab = BERT_SPECIALS + list("的国人中")
    tok = char_tokenizer(vocab, BERT_SPECIALS, bert=True)
    again = char_tokenizer(vocab, BERT_SPECIALS, bert=True)
    assert tok.get_vocab() == again.get_vocab()
    enc = tok("中国人", "的龘")
    assert tok.convert_ids_to_tokens(enc["input_ids"]) == ["[CLS]", "中", "国", "人", "[SEP]", "的", "[UNK]", "[SEP]"]
    assert enc["token_type_ids"] == [0, 0, 0, 0, 0, 1, 1, 1]


def test_command_rejects_a_non_positive_step_count(capsys):
    with pytest.raises(SystemExit):
        main(["bert-zh", "--steps", "0"])
    assert "--steps must be a positive number of optimizer steps, got 0" in capsys.readouterr().err


def test_command_end_to_end_writes_a_loadable_checkpoint_with_a_card(tmp_path):
    from transformers import AutoTokenizer, BertForPreTraining

    out = main(["bert-zh", "--steps", "3", "--out", str(tmp_path / "bert"), "--quiet"])
    for name in checkpoints.REQUIRED_FILES + ("training_log.json",):
        assert (out / name).is_file(), name
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "python -m helpers.pretrain bert-zh --steps 3" in card and "CPU-seconds" in card
    log = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert log["recipe"]["steps"] == 3 and set(log["test"]) >= {"mlm_loss", "unigram_ce", "top1", "nsp_acc"}
    # the typed BuildResult's fields and the training loop's log, as the card writer stores them
    facts = BuildResult(log={}, data="", tokenizer="", objective="", test={}, params=0, load="").facts()
    assert set(facts) | {"params", "best_step", "cpu_seconds", "eval", "train_loss"} <= set(log)
    model = BertForPreTraining.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    assert model.config.vocab_size == len(tok)


def test_the_command_runs_as_a_module_and_lists_the_registered_names():
    run = subprocess.run([sys.executable, "-m", "helpers.pretrain", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and all(name in run.stdout for name in REGISTRY)
    run = subprocess.run([sys.executable, "-m", "helpers.pretrain", "bert-xx"], capture_output=True, text=True)
    assert run.returncode == 2 and "invalid choice: 'bert-xx'" in run.stderr


def test_padded_batches_visit_every_row_once_per_epoch_and_trim_padding():
    import torch

    from helpers.pretrain.loop import padded_batches

    ids = torch.tensor([[5, 6, 0, 0], [7, 0, 0, 0], [8, 9, 10, 0], [11, 0, 0, 0], [12, 13, 0, 0]])
    tags = torch.where(ids > 0, ids + 100, torch.full_like(ids, -100))
    next_batch = padded_batches(ids, tags, batch=2, seed=0)
    epoch = [next_batch() for _ in range(3)]  # 5 rows in batches of 2: 2 + 2 + 1
    seen = sorted(int(x[0]) for batch_ids, _ in epoch for x in batch_ids)
    assert seen == [5, 7, 8, 11, 12]
    for batch_ids, batch_tags in epoch:
        assert batch_ids.shape == batch_tags.shape and batch_ids.shape[1] == int((batch_ids > 0).sum(1).max())
        assert torch.equal(batch_tags, torch.where(batch_ids > 0, batch_ids + 100, torch.full_like(batch_ids, -100)))
    again = padded_batches(ids, tags, batch=2, seed=0)
    assert all(torch.equal(a[0], again()[0]) for a in epoch)  # the same seed gives the same order
    per_row = padded_batches(ids, torch.arange(5), batch=5, seed=1, per_token_labels=False)()
    assert per_row[1].shape == (5,) and per_row[0].shape == (5, 3)


def test_encode_char_tags_puts_labels_on_the_characters_only():
    from helpers.pretrain.tokenization import encode_char_tags

    class OneTokenPerChar:  # the course tokenizers: [CLS]=2, [SEP]=3, characters from 10 on
        cls_token_id, sep_token_id = 2, 3

        def convert_tokens_to_ids(self, chars):
            return [10 + ord(c) % 50 for c in chars]

    ids, labels = encode_char_tags(OneTokenPerChar(), [list("北京"), list("上海市")], [["B", "E"], ["B", "M", "E"]],
                                   {"B": 0, "M": 1, "E": 2, "S": 3}, seq_len=6)
    assert ids.shape == labels.shape == (2, 6)
    assert ids[0].tolist()[:4] == [2, ids[0, 1].item(), ids[0, 2].item(), 3] and ids[0, 4:].tolist() == [0, 0]
    assert labels[0].tolist() == [-100, 0, 2, -100, -100, -100]
    assert labels[1].tolist() == [-100, 0, 1, 2, -100, -100]


def test_t5_span_windows_cover_each_article_and_move_with_the_epoch():
    import random

    from helpers.pretrain.recipes.t5_zh_span import windows

    texts = ["甲" * 150, "乙" * 20, "丙" * 5]
    fixed = windows(texts, 64)
    assert [len(w) for w in fixed] == [64, 64, 22, 20]  # the 5-character article is too short to corrupt usefully
    moved = windows(texts, 64, random.Random(0))
    assert all(8 <= len(w) <= 64 for w in moved) and moved != fixed
    assert windows(texts, 64, random.Random(0)) == moved
