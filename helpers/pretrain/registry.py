"""The one list of course checkpoints: the CLI, :mod:`helpers.checkpoints` and the tests all read it.

A name here has a recipe module under ``recipes/`` and a folder ``checkpoints/<name>/`` with its
model card (``tests/test_pretrain.py`` fails otherwise, in both directions).
"""

from __future__ import annotations

from .recipe import Entry
from .recipes import (albert_zh, albert_zh_ner, bert_zh, bert_zh_cws, bert_zh_multilabel, bert_zh_reviews,
                      bert_zh_sentiment, gpt_en, gpt_zh, gpt_zh_chat, t5_zh, t5_zh_ner, t5_zh_span)

REGISTRY: dict[str, Entry] = {
    m.RECIPE.name: Entry(m.RECIPE, m.build, base)
    for m, base in [
        (bert_zh, None),  # lesson 04
        (gpt_en, None),  # lesson 05
        (t5_zh, None),  # lesson 06
        (t5_zh_span, None),  # lesson 06
        (t5_zh_ner, "t5-zh-span"),  # lesson 06
        (albert_zh, None),  # lesson 07
        (albert_zh_ner, "albert-zh"),  # lesson 07
        (bert_zh_cws, "bert-zh"),  # lesson 08
        (bert_zh_multilabel, "bert-zh"),  # lesson 09
        (bert_zh_reviews, "bert-zh"),  # lesson 10
        (bert_zh_sentiment, "bert-zh-reviews"),  # lessons 10 and 12
        (gpt_zh, None),  # lesson 11
        (gpt_zh_chat, "gpt-zh"),  # lesson 11
    ]
}
