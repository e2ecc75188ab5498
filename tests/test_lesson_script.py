"""``coursetools.lesson_script``: a lesson's ``training-script`` cells as one script, parameters injected."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from coursetools.lesson_script import TAG, lesson_script, main
from coursetools.notebooks import NotebookError

ROOT = Path(__file__).resolve().parents[1]
LESSON_09 = ROOT / "notebooks" / "09_multilabel_bert.ipynb"


def test_lesson_script_copies_the_tagged_cells_and_injects_parameters():
    script = lesson_script(LESSON_09, {"EPOCHS": 1})
    assert "trainer.train()" in script and "MODE = helpers.setup()" in script
    assert script.index("EPOCHS = 2 if") < script.index("EPOCHS = 1\n") < script.index("trainer = Trainer(")
    assert "plt.show()" not in script  # plotting cells are not part of the training script
    compile(script, "train09.py", "exec")


def test_lesson_script_writes_the_file_it_is_given(tmp_path):
    assert main([str(LESSON_09), "--set", "LIVE_TRAIN=64", "-o", str(tmp_path / "train09.py")]) == 0
    script = (tmp_path / "train09.py").read_text(encoding="utf-8")
    assert script.startswith("# Generated from 09_multilabel_bert.ipynb by `python -m coursetools.lesson_script`")
    assert "LIVE_TRAIN = 64\n" in script


def _exit_message(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_lesson_script_bad_input_says_what_to_do(tmp_path, capsys):
    plain = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), plain)
    assert "has no code cell tagged 'training-script'" in _exit_message([str(plain)], capsys)
    assert "is not a Python literal" in _exit_message([str(LESSON_09), "--set", "EPOCHS=two"], capsys)
    assert "does not exist" in _exit_message(["notebooks/99_missing.ipynb"], capsys)
    assert "does not set EPOCH; the parameters are" in _exit_message([str(LESSON_09), "--set", "EPOCH=1"], capsys)


def test_overrides_need_the_parameters_cell_among_the_exported_cells(tmp_path):
    path = tmp_path / "lesson.ipynb"
    cells = [nbformat.v4.new_code_cell("EPOCHS = 2", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("print(EPOCHS)", metadata={"tags": [TAG]})]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    assert "print(EPOCHS)" in lesson_script(path, {})
    with pytest.raises(NotebookError, match="tag it 'training-script' too"):
        lesson_script(path, {"EPOCHS": 1})


def test_run_training_cells_executes_the_tagged_cells_with_overrides_and_swallows_output(tmp_path, capsys):
    from coursetools.lesson_script import run_training_cells

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("STEPS = 2", metadata={"tags": ["parameters", TAG]}),
                nbformat.v4.new_code_cell("print('training'); done = STEPS * 10", metadata={"tags": [TAG]}),
                nbformat.v4.new_code_cell("raise RuntimeError('not a training cell')")]
    path = tmp_path / "06_fake.ipynb"
    nbformat.write(nb, path)
    namespace = run_training_cells(path, {"STEPS": 3})
    assert namespace["done"] == 30 and namespace["__name__"] == "lesson06"
    assert "training" not in capsys.readouterr().out
