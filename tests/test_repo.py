"""Repository-wide rules: lesson anatomy, stored outputs, safety, packaging agreement."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_lessons():
    assert [p.name[:2] for p in NOTEBOOKS][:2] == ["00", "01"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_anatomy(path):
    markdown = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
    for heading in ("学习目标", "先修", "预计 CPU 时间", "## 练习", "## 小结", "术语表"):
        assert heading in markdown, f"{path.name} lacks {heading!r}"
    assert markdown.count("<summary>参考解答") >= 3, f"{path.name} needs at least 3 collapsible solutions"
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert "helpers.setup(" in source(code[0]), f"{path.name}: the first code cell must call helpers.setup()"
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code), f"{path.name}: no `parameters` cell"


SOLUTION = re.compile(r"<summary>参考解答.*?</details>", re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_solutions_are_executed_code_cells_shown_collapsed(path):
    """Solution code runs in the test suite (a code cell), never as an unexecuted block in the prose."""
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] == "markdown":
            for block in SOLUTION.findall(source(cell)):
                assert "```" not in block, f"{path.name} cell {index}: solution code in the prose; make it a code cell tagged solution"
        elif source(cell).startswith("# Solution to exercise"):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "solution" in tags and "hide-cell" in tags, f"{path.name} cell {index}: tag it solution + hide-cell"
            assert cell["metadata"].get("jupyter", {}).get("source_hidden"), f"{path.name} cell {index}: collapse it in JupyterLab"
    assert any("solution" in c.get("metadata", {}).get("tags", []) for c in cells(path)), f"{path.name}: no executed solution"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_come_from_one_clean_run(path):
    code = [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: re-run it with benchmarks/run_lessons.py --store"
    for c in code:
        for out in c["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: stored error output"
            text = "".join(out.get("text", "")) if out["output_type"] == "stream" else ""
            assert "Glyph" not in text and "/work/" not in text and "/home/" not in text, (
                f"{path.name}: stored output leaks a warning or a local path: {text[:200]!r}"
            )


VERSION_LINE = re.compile(r"^Python \d+\.\d+\.\d+, torch .*$", re.M)


def stored_versions(path: Path) -> dict[str, str]:
    """{package: version} from the line helpers.setup() printed when the stored outputs were made."""
    first = next(c for c in cells(path) if c["cell_type"] == "code")
    text = "".join("".join(o.get("text", "")) for o in first["outputs"] if o["output_type"] == "stream")
    line = VERSION_LINE.search(text)
    assert line, f"{path.name}: the setup cell's stored output has no version line"
    return dict(part.rsplit(" ", 1) for part in line.group(0).split(", "))


def test_all_lessons_were_stored_under_the_readme_tested_versions():
    """One version set: every lesson's outputs were made by the packages the README's table lists."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("versions", ROOT / "scripts" / "versions.py")
    versions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(versions)
    tested = versions.tested_versions()
    for path in NOTEBOOKS:
        for package, version in stored_versions(path).items():
            want = tested.get(package)
            if want is None:
                continue
            version = version.split("+")[0]
            assert version == want or (package == "Python" and version.startswith(want + ".")), (
                f"{path.name} was stored with {package} {version}, the README's tested versions say {want}: "
                "re-run every lesson with benchmarks/run_lessons.py --store and update the README table together")


PRIVATE_IMPORT = re.compile(r"from helpers[\w.]* import \(?([^)\n]*)|\bhelpers(?:\.\w+)*\.(_[a-z]\w*)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lessons_use_only_public_helpers(path):
    """A lesson imports what helpers offers publicly; a `_name` is an implementation detail that may change."""
    private = []
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code":
            continue
        for names, attribute in PRIVATE_IMPORT.findall(source(cell)):
            private += [f"cell {index}: {n.strip()}" for n in names.split(",") if n.strip().startswith("_")]
            private += [f"cell {index}: {attribute}"] if attribute else []
    assert private == [], f"{path.name} uses private helpers: {private}; make them public or show the code in the lesson"


UNSAFE = [
    (re.compile(r"trust_remote_code\s*=\s*True"), "trust_remote_code=True"),
    (re.compile(r"^\s*(import pickle|from pickle import|import cPickle)", re.M), "pickle"),
    (re.compile(r"torch\.load\((?![^)]*weights_only\s*=\s*True)"), "torch.load without weights_only=True"),
]


def code_files() -> list[tuple[str, str]]:
    files = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for folder in ("helpers", "tests", "scripts", "benchmarks") for p in (ROOT / folder).rglob("*.py")]
    files += [(f"{p.name} cell {i}", source(c)) for p in NOTEBOOKS for i, c in enumerate(cells(p)) if c["cell_type"] == "code"]
    return files


def test_no_unsafe_loading_anywhere():
    problems = [f"{name}: {what}" for name, text in code_files() for pattern, what in UNSAFE
                if pattern.search(text) and name != "tests/test_repo.py"]
    assert problems == []


def test_environment_yml_installs_the_package_pyproject_defines():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_lines = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert "-e .[dev]" in pip_lines, "environment.yml must install the course package with its dev extra"
    minimum = re.search(r">=\s*3\.(\d+)", project["requires-python"]).group(1)
    assert int(python.split("=")[-1].split(".")[1]) >= int(minimum)
    torch_req = next(r for r in project["dependencies"] if r.startswith("torch"))
    assert torch_req in pip_lines, "torch must come first in environment.yml with the same range"


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```bash\n(.*pytest.*)\n```", readme).group(1).strip()
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_book_toc_lists_every_lesson_in_order():
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for c in toc["chapters"]]
    lessons = [f for f in files if f.startswith("notebooks/")]
    assert lessons == [f"notebooks/{p.stem}" for p in NOTEBOOKS]


def test_readme_tested_versions_lie_inside_the_pyproject_ranges():
    import sys

    from packaging.requirements import Requirement

    sys.path.insert(0, str(ROOT / "scripts"))
    from versions import tested_versions

    tested = tested_versions()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group if not r.startswith("plm-course")]
    ranges = {Requirement(r).name.lower(): Requirement(r).specifier for r in project["dependencies"] + extras}
    for key in ("Python", "torch", "transformers", "datasets", "accelerate"):
        assert key in tested, f"README's tested-versions table lacks {key}"
    outside = {name: (version, str(ranges[name.lower()])) for name, version in tested.items()
               if name.lower() in ranges and not ranges[name.lower()].contains(version, prereleases=True)}
    assert outside == {}, "README lists tested versions that pyproject.toml no longer allows"
    assert all(name.lower() in ranges for name in tested if name != "Python"), "a README row names no dependency"
    assert project["requires-python"].startswith(">=") and (
        tuple(map(int, tested["Python"].split("."))) >= tuple(map(int, project["requires-python"][2:].split("."))))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_benchmark_table_finds_each_lessons_headline_in_its_stored_outputs(path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run_lessons import HEADLINES, headline

    assert path.name[:2] in HEADLINES, f"add {path.name}'s headline metric to HEADLINES in benchmarks/run_lessons.py"
    assert "not found" not in headline(path)
