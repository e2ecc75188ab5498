"""Chinese word segmentation as character tagging (B/M/E/S) for lesson 08.

Lesson 08 writes the B/M/E/S tags, word-level scoring and maximum matching out in its own cells
and checks them against the copies here; this module is the plumbing the lesson and
``benchmarks/segmentation.py`` share: People's Daily cut into model-sized windows that never cut
a word, lenient decoding of predicted tags back into words, and the dictionary baselines.
"""

from __future__ import annotations

from collections.abc import Iterable

import datasets

from .ner import ner_windows

SEG_LABELS = ("B", "M", "E", "S")  # first, middle, last character of a word; a one-character word


class SegmentationError(ValueError):
    """Words, tags or a dictionary that cannot describe a segmentation."""


def bmes_tags(words: list[str]) -> list[str]:
    """One B/M/E/S tag per character: ``["中国", "人"] -> ["B", "E", "S"]``. Used by lesson 08."""
    tags: list[str] = []
    for i, word in enumerate(words):
        if not isinstance(word, str) or not word:
            raise SegmentationError(f"Word {i} is {word!r}: a segmentation is a list of non-empty strings.")
        tags += ["S"] if len(word) == 1 else ["B"] + ["M"] * (len(word) - 2) + ["E"]
    return tags


def tags_to_words(chars: Iterable[str], tags: list[str]) -> list[str]:
    """Words from B/M/E/S tags, the way a model's output is read.

    Lenient, because a model can predict an illegal sequence: a word starts at B or S (or
    at M/E right after the end of a word) and ends at E or S (or just before the next B/S).
    Every character lands in exactly one word, so nothing is dropped.
    """
    chars = list(chars)
    if len(tags) != len(chars):
        raise SegmentationError(f"{len(tags)} tags for {len(chars)} characters: tags must be one per character.")
    words, current = [], ""
    for ch, tag in zip(chars, tags):
        if tag not in SEG_LABELS:
            raise SegmentationError(f"Tag {tag!r} is not one of {list(SEG_LABELS)}.")
        if tag in ("B", "S") and current:
            words.append(current)
            current = ""
        current += ch
        if tag in ("E", "S"):
            words.append(current)
            current = ""
    if current:
        words.append(current)
    return words


def word_spans(words: list[str]) -> set[tuple[int, int]]:
    """Each word as its ``(start, end)`` character span: a predicted word is right when both ends match."""
    spans, pos = set(), 0
    for word in words:
        spans.add((pos, pos + len(word)))
        pos += len(word)
    return spans


def word_prf(gold: list[list[str]], predicted: list[list[str]], known: set[str] | frozenset[str] | None = None) -> dict:
    """Word-level precision, recall and F1 over a corpus (SIGHAN bakeoff scoring).

    With ``known`` (the training vocabulary), also the recall on out-of-vocabulary words:
    the share of gold words *not* in ``known`` that the segmenter found exactly.
    """
    if len(gold) != len(predicted):
        raise SegmentationError(f"{len(gold)} gold sentences but {len(predicted)} predicted ones.")
    hits = n_pred = n_gold = oov = oov_hits = 0
    for i, (g, p) in enumerate(zip(gold, predicted)):
        if "".join(g) != "".join(p):
            raise SegmentationError(f"Sentence {i}: the predicted words do not spell the gold text "
                                    f"({''.join(p)[:20]!r} vs {''.join(g)[:20]!r}); segment the same characters.")
        gs, ps = word_spans(g), word_spans(p)
        hits += len(gs & ps)
        n_pred += len(ps)
        n_gold += len(gs)
        if known is not None:
            pos = 0
            for word in g:
                if word not in known:
                    oov += 1
                    oov_hits += (pos, pos + len(word)) in ps
                pos += len(word)
    precision = hits / n_pred if n_pred else 0.0
    recall = hits / n_gold if n_gold else 0.0
    out = {"precision": precision, "recall": recall,
           "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0, "words": n_gold}
    if known is not None:
        out.update(oov_recall=oov_hits / oov if oov else float("nan"), oov_words=oov)
    return out


def max_match(text: str, vocab: set[str] | frozenset[str], longest: int, backward: bool = False) -> list[str]:
    """Greedy maximum matching: take the longest dictionary word at the current end, else one character.

    Forward reads left to right; ``backward=True`` right to left (it suits Chinese slightly better).
    """
    if not vocab:
        raise SegmentationError("The dictionary is empty: build it from the training words first.")
    if not isinstance(longest, int) or longest < 1:
        raise SegmentationError(f"longest must be a positive int (the longest word to try), got {longest!r}.")
    words, i, j = [], 0, len(text)
    while (j if backward else len(text) - i) > 0:
        for n in range(min(longest, j - i), 0, -1):
            piece = text[j - n : j] if backward else text[i : i + n]
            if n == 1 or piece in vocab:
                words.append(piece)
                if backward:
                    j -= n
                else:
                    i += n
                break
    return words[::-1] if backward else words


def bidirectional_max_match(text: str, vocab: set[str] | frozenset[str], longest: int) -> list[str]:
    """Forward and backward maximum matching; keep the one with fewer words, then fewer single characters
    (backward on a tie). Used by lesson 08."""
    forward, backward = max_match(text, vocab, longest), max_match(text, vocab, longest, backward=True)
    def cost(words):
        return len(words), sum(len(w) == 1 for w in words)
    return forward if cost(forward) < cost(backward) else backward


def people_daily_segmentation(max_chars: int = 62) -> datasets.DatasetDict:
    """People's Daily as segmentation windows: columns ``chars``, ``tags`` (B/M/E/S), ``words``, ``article``.

    Gold words are the corpus's manual segmentation (person names merged, as in
    :func:`helpers.load_people_daily`); the split is the course's article split. Windows of at
    most ``max_chars`` characters are cut after sentence ends or clause marks and never inside a
    word; together they cover every character. Used by lesson 08 and ``benchmarks/segmentation.py``.
    """
    from ..data import load_people_daily

    people = load_people_daily()

    def explode(batch):
        out = {"chars": [], "tags": [], "words": [], "article": []}
        for art, words in zip(batch["article"], batch["words"]):
            text = "".join(words)
            inside = [tag for w in words for tag in ["B-W"] + ["I-W"] * (len(w) - 1)]  # never cut at I-
            bounds = [0]
            for w in words[:-1]:
                bounds.append(bounds[-1] + len(w))
            starts = set(bounds)
            for a, b in ner_windows(text, inside, max_chars):
                if a not in starts or (b < len(text) and b not in starts):
                    raise SegmentationError(f"window {a}:{b} of {text[:20]!r} cuts a word; this is a bug, please report it.")
                piece = [w for w, s in zip(words, bounds) if a <= s < b]
                out["chars"].append(list(text[a:b]))
                out["tags"].append(bmes_tags(piece))
                out["words"].append(piece)
                out["article"].append(art)
        return out

    return people.map(explode, batched=True, remove_columns=people["train"].column_names,
                      desc=f"B/M/E/S tags, windows of <= {max_chars} characters")
