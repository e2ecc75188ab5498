"""``python -m helpers.pretrain NAME [--steps N] [--threads T] [--out DIR] [--quiet]``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from .card import write_card
from .registry import REGISTRY


def main(argv: list[str] | None = None) -> Path:
    """Train the course checkpoint NAME, write its weights, tokenizer and model card; return the folder."""
    from . import __doc__ as usage

    p = argparse.ArgumentParser(prog="python -m helpers.pretrain", description=usage,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", choices=list(REGISTRY))
    p.add_argument("--steps", type=int, help="override the recipe's step count (e.g. a quick smoke run)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--out", help="output folder (default: checkpoints/NAME)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    if a.steps is not None and a.steps < 1:
        p.error(f"--steps must be a positive number of optimizer steps, got {a.steps}")
    from ..checkpoints import CHECKPOINTS
    from ..env import setup

    setup(threads=a.threads, quiet=True)
    entry = REGISTRY[a.name]
    r = dataclasses.replace(entry.recipe)
    if a.steps:
        r.steps = a.steps
        r.eval_every = min(r.eval_every, a.steps)
    out = Path(a.out) if a.out else CHECKPOINTS / r.name
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m helpers.pretrain " + " ".join(argv if argv is not None else sys.argv[1:])
    result = entry.build(r, out, progress=not a.quiet)
    write_card(out, r, result, a.threads, command)
    print(f"saved {out}: test " + json.dumps(result.test, ensure_ascii=False))
    return out
