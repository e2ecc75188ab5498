"""``coursetools.notebooks``: stored outputs, parameter injection and execution, on small notebooks built here."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursetools.notebooks import (INJECTED, NotebookError, execute, inject_parameters, output_text, printed_cells,
                                   printed_text, read, run_measured)


def _stored(tmp_path):
    """A notebook with every kind of stored output, written to disk as Jupyter writes it."""
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("print('loss 0.25')", outputs=[new_output("stream", name="stdout", text="loss 0.25\n")]),
        new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint('took 3 s')", outputs=[new_output("stream", name="stdout", text="took 3 s\n")]),
        new_code_cell("display(fig); 6 * 7", outputs=[
            new_output("display_data", data={"text/plain": "<Figure>", "image/png": "iVBORw0KGgo="}),
            new_output("execute_result", data={"text/plain": "42", "text/markdown": "**42**"}, execution_count=3),
        ]),
        new_code_cell("1 / 0", outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                   traceback=[])]),
    ]
    path = tmp_path / "stored.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_printed_text_is_every_stream_and_plain_text_output_in_order(tmp_path):
    nb = read(_stored(tmp_path))
    assert printed_text(nb) == "loss 0.25\ntook 3 s\n<Figure>42"
    assert printed_cells(nb) == [(1, "loss 0.25\n"), (3, "<Figure>42"), (4, "")]  # cell 2 is marked as varying


def test_outputs_read_the_same_from_json_as_from_nbformat(tmp_path):
    path = _stored(tmp_path)
    raw = json.loads(path.read_text(encoding="utf-8"))  # on disk, text is a list of lines
    assert printed_text(raw) == printed_text(read(path)) and printed_cells(raw) == printed_cells(read(path))


def test_output_text_can_add_other_text_representations():
    result = new_output("execute_result", data={"text/plain": "42", "text/markdown": "**42**"}, execution_count=1)
    assert output_text(result) == "42"
    assert output_text(result, ("text/plain", "text/markdown", "text/html")) == "42\n**42**"


def _lesson(source: str = "EPOCHS = 2\nLR: float = 1e-3\nMODEL = pick(MODE)\n") -> nbformat.NotebookNode:
    return new_notebook(cells=[new_code_cell("import os"),
                               new_code_cell(source, metadata={"tags": ["parameters"]}),
                               new_code_cell("print(EPOCHS, LR)")])


def test_parameters_are_injected_after_the_parameters_cell_as_papermill_does():
    nb = _lesson()
    inject_parameters(nb, {"EPOCHS": 1, "LR": 0.5})
    assert [c.metadata.get("tags", []) for c in nb.cells] == [[], ["parameters"], [INJECTED], []]
    assert nb.cells[2].source == "# Parameters\nEPOCHS = 1\nLR = 0.5\n"
    namespace = {"pick": str, "MODE": "tiny"}
    exec("\n".join(c.source for c in nb.cells[1:3]), namespace)
    assert (namespace["EPOCHS"], namespace["LR"], namespace["MODEL"]) == (1, 0.5, "tiny")


def test_no_parameters_leave_the_notebook_as_it_is():
    nb = _lesson()
    inject_parameters(nb, {})
    assert [c.source for c in nb.cells] == [c.source for c in _lesson().cells]


def test_injection_bad_input_says_what_to_do():
    plain = new_notebook(cells=[new_code_cell("EPOCHS = 2")])
    with pytest.raises(NotebookError, match="plain.ipynb has no code cell tagged 'parameters': tag the cell"):
        inject_parameters(plain, {"EPOCHS": 1}, "plain.ipynb")
    with pytest.raises(NotebookError, match="does not set EPOCH, SEED; the parameters are EPOCHS, LR, MODEL"):
        inject_parameters(_lesson(), {"EPOCH": 1, "SEED": 0})


def test_a_missing_notebook_is_named(tmp_path):
    with pytest.raises(NotebookError, match="99_missing.ipynb does not exist; the lessons are in notebooks/"):
        read(tmp_path / "99_missing.ipynb")


def _tiny_lesson(tmp_path):
    """A lesson that reads a file next to it (execution runs in the notebook's folder) and uses a parameter."""
    (tmp_path / "data.txt").write_text("tiny", encoding="utf-8")
    path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("STEPS = 2", metadata={"tags": ["parameters"]}),
                                       new_code_cell("print(open('data.txt').read(), STEPS)")],
                                metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}),
                   path)
    return path


@pytest.mark.notebook
def test_execute_runs_in_the_notebooks_folder_with_injected_parameters(tmp_path):
    path = _tiny_lesson(tmp_path)
    nb = execute(path, {"STEPS": 5})
    assert printed_text(nb) == "tiny 5\n"
    assert printed_text(read(path)) == ""  # the file is left as it is


@pytest.mark.notebook
def test_a_measured_run_stores_the_outputs_and_reports_time_and_memory(tmp_path):
    path = _tiny_lesson(tmp_path)
    result = run_measured(path, store=True, guard_log=tmp_path / "netguard.jsonl")
    assert result["rc"] == 0 and result["wall_s"] > 0 and result["peak_mib"] > 10
    assert printed_text(read(path)) == "tiny 2\n"
