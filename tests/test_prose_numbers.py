"""Every number a lesson's prose states about its results is one that the lesson's run printed.

A lesson's markdown may only state a decimal number (``0.851``), a number with thousands
separators (``4,623``) or a whole number of 100 or more when the same notebook's stored
outputs print it, its code sets it (``LIVE_STEPS = 800``), or it is on the short list of cited
figures below (a paper, a model's size, a benchmark table), each with its source named. Where
the source is a file of this repository, the number must appear in that file too, so a cited
benchmark figure cannot drift from the table it cites.

Not checked: whole numbers under 100 (section numbers, small counts), years, section headings
(``### 5.1``) and code shown inside the prose (fenced blocks, inline ``code``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from coursetools.notebooks import output_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{2,})(?![\w])")
FENCED = re.compile(r"```.*?```", re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#+ .*$", re.M)
HTML_TAG = re.compile(r"<[^>]+>")

# lesson number -> {number as written (commas dropped): source}. A source that names a file of
# this repository (the first word, a path) is checked to contain the number.
CITED: dict[str, dict[str, str]] = {
    "00": {},
    "01": {
        "1.6": "size of word2vec-google-news-300 as listed by gensim-data",
        "1000": "Mikolov et al. 2013: vectors trained on about 100 billion words of Google News",
    },
    "02": {},
    "03": {
        "189": "benchmarks/efficiency.md: the machine's float32 matmul peak on 2 threads (189.0 GFLOP/s)",
    },
    "04": {
        "4.8": "experiments/mlm_notes.md: run D (h256 L4) is 4.8x the size of run C (h128 L2)",
        "1.3": "experiments/mlm_notes.md: run D is 1.3 nats behind run C after 40 minutes",
        "1.1": "bert-base-chinese on the Hub: about 110 M parameters (BERT-base, Devlin et al. 2019)",
    },
    "05": {
        "1.24": "gpt2 on the Hub: 124 M parameters (Radford et al. 2019, smallest model)",
        "50257": "gpt2 on the Hub: vocabulary size",
        "1024": "gpt2 on the Hub: context length (n_positions)",
    },
    "06": {
        "101": "Xue et al. 2021 (mT5): mC4 covers 101 languages",
        "512": "bert-base-chinese on the Hub: max_position_embeddings 512 (its config.json)",
        "83.28": "Raffel et al. 2020 (T5), Table 1: baseline GLUE average, pre-trained",
        "66.22": "Raffel et al. 2020 (T5), Table 1: GLUE average, no pre-training (same fine-tuning steps)",
        "80.88": "Raffel et al. 2020 (T5), Table 1: baseline SQuAD, pre-trained",
        "50.31": "Raffel et al. 2020 (T5), Table 1: SQuAD, no pre-training",
        "39.82": "Raffel et al. 2020 (T5), Table 1: baseline WMT English-French BLEU, pre-trained",
        "39.77": "Raffel et al. 2020 (T5), Table 1: WMT English-French BLEU, no pre-training",
        "2.2": "Raffel et al. 2020 (T5): the baseline is T5-Base sized, about 220 M parameters",
        "340": "Raffel et al. 2020 (T5): baseline pre-training, 2^19 steps x 128 sequences x 512 tokens = 2^35, about 34 B tokens",
        "178": "benchmarks/text2text.md: t5-zh before the fix, two-digit integers right (178 of 180)",
        "0.851": "README.md: lesson 07's ALBERT-NER test entity F1 (seqeval)",
        "9.0": "benchmarks/text2text.md: sentiment, pretrained - random init at 200 reviews, mean over 3 seeds (-9.0)",
        "3.5": "benchmarks/text2text.md: its standard deviation over the seeds",
        "4.1": "benchmarks/text2text.md: sentiment, pretrained - random init at 1,000 reviews (-4.1)",
        "1.9": "benchmarks/text2text.md: its standard deviation over the seeds",
        "0.9": "benchmarks/text2text.md: sentiment, pretrained - random init at 5,000 reviews (-0.9)",
        "2.0": "benchmarks/text2text.md: its standard deviation over the seeds",
    },
    "07": {},
    "08": {
        "0.963": "benchmarks/segmentation.md: pkuseg's CRF on all non-sports training windows",
        "0.950": "benchmarks/segmentation.md: BERT from bert-zh, all non-sports training windows, 3,000 steps",
        "0.935": "benchmarks/segmentation.md: BERT from random weights, all non-sports training windows",
    },
    "09": {
        "0.70": "Mohammad et al. 2018 (SemEval-2018 Task 1: Affect in Tweets), subtask E-c English: best system micro-F1 0.701",
    },
    "10": {
        "120": "benchmarks/targets.md: a lesson's clean run on 2 cores takes at most 120 s",
        "512": "bert-base-chinese on the Hub: max_position_embeddings 512 (its config.json)",
        "0.7": "benchmarks/transfer.md: gain over 3 seeds, new head, lesson budget, 100 reviews",
        "13.3": "benchmarks/transfer.md: gain over 3 seeds, new head, lesson budget, 300 reviews",
        "7.6": "benchmarks/transfer.md: gain over 3 seeds, new head, lesson budget, 1,000 reviews",
        "1.2": "benchmarks/transfer.md: gain over 3 seeds, new head, longer budget, 300 reviews (-1.2)",
        "0.5": "benchmarks/transfer.md: gain over 3 seeds, new head, longer budget, 1,000 reviews",
        "140": "benchmarks/transfer.md: longer budget, fewest steps (100 reviews)",
        "252": "benchmarks/transfer.md: longer budget, most steps (1,000 reviews)",
        "0.011": "benchmarks/transfer.md: standard error of an accuracy near 0.69 on 1,736 test reviews",
        "4.1": "benchmarks/transfer.md: gain over 3 seeds, prompt, lesson budget, 100 reviews",
        "10.4": "benchmarks/transfer.md: gain over 3 seeds, prompt, lesson budget, 300 reviews",
        "1.4": "benchmarks/transfer.md: gain over 3 seeds, prompt, lesson budget, 1,000 reviews",
        "0.4": "benchmarks/transfer.md: gain over 3 seeds, prompt, longer budget, 100 and 1,000 reviews (+0.4, -0.4)",
        "2.5": "benchmarks/transfer.md: gain over 3 seeds, prompt, longer budget, 300 reviews",
        "10662": "Kim 2014 (Convolutional Neural Networks for Sentence Classification), Table 1: MR (Pang & Lee sentence polarity), N = 10662",
        "76.1": "Kim 2014, Table 2: CNN-rand on MR",
        "81.5": "Kim 2014, Table 2: CNN-non-static (word2vec vectors, fine-tuned) on MR",
        "79.4": "Kim 2014, Table 2: NBSVM (Wang & Manning 2012) on MR",
        "93.5": "Devlin et al. 2019 (BERT), Table 1: BERT-BASE on SST-2, GLUE test",
        "6.7": "Wang et al. 2019 (GLUE), Table 1: SST-2 has 67k training sentences",
    },
    "11": {
        "3.5": "OpenAI, Introducing ChatGPT (2022-11-30): fine-tuned from a model in the GPT-3.5 series",
        "570": "Brown et al. 2020 (GPT-3), section 2.2: Common Crawl, 45TB of compressed plaintext before filtering, 570GB after",
        "1024": "gpt2 on the Hub: context length (n_positions)",
    },
    "12": {
        "160": "benchmarks/little_data.md: lesson 10's largest training size, 160 sentences per fold",
    },
}


def _strip(markdown: str) -> str:
    """The prose of a markdown cell without code, headings and HTML tags."""
    for pattern in (FENCED, INLINE_CODE, HEADING, HTML_TAG):
        markdown = pattern.sub(" ", markdown)
    return markdown


def _counts(number: str) -> bool:
    """Whether a number in the prose is checked (decimals, thousands, whole numbers >= 100 except years)."""
    if "." in number:
        return True
    value = int(number)
    return value >= 100 and not 1900 <= value <= 2030


def prose_numbers(cells: list[dict]) -> list[tuple[int, str]]:
    """``(cell index, number without commas)`` for every checked number in the markdown cells."""
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for match in NUMBER.finditer(_strip("".join(cell["source"]))):
            number = match.group(1).replace(",", "")
            if _counts(number):
                found.append((index, number))
    return found


SHOWN = ("text/plain", "text/markdown", "text/html")  # what a reader sees of a result or display


def printed_and_set(cells: list[dict]) -> str:
    """All text the code cells printed or displayed (stored outputs) and their source, commas dropped."""
    parts = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        parts.append("".join(cell["source"]))
        parts += [output_text(output, SHOWN) for output in cell.get("outputs", [])]
    return "\n".join(parts).replace(",", "")


def _appears(number: str, text: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


def unbacked(path: Path) -> list[str]:
    """The prose numbers of one lesson that neither its run nor its list of cited figures backs."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    shown = printed_and_set(cells)
    cited = CITED[path.name[:2]]
    return [f"cell {index}: {number}" for index, number in prose_numbers(cells)
            if not _appears(number, shown) and number not in cited]


def test_the_checker_finds_a_number_typed_from_an_earlier_run():
    cells = [{"cell_type": "markdown", "source": ["## 3.1 结果\n模型的 F1 是 0.851，比词典高 6.3 个点；共 4,623 个窗口，`lr=1e-3`。"]},
             {"cell_type": "code", "source": ["f1 = 0.8512\n"], "outputs": [{"output_type": "stream", "text": ["F1 0.851 on 4,623 windows\n"]}]}]
    shown = printed_and_set(cells)
    assert [n for _, n in prose_numbers(cells)] == ["0.851", "6.3", "4623"]
    assert [n for _, n in prose_numbers(cells) if not _appears(n, shown)] == ["6.3"]
    assert not _appears("0.85", shown) and _appears("0.851", shown)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_prose_numbers_come_from_the_run(path):
    missing = unbacked(path)
    assert not missing, (
        f"{path.name}: numbers in the prose that no stored output or code of this lesson shows: {missing}. "
        "Print the sentence from the cell (IPython.display.Markdown), state the number the run prints, "
        "or add a cited figure with its source to CITED in tests/test_prose_numbers.py.")


@pytest.mark.parametrize("lesson", sorted(CITED))
def test_cited_figures_are_used_and_match_their_source(lesson):
    paths = [p for p in NOTEBOOKS if p.name.startswith(lesson)]
    assert paths, f"CITED lists lesson {lesson}, which has no notebook"
    cells = json.loads(paths[0].read_text(encoding="utf-8"))["cells"]
    used = {number for _, number in prose_numbers(cells)}
    for number, source in CITED[lesson].items():
        assert number in used, f"lesson {lesson}: cited figure {number} no longer appears in the prose; remove it from CITED"
        first = source.split()[0]
        if "/" in first and (ROOT / first).is_file():
            text = (ROOT / first).read_text(encoding="utf-8").replace(",", "")
            assert _appears(number, text), f"lesson {lesson}: {number} is cited from {first}, which does not contain it"


def test_readme_headline_numbers_come_from_the_lessons_runs():
    """The README's table of headline results states only numbers that the lessons' stored outputs print."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Headline results" in readme, "README.md lost its table of headline results"
    table = readme.split("Headline results", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| (\d\d) \|(.*)$", table, re.M)
    assert len({lesson for lesson, _ in rows}) >= len(NOTEBOOKS) - 2, "the headline table lost lessons"
    missing = []
    for lesson, row in rows:
        path = next(p for p in NOTEBOOKS if p.name.startswith(lesson))
        shown = printed_and_set(json.loads(path.read_text(encoding="utf-8"))["cells"])
        printed = {float(n) for n in re.findall(r"\d+\.\d+|\d+", shown)}
        for match in NUMBER.finditer(_strip(row)):
            number = match.group(1).replace(",", "")
            places = len(number.split(".")[1]) if "." in number else 0
            # the README may round a printed number (perplexity 153.841 -> 154), never invent one
            if _counts(number) and number not in CITED[lesson] and not _appears(number, shown) and not any(
                    round(value, places) == float(number) for value in printed):
                missing.append(f"{lesson}: {match.group(1)}")
    assert not missing, f"README headline numbers that no stored output of their lesson prints: {missing}"
