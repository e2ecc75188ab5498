"""Character-level named-entity data for lesson 07 (and the shipped ``albert-zh-ner`` model).

Lesson 07 writes BIO tagging and label alignment out in its own cells and checks them against
:func:`bio_tags`; this module is the plumbing both the lesson and ``python -m helpers.pretrain
albert-zh-ner`` use: validated BIO tags, and windows short enough for a 64-position model that
never cut through an entity.
"""

from __future__ import annotations

import re

import datasets

NER_TYPES = ("PER", "LOC", "ORG")
NER_LABELS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
_SENTENCE = re.compile(r"[^。!?;]*[。!?;]|[^。!?;]+$")
_WINDOW_BREAK = re.compile(r"[^,、:]*[,、:]|[^,、:]+$")  # where a long sentence may be cut into windows


class NerDataError(ValueError):
    """Entity spans or tags that do not fit the text they label."""


def bio_tags(text: str, entities: list[dict]) -> list[str]:
    """One BIO tag per character of ``text`` from ``{"type", "start", "end"[, "text"]}`` spans.

    Raises :class:`NerDataError` for unknown types, spans outside the text, spans whose
    ``text`` differs from ``text[start:end]`` (labels not aligned to characters) and
    overlapping spans. Used by lessons 07 and 09.
    """
    tags = ["O"] * len(text)
    for e in entities:
        kind, start, end = e.get("type"), e.get("start"), e.get("end")
        if kind not in NER_TYPES:
            raise NerDataError(f"Unknown entity type {kind!r} in {e}; the course tags {list(NER_TYPES)}.")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise NerDataError(f"Entity {e} does not fit a text of {len(text)} characters: "
                               f"need 0 <= start < end <= {len(text)} (end is exclusive).")
        if "text" in e and e["text"] != text[start:end]:
            raise NerDataError(f"Entity {e} is not aligned to the characters: text[{start}:{end}] is "
                               f"{text[start:end]!r}. Offsets must count characters of the same (NFKC) text.")
        if any(t != "O" for t in tags[start:end]):
            raise NerDataError(f"Entity {e} overlaps an earlier entity; BIO tags allow one entity per character.")
        tags[start] = "B-" + kind
        tags[start + 1 : end] = ["I-" + kind] * (end - start - 1)
    return tags


def ner_windows(text: str, tags: list[str], max_chars: int) -> list[tuple[int, int]]:
    """Cut ``text`` into ``(start, end)`` windows of at most ``max_chars`` characters.

    Cuts go after sentence ends (。!?;), then after clause marks (,、:) inside long sentences,
    and never inside an entity; together the windows cover every character exactly once, so
    nothing is dropped. :func:`people_daily_ner` cuts with it for a model with 64 positions ([CLS] + 62 + [SEP]).
    """
    if len(tags) != len(text):
        raise NerDataError(f"{len(tags)} tags for {len(text)} characters: tags must be one per character.")
    if not isinstance(max_chars, int) or max_chars < 8:
        raise NerDataError(f"max_chars must be an int >= 8 (the model's positions minus [CLS]/[SEP]), got {max_chars!r}.")
    pieces, start = [], 0
    for sentence in _SENTENCE.findall(text):
        parts = [sentence] if len(sentence) <= max_chars else _WINDOW_BREAK.findall(sentence)
        for part in parts:
            pieces.append((start, start + len(part)))
            start += len(part)
    windows, open_at = [], None
    for a, b in pieces:
        while b - a > max_chars:  # a clause longer than the window: cut before an entity, not inside it
            cut = a + max_chars
            while cut > a + 1 and tags[cut].startswith("I-"):
                cut -= 1
            if open_at is not None:
                windows.append((open_at, a))
                open_at = None
            windows.append((a, cut))
            a = cut
        if open_at is None:
            open_at = a
        elif b - open_at > max_chars:
            windows.append((open_at, a))
            open_at = a
    if open_at is not None and open_at < len(text):
        windows.append((open_at, len(text)))
    return windows


def people_daily_ner(max_chars: int = 62, split_by: str = "article") -> datasets.DatasetDict:
    """People's Daily as character NER windows: columns ``chars``, ``tags``, ``article``, ``paragraph``.

    Every paragraph of :func:`helpers.load_people_daily` (same split) is tagged with
    :func:`bio_tags` and cut with :func:`ner_windows`; the description says how many
    paragraphs were cut. Used by lessons 06 and 07 and the ``albert-zh-ner`` and ``t5-zh-ner`` recipes.
    """
    from ..data import load_people_daily

    people = load_people_daily(split_by=split_by)

    def explode(batch):
        out = {"chars": [], "tags": [], "article": [], "paragraph": []}
        for pid, art, text, ents in zip(batch["id"], batch["article"], batch["text"], batch["entities"]):
            tags = bio_tags(text, ents)
            for a, b in ner_windows(text, tags, max_chars):
                out["chars"].append(list(text[a:b]))
                out["tags"].append(tags[a:b])
                out["article"].append(art)
                out["paragraph"].append(pid)
        return out

    return people.map(explode, batched=True, remove_columns=people["train"].column_names,
                      desc=f"BIO tags, windows of <= {max_chars} characters")


def gazetteer(rows: datasets.Dataset, min_chars: int = 2) -> dict[str, str]:
    """Every entity string tagged in ``rows`` (``chars``/``tags`` windows) -> its most frequent type.

    The lexicon of lesson 07's baseline: a list of names seen in the training articles.
    """
    counts: dict[str, dict[str, int]] = {}
    for chars, tags in zip(rows["chars"], rows["tags"]):
        for kind, start, end in spans(tags):
            name = "".join(chars[start:end])
            if len(name) >= min_chars:
                counts.setdefault(name, {}).setdefault(kind, 0)
                counts[name][kind] += 1
    return {name: max(kinds, key=lambda k: (kinds[k], k)) for name, kinds in counts.items()}


def lexicon_tags(chars: list[str], lexicon: dict[str, str], longest: int = 12) -> list[str]:
    """Baseline tagger of lesson 07: left to right, tag the longest lexicon entry starting here."""
    if not lexicon:
        raise NerDataError("The lexicon is empty: build it with gazetteer(train_rows) from tagged training windows.")
    tags, i = ["O"] * len(chars), 0
    while i < len(chars):
        for n in range(min(longest, len(chars) - i), 1, -1):
            kind = lexicon.get("".join(chars[i : i + n]))
            if kind:
                tags[i : i + n] = ["B-" + kind] + ["I-" + kind] * (n - 1)
                i += n
                break
        else:
            i += 1
    return tags


def spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """``(type, start, end)`` for each entity in a BIO sequence (an I- without a B- starts one, as in seqeval)."""
    out: list[tuple[str, int, int]] = []
    for i, tag in enumerate([*tags, "O"]):
        if out and out[-1][2] == -1 and not (tag.startswith("I-") and tag[2:] == out[-1][0]):
            out[-1] = (out[-1][0], out[-1][1], i)
        if tag.startswith("B-") or (tag.startswith("I-") and (not out or out[-1][2] != -1)):
            out.append((tag[2:], i, -1))
        elif tag != "O" and not tag.startswith(("B-", "I-")):
            raise NerDataError(f"Tag {tag!r} at position {i} is not BIO: use 'O', 'B-TYPE' or 'I-TYPE'.")
    return out
