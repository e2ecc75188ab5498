"""Execute every lesson top to bottom in a fresh kernel; report wall time and peak memory.

    .venv/bin/python benchmarks/run_lessons.py            # measure only
    .venv/bin/python benchmarks/run_lessons.py --store    # also write the outputs back into the notebooks
    .venv/bin/python benchmarks/run_lessons.py 01         # only lesson 01 (its row in the table is replaced)
    .venv/bin/python benchmarks/run_lessons.py --table-only  # rewrite the table (headline column) without running

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
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TABLE = Path(__file__).with_name("lessons.md")

# lesson -> (template, regex over the stored outputs); the regex groups fill the template in order
HEADLINES = {
    "00": ("next-sentence retrieval top-1: pretrained MiniLM {} · random init {} · TF-IDF {}",
           r"TF-IDF\s+(\d\.\d+).*?MiniLM 随机初始化\s+(\d\.\d+).*?MiniLM 预训练\s+(\d\.\d+)", (2, 1, 0)),
    "01": ("WordSim-353 ρ: skip-gram {} · random vectors {}",
           r"\nskip-gram\s+(-?\d\.\d+).*?random vectors \(mean of 10\)\s+(-?\d\.\d+)", (0, 1)),
    "02": ("Chinese text unknown: character WordPiece {} · word vocabulary of all train words {}",
           r"词级词表 51,551\s+(\d\.\d+)\s+字级 WordPiece 6,000\s+(\d\.\d+)", (1, 0)),
    "03": ("masked characters: course BERT {} nats below the unigram model, top-1 {}× the unigram's",
           r"course checkpoint: (\d\.\d+) nats under the unigram line, top-1 (\d+\.\d)x", (0, 1)),
    "04": ("held-out perplexity: course GPT {} · unigram {}",
           r"unigram on the test articles: loss \d\.\d+ nats, perplexity ([\d,]+).*?course checkpoint\s+\d\.\d+\s+(\d+\.\d)",
           (1, 0)),
    "05": ("exact match: course T5 {} · digit-by-digit {}",
           r"digit-by-digit baseline exact match: (\d\.\d+).*?greedy: exact match (\d\.\d+)", (1, 0)),
    "06": ("entity F1: course ALBERT-NER {} · lexicon {}", r"entity F1: model (\d\.\d+)\s+lexicon (\d\.\d+)", (0, 1)),
    "07": ("micro-F1 (tuned): course BERT {} · training-set lexicon {} · TF-IDF + LR {} · frequency {}",
           r"micro-F1 \(tuned\): BERT course (\d\.\d+) vs TF-IDF \+ LR (\d\.\d+) vs frequency (\d\.\d+) "
           r"vs lexicon (\d\.\d+)", (0, 3, 1, 2)),
    "08": ("sentiment accuracy: course BERT {} · TF-IDF + LR {} · majority {}",
           r"fine-tuned model (\d\.\d+); TF-IDF \+ LR \(all [\d,]+ reviews\) (\d\.\d+); majority class (\d\.\d+)",
           (0, 1, 2)),
}


def stored_text(path: Path) -> str:
    """Everything a notebook's code cells printed or displayed as text, in order (its stored outputs)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                   for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))


def headline(path: Path) -> str:
    """The lesson's headline metric next to its baseline, from the notebook's stored outputs."""
    if path.name[:2] not in HEADLINES:
        return "—"
    template, pattern, order = HEADLINES[path.name[:2]]
    match = re.search(pattern, stored_text(path), re.S)
    if not match:
        return "(not found in the stored outputs: run with --store)"
    return template.format(*(match.group(i + 1) for i in order))


_CHILD = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:])
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": proc.returncode, "wall_s": wall, "peak_mib": peak_kib / 1024}))
"""


def run_one(path: Path, store: bool, guard_log: Path) -> dict:
    out_dir = Path(tempfile.mkdtemp(prefix="plm-bench-"))
    target = path if store else out_dir / path.name
    cmd = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=900", "--output", str(target), str(path),
    ]
    env = dict(os.environ, PLM_NETGUARD="1", PLM_NETGUARD_LOG=str(guard_log), PYTHONHASHSEED="0")
    child = subprocess.run([sys.executable, "-c", _CHILD, *cmd], env=env, capture_output=True, text=True, cwd=path.parent)
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{path.name}: the runner printed nothing\n{child.stderr[-3000:]}")
    result = json.loads(lines[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"{path.name} failed to execute:\n{child.stderr[-3000:]}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose name starts with one of these")
    parser.add_argument("--store", action="store_true", help="write the executed outputs back into notebooks/")
    parser.add_argument("--table-only", action="store_true", help="rewrite lessons.md from its rows, running nothing")
    args = parser.parse_args()

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
        result = run_one(path, args.store, guard_log)
        rows.append((path.name, result["wall_s"], result["peak_mib"]))
        print(f"  {result['wall_s']:.0f} s, peak {result['peak_mib']:.0f} MiB", flush=True)

    attempts = sum(1 for _ in open(guard_log)) if guard_log.exists() else 0
    # keep the rows of lessons not run this time, so `run_lessons.py 07` updates one row
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
              f"`benchmarks/run_lessons.py`; network connection attempts blocked: {attempts}.")
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
