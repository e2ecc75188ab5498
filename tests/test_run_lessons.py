"""``coursetools.run_lessons``: the table of lesson run times and headline metrics, without running a lesson."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coursetools import run_lessons

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_benchmark_table_finds_each_lessons_headline_in_its_stored_outputs(path):
    assert path.name[:2] in run_lessons.HEADLINES, (
        f"add {path.name}'s headline metric to HEADLINES in coursetools/run_lessons.py")
    assert "not found" not in run_lessons.headline(path)


def test_table_only_rewrites_the_table_from_its_rows(tmp_path, monkeypatch, capsys):
    table = tmp_path / "lessons.md"
    shutil.copy(ROOT / "benchmarks" / "lessons.md", table)
    monkeypatch.setattr(run_lessons, "TABLE", table)
    assert run_lessons.main(["--table-only"]) == 0
    assert table.read_text(encoding="utf-8") == (ROOT / "benchmarks" / "lessons.md").read_text(encoding="utf-8"), (
        "benchmarks/lessons.md is not what `python -m coursetools.run_lessons --table-only` writes: run it")


def test_an_unknown_lesson_prefix_is_refused(capsys):
    assert run_lessons.main(["--table-only", "99"]) == 2
    assert "no notebook in" in capsys.readouterr().err
