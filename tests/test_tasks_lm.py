"""helpers.tasks.lm: a split as one token stream (lesson 05, the gpt-en recipe)."""

from __future__ import annotations

from transformers import AutoTokenizer

from helpers.checkpoints import checkpoint_dir
from helpers.tasks.lm import token_stream


def test_token_stream_ends_every_paragraph_with_the_end_of_text_token():
    tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir("gpt-en"))
    texts = ["The cat sat.", "A second paragraph"]
    ids = token_stream(tokenizer, texts).tolist()
    first = tokenizer(texts[0])["input_ids"]
    assert ids[: len(first) + 1] == first + [tokenizer.eos_token_id]
    assert ids.count(tokenizer.eos_token_id) == 2 and ids[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(ids) == "The cat sat.<|endoftext|>A second paragraph<|endoftext|>"
