"""Execute every lesson top to bottom in a fresh kernel; report wall time and peak memory.

    .venv/bin/python -m coursetools.run_lessons               # measure only
    .venv/bin/python -m coursetools.run_lessons --store       # also write the outputs back into the notebooks
    .venv/bin/python -m coursetools.run_lessons 01            # only lesson 01 (its row in the table is replaced)
    .venv/bin/python -m coursetools.run_lessons --table-only  # rewrite the table (headline column) without running

Each notebook runs in its own child process (``jupyter nbconvert --execute``) with the
network guard armed, so the peak resident memory reported is that of the lesson's
kernel (the largest process the child waited for). ``--store`` is how the stored
outputs that the book shows are produced: one clean run, nothing edited by hand.
The table is printed and written to ``benchmarks/lessons.md``, with each lesson's headline metric
next to its baseline, read from the notebook's stored outputs (``HEADLINES`` below): the numbers
the book shows.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

from coursetools.notebooks import printed_text, read, run_measured

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TABLE = ROOT / "benchmarks" / "lessons.md"

# lesson -> (template, regex over the stored outputs); the regex groups fill the template in order
HEADLINES = {
    "00": ("next-sentence retrieval top-1: pretrained MiniLM {} · random init {} · TF-IDF {}",
           r"TF-IDF\s+(\d\.\d+).*?MiniLM 随机初始化\s+(\d\.\d+).*?MiniLM 预训练\s+(\d\.\d+)", (2, 1, 0)),
    "01": ("WordSim-353 ρ: skip-gram {} · random vectors {}",
           r"\nskip-gram\s+(-?\d\.\d+).*?random vectors \(mean of 10\)\s+(-?\d\.\d+)", (0, 1)),
    "02": ("Chinese text unknown: character WordPiece {} · word vocabulary of all train words {}",
           r"词级词表 51,551\s+(\d\.\d+)\s+字级 WordPiece 6,000\s+(\d\.\d+)", (1, 0)),
    "03": ("trained attention heads, layer 1: next character {} · previous character {} · random init at most {}",
           r"the head most on the next character gives it (\d\.\d+), the head most on the previous character gives it "
           r"(\d\.\d+); random init at most (\d\.\d+)", (0, 1, 2)),
    "04": ("masked characters: course BERT {} nats below the unigram model, top-1 {}× the unigram's",
           r"course checkpoint: (\d\.\d+) nats under the unigram line, top-1 (\d+\.\d)x", (0, 1)),
    "05": ("held-out perplexity: course GPT {} · unigram {}",
           r"unigram on the test articles: loss \d\.\d+ nats, perplexity ([\d,]+).*?course checkpoint\s+\d\.\d+\s+(\d+\.\d)",
           (1, 0)),
    "06": ("entity F1 (500 test windows): course T5 {} · lexicon {} · sentiment accuracy, 1,000 reviews: T5 pretrained {} · "
           "random init {} · TF-IDF + LR {}",
           r"sentiment accuracy at 1,000 reviews: pretrained T5 (\d\.\d+) vs random init (\d\.\d+) vs TF-IDF \+ LR "
           r"(\d\.\d+).*?entity F1 on \d+ test windows: course T5 (\d\.\d+) vs lexicon (\d\.\d+)", (3, 4, 0, 1, 2)),
    "07": ("entity F1: course ALBERT-NER {} · lexicon {}", r"entity F1: model (\d\.\d+)\s+lexicon (\d\.\d+)", (0, 1)),
    "08": ("word F1: course BERT, all windows {} · maximum matching {} · at 1,000 windows: pretrained {} · random init {} · "
           "pkuseg CRF {}",
           r"test word F1 with all training windows: BERT (\d\.\d+) vs maximum matching (\d\.\d+); with [\d,]+ windows: "
           r"pretrained BERT (\d\.\d+) vs random init (\d\.\d+) vs pkuseg CRF (\d\.\d+)", (0, 1, 2, 3, 4)),
    "09": ("micro-F1 (tuned): course BERT {} · training-set lexicon {} · TF-IDF + LR {} · frequency {}",
           r"micro-F1 \(tuned\): BERT course (\d\.\d+) vs TF-IDF \+ LR (\d\.\d+) vs frequency (\d\.\d+) "
           r"vs lexicon (\d\.\d+)", (0, 3, 1, 2)),
    "10": ("200 movie sentences, 5-fold accuracy: frozen MiniLM + LR {} ± {} · random weights {} ± {} · TF-IDF + LR {} ± {}",
           r"TF-IDF word 1-2-grams \+ LR\s+(\d\.\d+) ± (\d\.\d+).*?frozen MiniLM features \+ LR\s+(\d\.\d+) ± (\d\.\d+)"
           r".*?frozen random-weight features \+ LR\s+(\d\.\d+) ± (\d\.\d+)", (2, 3, 4, 5, 0, 1)),
    "11": ("held-out tasks, chat model (SFT) / base model few-shot / baseline: sentiment {} / {} / {} · names F1 {} / {} / {} · "
           "segmentation F1 {} / {} / {} · numbers {} / {} / {}",
           r"test, chat \(SFT\) vs base few-shot vs baseline: sentiment (\d\.\d+) vs (\d\.\d+) vs (\d\.\d+); ner (\d\.\d+) vs "
           r"(\d\.\d+) vs (\d\.\d+); segment (\d\.\d+) vs (\d\.\d+) vs (\d\.\d+); number (\d\.\d+) vs (\d\.\d+) vs (\d\.\d+)",
           tuple(range(12))),
    "12": ("sentiment accuracy, all training reviews: course BERT (distilled) {} · TF-IDF + LR {} · majority {}",
           r"fine-tuned model (\d\.\d+); TF-IDF \+ LR \(all [\d,]+ reviews\) (\d\.\d+); majority class (\d\.\d+)",
           (0, 1, 2)),
}


def headline(path: Path) -> str:
    """The lesson's headline metric next to its baseline, from the notebook's stored outputs."""
    if path.name[:2] not in HEADLINES:
        return "—"
    template, pattern, order = HEADLINES[path.name[:2]]
    match = re.search(pattern, printed_text(read(path)), re.S)
    if not match:
        return "(not found in the stored outputs: run with --store)"
    return template.format(*(match.group(i + 1) for i in order))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose name starts with one of these")
    parser.add_argument("--store", action="store_true", help="write the executed outputs back into notebooks/")
    parser.add_argument("--table-only", action="store_true", help="rewrite lessons.md from its rows, running nothing")
    args = parser.parse_args(argv)

    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in args.prefixes)]
    if not paths:
        print(f"no notebook in {NOTEBOOKS} matches {args.prefixes}", file=sys.stderr)
        return 2

    guard_log = Path(tempfile.mkdtemp(prefix="plm-guard-")) / "netguard.jsonl"
    rows = []
    for path in [] if args.table_only else paths:
        print(f"running {path.name} ...", flush=True)
        result = run_measured(path, args.store, guard_log)
        rows.append((path.name, result["wall_s"], result["peak_mib"]))
        print(f"  {result['wall_s']:.0f} s, peak {result['peak_mib']:.0f} MiB", flush=True)

    attempts = sum(1 for _ in open(guard_log)) if guard_log.exists() else 0
    # keep the rows of lessons not run this time, so `run_lessons 07` updates one row
    measured = {name: (f"{wall:.0f}", f"{peak:.0f}") for name, wall, peak in rows}
    old_header = ""
    if TABLE.exists():
        old = TABLE.read_text(encoding="utf-8")
        old_header = next((line for line in old.splitlines() if line.startswith("Measured ")), "")
        for m in re.finditer(r"^\| `(\d\d_\S+\.ipynb)` \| (\d+) \| (\d+) \|", old, re.M):
            if m.group(1) not in measured and (NOTEBOOKS / m.group(1)).exists():
                measured[m.group(1)] = (m.group(2), m.group(3))
    header = (old_header if args.table_only and old_header else
              f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
              f"`python -m coursetools.run_lessons`; network connection attempts blocked: {attempts}.")
    table = (header + "\n\n| Lesson | Wall time (s) | Peak RSS of the kernel (MiB) | Headline metric (stored outputs) |\n"
             "|---|---:|---:|---|\n"
             + "".join(f"| `{name}` | {wall} | {peak} | {headline(NOTEBOOKS / name)} |\n"
                       for name, (wall, peak) in sorted(measured.items())))
    print()
    print(table)
    TABLE.write_text("# Lesson run times\n\n" + table, encoding="utf-8")
    return 1 if attempts else 0


if __name__ == "__main__":
    sys.exit(main())
