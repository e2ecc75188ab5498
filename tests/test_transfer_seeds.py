"""Lesson 10's exercise 2 solution, which benchmarks/transfer_seeds.py runs over seeds: the prompt classifier."""

from __future__ import annotations

from pathlib import Path

import torch

from coursetools.notebooks import solution_definitions
from helpers.checkpoints import checkpoint_dir

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_finetune_little_data.ipynb"
PROMPT_EXERCISE = 2  # as in benchmarks/transfer_seeds.py


def test_prompt_classifier_of_lesson_10_exercise_2_scores_label_words_at_one_mask():
    """The solution's definitions (run by benchmarks/transfer_seeds.py) keep the prompt whole and add no weights."""
    from transformers import AutoConfig, AutoTokenizer, DataCollatorWithPadding

    model_dir = checkpoint_dir("bert-zh-reviews")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ns = {"torch": torch, "AutoConfig": AutoConfig, "tokenizer": tokenizer, "MODEL": model_dir, "MAX_LEN": 128,
          "SEED": 0, "ATTENTION_DROPOUT": 0.0}
    exec(solution_definitions(NOTEBOOK, PROMPT_EXERCISE), ns)
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
