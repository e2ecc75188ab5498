"""T5's recipe as data: span corruption for pretraining, and entity labels written as text to text.

Lesson 06 writes :func:`span_corrupt`, :func:`entity_target` and :func:`entity_prf` out in its cells and
checks these copies against them; the ``t5-zh-span`` recipe pretrains with :func:`span_corrupt`, the
``t5-zh-ner`` recipe fine-tunes on :func:`entity_target`. Entity targets name the types in Chinese
(``人名:江泽民;地名:北京``), in the order they occur, ``无`` when a sentence has none.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Callable, Sequence

ENTITY_PREFIX = "抽取实体:"  # ASCII colon: the course tokenizers apply NFKC, which maps ： to :
ENTITY_NAMES = {"PER": "人名", "LOC": "地名", "ORG": "机构名"}
NO_ENTITY = "无"


class Text2TextError(ValueError):
    """Input that cannot be written as (or read back from) a text-to-text example."""


def sentinel(i: int) -> str:
    """T5's i-th sentinel token, ``<extra_id_i>``."""
    return f"<extra_id_{i}>"


def span_corrupt(tokens: Sequence, rng: random.Random, rate: float = 0.15, mean_span: int = 3,
                 mark: Callable[[int], object] = sentinel) -> tuple[list, list]:
    """T5-style span corruption of ``tokens``: returns (input tokens, target tokens) with sentinels.

    About ``rate`` of the tokens are removed in spans of mean length ``mean_span`` that never touch; each
    span becomes one sentinel ``mark(i)`` in the input, and the target lists every sentinel followed by
    the tokens it replaced, closed by one more sentinel. ``tokens`` may be characters or ids (pass ``mark``
    to turn a span number into a sentinel id).
    """
    n = len(tokens)
    if n < 2:
        raise Text2TextError(f"Span corruption needs at least 2 tokens (one kept, one removed); got {n}.")
    if not 0 < rate < 1 or mean_span < 1:
        raise Text2TextError(f"Need 0 < rate < 1 and mean_span >= 1; got rate={rate}, mean_span={mean_span}.")
    tokens = list(tokens)
    n_noise = min(n - 1, max(1, round(n * rate)))
    n_spans = max(1, min(round(n_noise / mean_span), n - n_noise))

    def split(total, pieces):  # ``total`` items into ``pieces`` non-empty runs
        cuts = sorted(rng.sample(range(1, total), pieces - 1)) if pieces > 1 else []
        return [b - a for a, b in zip([0] + cuts, cuts + [total])]

    noise_lengths, keep_lengths = split(n_noise, n_spans), split(n - n_noise, n_spans)
    source, target, pos = [], [], 0
    for i, (keep, noise) in enumerate(zip(keep_lengths, noise_lengths)):
        source += tokens[pos : pos + keep] + [mark(i)]
        target += [mark(i)] + tokens[pos + keep : pos + keep + noise]
        pos += keep + noise
    return source, target + [mark(n_spans)]


def entity_target(chars: Sequence[str], tags: Sequence[str]) -> str:
    """The entities of a BIO-tagged sentence as text: ``人名:江泽民;地名:北京`` in order, ``无`` if none."""
    from .ner import spans

    if len(chars) != len(tags):
        raise Text2TextError(f"{len(tags)} tags for {len(chars)} characters: need one tag per character.")
    parts = [f"{ENTITY_NAMES[kind]}:{''.join(chars[a:b])}" for kind, a, b in spans(list(tags))]
    return ";".join(parts) if parts else NO_ENTITY


def parse_entities(text: str) -> list[tuple[str, str]]:
    """Read an entity target (or a model's output) back as ``[(type, name), ...]``.

    Pieces that are not ``类型:名字`` with a known type are skipped: a generated answer may be malformed,
    and a malformed piece is simply not an entity (it costs recall, it is not an error).
    """
    types = {name: kind for kind, name in ENTITY_NAMES.items()}
    out = []
    for piece in text.split(";"):
        kind, colon, name = piece.partition(":")
        if colon and kind in types and name:
            out.append((types[kind], name))
    return out


def entity_prf(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Entity precision / recall / F1 over sentences: a predicted (type, name) counts once per gold copy."""
    if len(gold) != len(predicted):
        raise Text2TextError(f"{len(predicted)} predictions for {len(gold)} gold targets: need one per sentence.")
    hit = n_gold = n_pred = 0
    for g, p in zip(gold, predicted):
        g, p = Counter(parse_entities(g)), Counter(parse_entities(p))
        hit += sum((g & p).values())
        n_gold += sum(g.values())
        n_pred += sum(p.values())
    precision, recall = hit / max(n_pred, 1), hit / max(n_gold, 1)
    f1 = 2 * precision * recall / (precision + recall) if hit else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold, "predicted": n_pred}
