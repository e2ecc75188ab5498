"""All benchmarks in one command (about 1.75 hours on 2 cores; run it on an idle machine).

    .venv/bin/python benchmarks/run_all.py            # measure; the notebooks are left as they are
    .venv/bin/python benchmarks/run_all.py --store    # also refresh the notebooks' stored outputs

1. ``python -m coursetools.run_lessons``: every lesson top to bottom in a fresh kernel -> ``lessons.md``
   (wall time, peak memory, headline metric next to its baseline);
2. ``efficiency.py``: batching tokens/s, matmul peak, share of the peak -> ``efficiency.md``;
3. ``transfer_seeds.py``: lesson 10's transfer experiment over 3 seeds, two budgets and two classifiers -> ``transfer.md``;
4. ``segmentation.py``: lesson 08's size × method table over 3 seeds, and the all-windows CRF / random-init cells -> ``segmentation.md``;
5. ``little_data.py``: lesson 10's MiniLM learning curves and fine-tuning methods over 5 folds -> ``little_data.md`` / ``.json``;
6. ``instruct.py``: lesson 11's full fine-tuning run next to the shipped LoRA chat model -> ``instruct.md`` / ``.json``;
7. ``pretrained_targets.py``: every lesson target next to its measured value -> ``targets.md``
   (last: it reads the run times the first step wrote and the tables of steps 3 to 5).

Each step prints its table; the book's workshop page includes ``lessons.md`` and ``efficiency.md``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    store = ["--store"] if "--store" in sys.argv[1:] else []
    failed = []
    steps = [(" ".join(["coursetools.run_lessons", *store]), ["-m", "coursetools.run_lessons", *store])]
    steps += [(script, [str(HERE / script)]) for script in ("efficiency.py", "transfer_seeds.py", "segmentation.py", "little_data.py", "instruct.py",
                                                  "pretrained_targets.py")]
    for name, args in steps:
        print(f"\n===== {name}", flush=True)
        if subprocess.run([sys.executable, *args]).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
