"""Causal language-model data: lesson 05 and the ``gpt-en`` recipe.

Lesson 05 writes :func:`token_stream` out in its cells and checks this copy against it.
"""

from __future__ import annotations


def token_stream(tokenizer, texts: list[str]):
    """All ``texts`` as one long id tensor, the tokenizer's end-of-text token after each paragraph."""
    import torch

    ids = []
    for paragraph in tokenizer(list(texts))["input_ids"]:
        ids += paragraph + [tokenizer.eos_token_id]
    return torch.tensor(ids)
