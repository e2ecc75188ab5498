"""Write a lesson's training cells out as a plain Python script (for ``accelerate launch``).

The cells tagged ``training-script`` in a lesson notebook are copied unchanged, in order, into
one ``.py`` file; ``--set NAME=VALUE`` lines are inserted right after the ``parameters`` cell,
the same way papermill injects parameters. Lesson 07 tags its data, model and ``Trainer`` cells,
so its live fine-tune runs under several processes without editing a line::

    python scripts/lesson_script.py notebooks/07_multilabel_bert.ipynb -o train07.py
    # 2 CPU processes on one machine (gloo):
    ACCELERATE_USE_CPU=true accelerate launch --multi_gpu --num_processes 2 train07.py
    # multi-GPU, full mode (bert-base-chinese), one process per GPU:
    PLM_MODE=full accelerate launch --multi_gpu --num_processes 4 train07.py
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

TAG = "training-script"


def lesson_script(notebook: Path, overrides: dict[str, str]) -> str:
    """The tagged cells of ``notebook`` as one script, with ``overrides`` after the parameters cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    picked = [c for c in cells if c["cell_type"] == "code" and TAG in c.get("metadata", {}).get("tags", [])]
    if not picked:
        raise SystemExit(f"{notebook} has no code cell tagged {TAG!r}: nothing to export. "
                         f"Tag the cells that make up the training run (cell toolbar -> Tags).")
    if overrides and not any("parameters" in c["metadata"].get("tags", []) for c in picked):
        raise SystemExit(f"--set needs a cell tagged 'parameters' among the {TAG!r} cells of {notebook}.")
    parts = [f"# Generated from {notebook.name} by scripts/lesson_script.py: the cells tagged {TAG!r}, unchanged.\n"
             "import matplotlib\nmatplotlib.use('Agg')  # plots are not shown in a script\n"]
    for cell in picked:
        source = "".join(cell["source"])
        parts.append(source if source.endswith("\n") else source + "\n")
        if "parameters" in cell["metadata"].get("tags", []) and overrides:
            parts.append("# Parameters set on the command line\n" + "".join(f"{k} = {v}\n" for k, v in overrides.items()))
    return "\n".join(parts)


def parse_override(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"--set wants NAME=VALUE (a Python literal), got {text!r}")
    try:
        ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(f"--set {name}: {value!r} is not a Python literal (quote strings: NAME='\"x\"')")
    return name, value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="where to write the script (default: standard output)")
    parser.add_argument("--set", dest="overrides", type=parse_override, action="append", default=[],
                        metavar="NAME=VALUE", help="override a parameter, e.g. --set EPOCHS=1")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"{args.notebook} does not exist; lessons are in notebooks/")
    script = lesson_script(args.notebook, dict(args.overrides))
    if args.output:
        args.output.write_text(script, encoding="utf-8")
    else:
        sys.stdout.write(script)


if __name__ == "__main__":
    main()
