"""albert-zh (lesson 07: Chinese character ALBERT (factorised embeddings, one shared layer), masked-LM + sentence-order prediction)."""

from __future__ import annotations

from ..recipe import Recipe
from .zh_encoder import build

RECIPE = Recipe("albert-zh", "07", steps=12000, batch=32, lr=1e-3, seq_len=64, hidden=128, layers=4, embedding=64)

__all__ = ["RECIPE", "build"]
