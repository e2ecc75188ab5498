"""Repository-wide rules: lesson anatomy, stored outputs, safety, packaging agreement."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from coursetools import versions

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
    assert code[0].get("id") == "colab-setup", f"{path.name}: the first code cell must be the Colab cell (coursetools.launch)"
    assert "helpers.setup(" in source(code[1]), f"{path.name}: the code cell after the Colab cell must call helpers.setup()"
    assert [c.get("id") for c in cells(path)[-4:]] == ["md-selfcheck", "code-selfcheck", "code-report", "md-nav"], (
        f"{path.name}: a lesson ends with its self-check, the report link and the navigation")
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
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: re-run it with python -m coursetools.run_lessons --store"
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
    first = next(c for c in cells(path) if c["cell_type"] == "code" and "helpers.setup(" in source(c))
    text = "".join("".join(o.get("text", "")) for o in first["outputs"] if o["output_type"] == "stream")
    line = VERSION_LINE.search(text)
    assert line, f"{path.name}: the setup cell's stored output has no version line"
    return dict(part.rsplit(" ", 1) for part in line.group(0).split(", "))


def test_all_lessons_were_stored_under_the_readme_tested_versions():
    """One version set: every lesson's outputs were made by the packages the README's table lists."""
    tested = versions.tested_versions()
    for path in NOTEBOOKS:
        for package, version in stored_versions(path).items():
            want = tested.get(package)
            if want is None:
                continue
            version = version.split("+")[0]
            assert version == want or (package == "Python" and version.startswith(want + ".")), (
                f"{path.name} was stored with {package} {version}, the README's tested versions say {want}: "
                "re-run every lesson with python -m coursetools.run_lessons --store and update the README table together")


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
    folders = ("helpers", "coursetools", "tests", "benchmarks", "experiments")
    files = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for folder in folders for p in (ROOT / folder).rglob("*.py")]
    files += [(f"{p.name} cell {i}", source(c)) for p in NOTEBOOKS for i, c in enumerate(cells(p)) if c["cell_type"] == "code"]
    return files


def test_no_unsafe_loading_anywhere():
    problems = [f"{name}: {what}" for name, text in code_files() for pattern, what in UNSAFE
                if pattern.search(text) and name != "tests/test_repo.py"]
    assert problems == []


PATH_EDIT = re.compile(r"sys\.path\.(?:insert|append)|spec_from_file_location")


def test_code_imports_the_course_packages_without_path_edits():
    """``helpers`` and ``coursetools`` are installed (``pip install -e .``): imported as packages from anywhere."""
    colab = {f"{p.name} cell {i}" for p in NOTEBOOKS for i, c in enumerate(cells(p)) if c.get("id") == "colab-setup"}
    # The one exception: on Colab the kernel that ran `pip install -e` cannot see the new install.
    edits = [name for name, text in code_files() if PATH_EDIT.search(text)
             and name not in {"tests/test_repo.py", "coursetools/launch.py", *colab}]
    assert edits == [], f"{edits} edit sys.path; import helpers.* / coursetools.* instead"


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
    assert pip_lines.index(torch_req) < pip_lines.index("-e .[dev]"), "torch must be installed before the course"
    cpu_index = "--extra-index-url https://download.pytorch.org/whl/cpu"
    assert cpu_index in pip_lines and pip_lines.index(cpu_index) < pip_lines.index(torch_req), (
        "environment.yml must point pip at PyTorch's CPU wheel index before torch: Binder has no GPU, and a plain "
        "`torch` from PyPI pulls the multi-GB CUDA build")
    extra = [line for line in pip_lines if not line.startswith(("-", "torch"))]
    assert not extra, f"environment.yml installs {extra} beside the course: list dependencies in pyproject.toml"


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
    from packaging.requirements import Requirement

    tested = versions.tested_versions()
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



def test_the_readme_repository_layout_matches_the_tree():
    import subprocess

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\s*- `([\w./-]+)/`", section, re.M))
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    top = {path.split("/")[0] for path in tracked if "/" in path and not path.startswith(".")}
    assert top <= listed, f"README's repository layout does not mention {sorted(top - listed)}"
    assert all((ROOT / d).is_dir() for d in listed), f"README lists folders that do not exist: {[d for d in listed if not (ROOT / d).is_dir()]}"
    modules = {path[:-3] for path in tracked if path.endswith(".py") and path.split("/")[0] in {"helpers", "coursetools"}
               and not path.endswith("__init__.py") and "/recipes/" not in path and "/pretrain/" not in path}
    named = set(re.findall(r"`(\w+)`", section))
    unnamed = sorted(m for m in modules if m.rsplit("/", 1)[1] not in named)
    assert not unnamed, f"README's repository layout does not name these modules: {unnamed}"
    pretrain = {Path(p).name for p in tracked if p.startswith("helpers/pretrain/") and p.count("/") == 2
                and not p.endswith("__init__.py") and not p.endswith("__main__.py")}
    assert {f"{m}" for m in pretrain} <= set(re.findall(r"`([\w]+\.py)`", section)), "name every file of helpers/pretrain/"


def test_every_module_of_helpers_and_coursetools_has_its_test_file():
    missing = []
    for path in sorted([*(ROOT / "helpers").rglob("*.py"), *(ROOT / "coursetools").rglob("*.py")]):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] in {"__init__", "__main__"}:
            continue
        if parts[:2] == ("helpers", "pretrain"):
            name = "test_pretrain.py"  # the package: registry, recipes, loop, card, command
        elif parts[:2] == ("helpers", "tasks"):
            name = f"test_tasks_{parts[-1]}.py"
        else:
            name = f"test_{parts[-1]}.py"
        if not (ROOT / "tests" / name).is_file():
            missing.append(f"{'/'.join(parts)}.py -> tests/{name}")
    assert not missing, f"modules without a test file: {missing}"


def _lessons_named(note: str) -> set[str]:
    """``"lessons 01-03, 05 and 08"`` -> {"01", "02", "03", "05", "08"}."""
    out = set()
    for start, end in re.findall(r"\b(\d\d)(?:-(\d\d))?\b", note):
        out.update(f"{n:02d}" for n in range(int(start), int(end or start) + 1))
    return out


def test_the_lessons_a_helper_says_it_is_used_by_are_the_lessons_that_use_it():
    import importlib
    import inspect

    code = {p.name[:2]: "\n".join("".join(c["source"]) for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
                                  if c["cell_type"] == "code") for p in NOTEBOOKS}
    stale = []
    for module in ("helpers.data", "helpers.checkpoints", "helpers.tasks.ner", "helpers.tasks.multilabel",
                   "helpers.tasks.numbers"):
        for name, obj in vars(importlib.import_module(module)).items():
            if not inspect.isfunction(obj) or obj.__module__ != module or name.startswith("_"):
                continue
            note = re.search(r"Used by (lessons? [\d\s,\-and]+)", inspect.getdoc(obj) or "")
            if note:
                said = _lessons_named(note.group(1))
                used = {lesson for lesson, source in code.items() if re.search(rf"\b{name}\b", source)}
                if said != used:
                    stale.append(f"{module}.{name}: docstring says {sorted(said)}, lessons {sorted(used)} use it")
    assert not stale, stale


def test_each_lesson_title_carries_its_file_number():
    """``notebooks/09_multilabel_bert.ipynb`` opens with ``# 09 ...``: a renumbered lesson cannot keep its old title."""
    wrong = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"]).splitlines()[0] if cells and cells[0]["cell_type"] == "markdown" else ""
        if not first.startswith(f"# {path.name[:2]} "):
            wrong.append(f"{path.name}: {first[:40]!r}")
    assert not wrong, f"lesson titles must start with '# NN ' where NN is the file's number: {wrong}"


def test_every_lesson_reference_names_an_existing_lesson():
    """"第 05 课", "lessons 04-10", "notebooks/07_albert_ner": each names a lesson that exists, under its file name."""
    import subprocess

    files = {p.name for p in NOTEBOOKS}
    numbers = {name[:2] for name in files}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    texts = {}
    for path in tracked:
        if path.endswith(".ipynb"):
            texts[path] = "\n".join("".join(c["source"]) for c in json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"])
        elif path.endswith((".md", ".py", ".yml")) and not path.startswith(("experiments/", "tests/")):  # tests name missing files on purpose
            texts[path] = (ROOT / path).read_text(encoding="utf-8")
    bad = []
    for path, text in texts.items():
        for match in re.finditer(r"第\s*(\d\d(?:\s*[、–\-和]\s*\d\d)*)\s*课|\b[Ll]essons?\s+(\d\d(?:\s*(?:,|and|-|–)\s*\d\d)*)", text):
            for number in re.findall(r"\d\d", match.group(1) or match.group(2)):
                if number not in numbers:
                    bad.append(f"{path}: {match.group(0)!r}")
        for match in re.finditer(r"\b(\d\d_[a-z][a-z0-9_]*)\.ipynb|notebooks/(\d\d_[a-z][a-z0-9_]*)", text):
            if f"{match.group(1) or match.group(2)}.ipynb" not in files:
                bad.append(f"{path}: {match.group(0)!r}")
        for match in re.finditer(r"\[(\d\d) [^\]]*\]\((\d\d)_[a-z0-9_]+\.ipynb\)", text):  # [07 ALBERT ...](07_albert_ner.ipynb)
            if match.group(1) != match.group(2):
                bad.append(f"{path}: {match.group(0)!r} (link text says {match.group(1)}, the file is lesson {match.group(2)})")
    assert not bad, f"references to lessons that do not exist: {sorted(set(bad))[:20]}"
