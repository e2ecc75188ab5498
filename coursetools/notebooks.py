"""A lesson notebook's stored outputs, parameters and execution, in one place.

Every tool that reads what a lesson printed (``run_lessons``' headline column, the book check, the
prose-number and determinism tests), overrides its parameters (``lesson_script``, the full-mode
test) or executes it (``run_lessons``, the full-mode and determinism tests) goes through these
functions, so they agree on what "printed text" and "the parameters cell" mean. Functions that
read take a notebook as ``read`` (nbformat) or ``json.load`` gives it.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

PARAMETERS = "parameters"
INJECTED = "injected-parameters"  # papermill's tag for the cell it inserts
IGNORE_OUTPUT = "# NBVAL_IGNORE_OUTPUT"  # first line of a cell whose output varies from run to run (timings)
PLAIN = ("text/plain",)


class NotebookError(ValueError):
    """A notebook lacks what a tool needs (the file, a tagged cell, a parameter); the message says how to fix it."""


def read(path: Path | str) -> nbformat.NotebookNode:
    """The notebook at ``path``, as nbformat 4."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path} does not exist; the lessons are in notebooks/")
    return nbformat.read(path, as_version=4)


def output_text(output: Mapping, mimes: tuple[str, ...] = PLAIN) -> str:
    """What one stored output shows as text: a stream's text, or the ``mimes`` representations of a result or display."""
    pieces = ["".join(output.get("text", ""))] + ["".join(output.get("data", {}).get(m, "")) for m in mimes]
    return "\n".join(piece for piece in pieces if piece)


def cell_text(cell: Mapping) -> str:
    """Everything one code cell printed or displayed as text, its outputs in order."""
    return "".join(output_text(output) for output in cell.get("outputs", []))


def printed_text(nb: Mapping) -> str:
    """Everything a notebook's code cells printed or displayed as text, in order (its stored outputs)."""
    return "".join(cell_text(cell) for cell in nb["cells"] if cell["cell_type"] == "code")


def printed_cells(nb: Mapping) -> list[tuple[int, str]]:
    """``(cell index, text)`` of each code cell, except those whose first line is ``# NBVAL_IGNORE_OUTPUT``."""
    return [(index, cell_text(cell)) for index, cell in enumerate(nb["cells"])
            if cell["cell_type"] == "code" and not "".join(cell["source"]).lstrip().startswith(IGNORE_OUTPUT)]


def tagged(cell: Mapping, tag: str) -> bool:
    """Whether ``cell`` is a code cell carrying ``tag``."""
    return cell["cell_type"] == "code" and tag in cell.get("metadata", {}).get("tags", [])


def solution_definitions(path: Path | str, number: int) -> str:
    """The code of exercise ``number``'s solution cell that starts ``# Solution to exercise N: definitions``.

    Benchmarks and tests run a solution's definitions outside the lesson (``benchmarks/transfer_seeds.py``).
    """
    for cell in read(path).cells:
        if cell.cell_type == "code" and cell.source.startswith(f"# Solution to exercise {number}: definitions"):
            return cell.source
    raise NotebookError(f"{Path(path).name}: no code cell starts with '# Solution to exercise {number}: definitions'; "
                        f"the solution that defines what is reused must start with that line")


def parameters_index(nb: Mapping, name: str = "the notebook") -> int:
    """Index of the code cell tagged ``parameters`` (``name`` says which notebook in the error)."""
    index = next((i for i, cell in enumerate(nb["cells"]) if tagged(cell, PARAMETERS)), None)
    if index is None:
        raise NotebookError(f"{name} has no code cell tagged {PARAMETERS!r}: tag the cell that sets the lesson's "
                            "parameters (JupyterLab: cell toolbar -> Tags) so that they can be overridden")
    return index


def parameter_names(source: str) -> set[str]:
    """The names a parameters cell assigns at its top level."""
    names = set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def inject_parameters(nb: nbformat.NotebookNode, values: Mapping[str, Any], name: str = "the notebook") -> None:
    """Insert ``NAME = repr(value)`` as a new cell tagged ``injected-parameters`` after the ``parameters`` cell.

    That is what papermill does: the lesson's defaults run first, then the overrides. A name the
    parameters cell does not set is refused (a misspelt override would otherwise change nothing).
    """
    if not values:
        return
    index = parameters_index(nb, name)
    known = parameter_names("".join(nb.cells[index].source))
    unknown = sorted(set(values) - known)
    if unknown:
        raise NotebookError(f"{name}: its parameters cell does not set {', '.join(unknown)}; "
                            f"the parameters are {', '.join(sorted(known))}")
    source = "# Parameters\n" + "".join(f"{key} = {value!r}\n" for key, value in values.items())
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED]}))


def execute(path: Path | str, parameters: Mapping[str, Any] | None = None, timeout: int = 900,
            append: str | None = None) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` top to bottom in a fresh ``python3`` kernel, in its own folder.

    ``parameters`` are injected first (:func:`inject_parameters`); ``append`` is code run as one more
    cell at the end (a test's probe of the kernel's variables: its output is the last cell's).
    Returns the executed notebook; the file is left as it is. A failing cell raises nbclient's
    ``CellExecutionError``.
    """
    path = Path(path)
    nb = read(path)
    inject_parameters(nb, parameters or {}, path.name)
    if append is not None:
        nb.cells.append(nbformat.v4.new_code_cell(append))
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


# Runs in a child process so that the peak resident memory of the processes it waited for is the kernel's.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:])
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": proc.returncode, "wall_s": wall, "peak_mib": peak_kib / 1024}))
"""


def run_measured(path: Path, store: bool, guard_log: Path) -> dict:
    """Execute ``path`` with ``jupyter nbconvert`` in a child process, the network guard armed.

    Returns ``{"rc", "wall_s", "peak_mib"}``: wall time and the kernel's peak RSS. With ``store``
    the executed notebook replaces ``path`` (how the stored outputs are made); otherwise it is
    written to a temporary folder and dropped. Blocked connection attempts go to ``guard_log``.
    """
    with tempfile.TemporaryDirectory(prefix="plm-bench-") as out_dir:
        target = path if store else Path(out_dir) / path.name
        cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
               "--ExecutePreprocessor.timeout=900", "--output", str(target), str(path)]
        env = dict(os.environ, PLM_NETGUARD="1", PLM_NETGUARD_LOG=str(guard_log), PYTHONHASHSEED="0")
        child = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], env=env, capture_output=True, text=True,
                               cwd=path.parent)
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{path.name}: the runner printed nothing\n{child.stderr[-3000:]}")
    result = json.loads(lines[-1])
    if result["rc"] != 0:
        raise RuntimeError(f"{path.name} failed to execute:\n{child.stderr[-3000:]}")
    return result
