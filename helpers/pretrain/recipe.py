"""What decides a course checkpoint (:class:`Recipe`) and what building it returns (:class:`BuildResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass
class Recipe:
    """Everything that decides a pretraining run; written into the model card."""

    name: str
    lesson: str
    steps: int
    batch: int
    lr: float
    warmup: float = 0.06
    weight_decay: float = 0.01
    eval_every: int = 1000
    seq_len: int = 64
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    dropout: float = 0.0
    vocab_size: int = 0  # 0: decided by the data (character vocabularies)
    embedding: int = 0  # ALBERT's factorised embedding size (0: not factorised)
    distill: float = 0.0  # bert-zh-sentiment: weight of the soft targets from out-of-fold TF-IDF + LR
    seed: int = 0
    # what the model card says the test split was used for (only ever reported, unless said here)
    test_use: str = "never used for training or for choosing the weights"


@dataclass
class BuildResult:
    """What a recipe's ``build`` hands to the model-card writer (the weights are already saved)."""

    log: dict  # helpers.pretrain.loop.train_loop's log: loss curve, validation scores, best step, seconds
    data: str  # where the training text came from and how it was split
    tokenizer: str
    objective: str
    test: dict[str, float | int]  # metrics on the test split, baselines included
    params: int
    load: str  # the classes that load the folder
    origin: str = "from random weights"

    def facts(self) -> dict:
        """The card's description of the run, as ``training_log.json`` stores it."""
        return {"data": self.data, "tokenizer": self.tokenizer, "objective": self.objective, "test": self.test}


Builder = Callable[[Recipe, Path, bool], BuildResult]


@dataclass(frozen=True)
class Entry:
    """One course checkpoint in the registry: its recipe and the function that trains it."""

    recipe: Recipe
    build: Builder = field(repr=False)
    base: str | None = None  # the course checkpoint it starts from (None: random weights)
