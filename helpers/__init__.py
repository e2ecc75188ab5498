"""Shared plumbing for the 预训练语言模型 course.

One module per concern; every public function names the lesson that uses it.

* :mod:`helpers.env`: ``setup()``, ``device()`` and the environment check (every lesson).
* :mod:`helpers.data`: offline corpora as ``datasets`` objects.
* :mod:`helpers.plots`: plot style with a CJK font.
* :mod:`helpers.netguard`: fail loudly on any network connection.
* :mod:`helpers.writeguard`: record writes outside the course folder, temp and caches (tests).
* :mod:`helpers.checkpoints`: which model a lesson loads (course checkpoint or Hub model).
* :mod:`helpers.tasks`: task code a lesson writes out and a recipe reuses, one module per task
  (``mlm``, ``lm``, ``numbers``, ``ner``, ``multilabel``, ``baselines``, ``text2text``, ``transfer``).
* :mod:`helpers.batching`: padding and length-grouped batches (lesson 10).
* :mod:`helpers.selfcheck`: the self-check quiz and the "report a problem" link (end of every lesson).
* :mod:`helpers.pretrain`: ``python -m helpers.pretrain NAME`` makes the course checkpoints.
"""

from .checkpoints import CheckpointError, check_pair, checkpoint_dir, hub_model, pick_model
from .data import (
    CorpusError,
    MissingPackageError,
    load_analogies,
    load_chinese_reviews,
    load_lee_corpus,
    load_movie_sentences,
    load_people_daily,
    load_wiki_sample,
    load_word_similarity,
)
from .env import device, setup

__all__ = [
    "CheckpointError",
    "check_pair",
    "checkpoint_dir",
    "hub_model",
    "pick_model",
    "CorpusError",
    "MissingPackageError",
    "load_analogies",
    "load_chinese_reviews",
    "load_lee_corpus",
    "load_movie_sentences",
    "load_people_daily",
    "load_wiki_sample",
    "load_word_similarity",
    "device",
    "setup",
]
