"""Course-pretrained checkpoints: how every shipped model in ``checkpoints/`` was made.

    python -m helpers.pretrain bert-zh    # lesson 04: Chinese character BERT, MLM + NSP
    python -m helpers.pretrain gpt-en     # lesson 05: GPT-2 on the English Wikipedia sample
    python -m helpers.pretrain t5-zh      # lesson 06: T5, Arabic numbers -> Chinese numerals
    python -m helpers.pretrain albert-zh  # lesson 07: Chinese character ALBERT, MLM + SOP
    python -m helpers.pretrain albert-zh-ner  # lesson 07: albert-zh fine-tuned for PER/LOC/ORG (needs albert-zh)
    python -m helpers.pretrain bert-zh-multilabel  # lesson 09: bert-zh fine-tuned for 7 sentence labels
    python -m helpers.pretrain bert-zh-reviews  # lesson 10: bert-zh, masked-LM pretraining continued on review text
    python -m helpers.pretrain bert-zh-sentiment  # lessons 10, 12: bert-zh-reviews fine-tuned for positive / negative
    python -m helpers.pretrain gpt-zh     # lesson 11: character-level Chinese GPT-2 on news and review text
    python -m helpers.pretrain gpt-zh-chat  # lesson 11: gpt-zh instruction-tuned (TRL SFTTrainer + LoRA, merged)

Each command builds its tokenizer from the course's offline data, trains a tiny model from
random weights on the CPU (those built on another checkpoint: from albert-zh, bert-zh, bert-zh-reviews or gpt-zh),
keeps the weights that scored best on the validation split,
measures them on the test split next to a baseline, and writes ``model.safetensors``,
``config.json``, the tokenizer files, ``training_log.json`` and a model card (``README.md``).
Lessons load the result with the ordinary ``from_pretrained(checkpoint_dir(name))``.
The lessons themselves write out the ideas (masking, shifted labels, span corruption);
this package is the plumbing that runs them for a long time and records what happened.

Layout: ``registry.py`` (the one list of names), ``recipes/<name>.py`` (each: ``RECIPE`` and
``build``, which returns a :class:`BuildResult`), ``loop.py`` (the training loop), ``tokenization.py``,
``card.py`` (model card), ``cli.py``. The task code the recipes share with the lessons is in
:mod:`helpers.tasks` and :mod:`helpers.batching`.
"""

from .cli import main
from .recipe import BuildResult, Entry, Recipe
from .registry import REGISTRY

__all__ = ["REGISTRY", "BuildResult", "Entry", "Recipe", "main"]
