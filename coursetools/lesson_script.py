"""Write a lesson's training cells out as a plain Python script (for ``accelerate launch``).

The cells tagged ``training-script`` in a lesson notebook are copied unchanged, in order, into
one ``.py`` file; ``--set NAME=VALUE`` lines are inserted right after the ``parameters`` cell,
the same way papermill injects parameters. Lesson 09 tags its data, model and ``Trainer`` cells,
so its live fine-tune runs under several processes without editing a line::

    python -m coursetools.lesson_script notebooks/09_multilabel_bert.ipynb -o train09.py
    # 2 CPU processes on one machine (gloo):
    ACCELERATE_USE_CPU=true accelerate launch --multi_gpu --num_processes 2 train09.py
    # multi-GPU, full mode (bert-base-chinese), one process per GPU:
    PLM_MODE=full accelerate launch --multi_gpu --num_processes 4 train09.py
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coursetools.notebooks import INJECTED, PARAMETERS, NotebookError, inject_parameters, read, tagged

TAG = "training-script"


def lesson_script(notebook: Path, overrides: Mapping[str, Any]) -> str:
    """The tagged cells of ``notebook`` as one script, with ``overrides`` injected after the parameters cell."""
    nb = read(notebook)
    if not any(tagged(cell, TAG) for cell in nb.cells):
        raise NotebookError(f"{notebook} has no code cell tagged {TAG!r}: nothing to export. "
                            "Tag the cells that make up the training run (cell toolbar -> Tags).")
    if overrides and not any(tagged(cell, TAG) and tagged(cell, PARAMETERS) for cell in nb.cells):
        raise NotebookError(f"--set needs the cell tagged {PARAMETERS!r} to be one of the {TAG!r} cells of {notebook}: "
                            f"tag it {TAG!r} too.")
    inject_parameters(nb, overrides, notebook.name)
    parts = [f"# Generated from {notebook.name} by `python -m coursetools.lesson_script`: the cells tagged {TAG!r}, "
             "unchanged.\nimport matplotlib\nmatplotlib.use('Agg')  # plots are not shown in a script\n"]
    for cell in nb.cells:
        if tagged(cell, TAG) or tagged(cell, INJECTED):
            parts.append(cell.source if cell.source.endswith("\n") else cell.source + "\n")
    return "\n".join(parts)


def run_training_cells(notebook: Path, overrides: Mapping[str, Any]) -> dict:
    """Execute :func:`lesson_script`'s script in this process with ``overrides``; return its globals.

    What the lesson prints is swallowed (``display`` does nothing, load reports are silenced). The
    benchmarks use it to rerun a lesson's own training code for more seeds or sizes (lessons 06, 08).
    """
    import contextlib
    import io

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    namespace: dict = {"__name__": f"lesson{notebook.name[:2]}", "display": lambda *a, **k: None}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(lesson_script(notebook, overrides), str(notebook), "exec"), namespace)
    return namespace


def parse_override(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from the command line as ``(NAME, the Python literal VALUE)``."""
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"--set wants NAME=VALUE (a Python literal), got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(f"--set {name}: {value!r} is not a Python literal (quote strings: NAME='\"x\"')")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="where to write the script (default: standard output)")
    parser.add_argument("--set", dest="overrides", type=parse_override, action="append", default=[],
                        metavar="NAME=VALUE", help="override a parameter, e.g. --set EPOCHS=1")
    args = parser.parse_args(argv)
    try:
        script = lesson_script(args.notebook, dict(args.overrides))
    except NotebookError as error:
        parser.error(str(error))
    if args.output:
        args.output.write_text(script, encoding="utf-8")
    else:
        sys.stdout.write(script)
    return 0


if __name__ == "__main__":
    sys.exit(main())
