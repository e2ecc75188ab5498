"""bert-zh (lesson 04: Chinese character BERT, masked-LM + next-sentence prediction)."""

from __future__ import annotations

from ..recipe import Recipe
from .zh_encoder import build

RECIPE = Recipe("bert-zh", "04", steps=20000, batch=32, lr=1e-3, seq_len=64, hidden=128, layers=2)

__all__ = ["RECIPE", "build"]
