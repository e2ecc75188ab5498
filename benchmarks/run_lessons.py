"""Execute every lesson top to bottom in a fresh kernel; report wall time and peak memory.

    .venv/bin/python benchmarks/run_lessons.py            # measure only
    .venv/bin/python benchmarks/run_lessons.py --store    # also write the outputs back into the notebooks
    .venv/bin/python benchmarks/run_lessons.py 01         # only lesson 01 (its row in the table is replaced)

Each notebook runs in its own child process (``jupyter nbconvert --execute``) with the
network guard armed, so the peak resident memory reported is that of the lesson's
kernel (the largest process the child waited for). ``--store`` is how the stored
outputs that the book shows are produced: one clean run, nothing edited by hand.
The table is printed and written to ``benchmarks/lessons.md``.
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
    args = parser.parse_args()

    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.prefixes:
        paths = [p for p in paths if any(p.name.startswith(x) for x in args.prefixes)]
    if not paths:
        print(f"no notebook in {NOTEBOOKS} matches {args.prefixes}", file=sys.stderr)
        return 2

    guard_log = Path(tempfile.mkdtemp(prefix="plm-guard-")) / "netguard.jsonl"
    rows = []
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        result = run_one(path, args.store, guard_log)
        rows.append((path.name, result["wall_s"], result["peak_mib"]))
        print(f"  {result['wall_s']:.0f} s, peak {result['peak_mib']:.0f} MiB", flush=True)

    attempts = sum(1 for _ in open(guard_log)) if guard_log.exists() else 0
    header = (
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"`benchmarks/run_lessons.py`; network connection attempts blocked: {attempts}.\n\n"
        "| Lesson | Wall time (s) | Peak RSS of the kernel (MiB) |\n|---|---:|---:|\n"
    )
    print()
    print(header + "".join(f"| `{name}` | {wall:.0f} | {peak:.0f} |\n" for name, wall, peak in rows))
    # keep the rows of lessons not run this time, so `run_lessons.py 07` updates one row
    measured = {name: f"| `{name}` | {wall:.0f} | {peak:.0f} |\n" for name, wall, peak in rows}
    if TABLE.exists():
        for line in TABLE.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\| `(\d\d_\S+\.ipynb)` \|", line)
            if m and m.group(1) not in measured and (NOTEBOOKS / m.group(1)).exists():
                measured[m.group(1)] = line + "\n"
    TABLE.write_text("# Lesson run times\n\n" + header + "".join(measured[k] for k in sorted(measured)), encoding="utf-8")
    return 1 if attempts else 0


if __name__ == "__main__":
    sys.exit(main())
