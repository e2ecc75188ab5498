"""coursetools.launch: one repository setting, the Colab cell, and Colab simulated offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import urllib.parse
from pathlib import Path

import nbformat
import pytest
import yaml

from coursetools import launch
from helpers.selfcheck import repository

ROOT = launch.ROOT


def test_lessons_book_and_readme_agree_with_pyproject():
    assert launch.problems() == [], "run `python -m coursetools.launch --write`"


def test_every_lesson_starts_with_the_colab_cell_hidden_in_the_book():
    url, branch = repository()
    for path in launch.NOTEBOOKS:
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert code[0].get("id") == launch.CELL_ID, path.name
        assert url in code[0].source and f'"{branch}"' in code[0].source
        assert "remove-cell" in code[0].metadata["tags"] and code[0].metadata["jupyter"]["source_hidden"]
        assert code[0].outputs == [], f"{path.name}: outside Colab the cell prints nothing"
        assert "helpers.setup(" in code[1].source


def test_a_changed_repository_reaches_the_book_config_and_the_links():
    text = launch.BOOK_CONFIG.read_text(encoding="utf-8")
    new = yaml.safe_load(launch.book_config(text, "https://github.com/someone/fork", "dev"))["repository"]
    assert new["url"] == "https://github.com/someone/fork" and new["branch"] == "dev"
    assert yaml.safe_load(text)["repository"]["url"] == repository()[0]
    assert launch.colab_url("https://github.com/someone/fork", "dev", "03_x.ipynb") == (
        "https://colab.research.google.com/github/someone/fork/blob/dev/notebooks/03_x.ipynb")
    hub = urllib.parse.urlparse(launch.nbgitpuller_url("https://github.com/someone/fork", "dev", "03_x.ipynb"))
    assert urllib.parse.parse_qs(hub.query) == {"repo": ["https://github.com/someone/fork"], "branch": ["dev"],
                                                "urlpath": ["lab/tree/fork/notebooks/03_x.ipynb"]}
    source = launch.colab_cell_source("https://github.com/someone/fork", "dev")
    assert '"https://github.com/someone/fork"' in source and '"--branch", "dev"' in source
    compile(source, "colab-cell", "exec")


def test_a_repository_that_colab_cannot_open_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="github.com/OWNER/NAME"):
        launch.colab_url("https://gitlab.com/a/b", "main", "00_overview.ipynb")


def _colab_cell() -> str:
    return next(c.source for c in nbformat.read(launch.NOTEBOOKS[0], as_version=4).cells if c.get("id") == launch.CELL_ID)


def test_outside_colab_the_cell_does_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("COLAB_RELEASE_TAG", "PLM_COURSE_REPO")}
    code = _colab_cell() + "\nimport os; print(os.getcwd()); print('google.colab' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(tmp_path), "False"] and out.stderr == ""


def test_colab_simulated_offline_installs_the_course_and_keeps_its_torch(tmp_path):
    """A fresh Colab-like Python: the cell must fetch the repository, install it with pip (no index:
    every dependency is already there, as on Colab), import ``helpers`` from the clone, end in its
    ``notebooks/`` and leave torch exactly as it was."""
    # "Colab's" Python: a new venv that sees this environment's packages through a .pth line,
    # pip and setuptools included (a Python 3.11 venv would bring setuptools 65, too old to read
    # pyproject.toml, and offline pip cannot fetch a newer one for build isolation as Colab does),
    # but not the course itself (the editable finder of this checkout lives in a .pth file that a
    # path added this way does not process).
    venv = tmp_path / "colab-python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "course-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    # The "GitHub repository": this checkout's committed tree, on the branch pyproject.toml names.
    url, branch = repository()
    remote = tmp_path / "remote"
    subprocess.run(["git", "clone", "--quiet", "--depth=1", f"file://{ROOT}", str(remote)], check=True)
    subprocess.run(["git", "-C", str(remote), "checkout", "--quiet", "-B", branch], check=True)
    course = tmp_path / "content" / "plm-course"

    import torch

    check = (_colab_cell() + "\nimport helpers, torch, json\nhelpers.setup(quiet=True)\n"
             "print(json.dumps({'helpers': helpers.__file__, 'cwd': os.getcwd(), 'torch': torch.__version__, "
             "'torch_file': torch.__file__}))")
    env = {**os.environ, "COLAB_RELEASE_TAG": "simulated", "PLM_COURSE_REPO": f"file://{remote}",
           "PLM_COURSE_DIR": str(course), "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)
    out = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert f"course installed from file://{remote}" in out.stdout
    assert Path(report["helpers"]).resolve() == (course / "helpers" / "__init__.py").resolve()
    assert Path(report["cwd"]).resolve() == (course / "notebooks").resolve()
    assert (report["torch"], report["torch_file"]) == (torch.__version__, torch.__file__), "the cell replaced torch"
    assert not list(Path(site).glob("torch-*.dist-info")), "pip installed a second torch"
    # Run again (a second lesson in the same Colab session): the clone is reused.
    again = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-3000:]
