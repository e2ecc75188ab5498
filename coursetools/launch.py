"""Launch links from one setting: the repository named in ``pyproject.toml``.

``pyproject.toml`` holds the course's public repository (``[project.urls] Repository``) and its
branch (``[tool.plm-course] branch``). This command copies them to every place that needs them:

* the first code cell of every lesson (id ``colab-setup``): on Google Colab it clones the course
  and installs it beside Colab's own PyTorch; anywhere else it does nothing;
* ``book/_config.yml`` (``repository.url`` / ``branch``: the book's launch, repository and issue
  buttons);
* the README's launch links (Colab, Binder, a JupyterHub with nbgitpuller).

``python -m coursetools.launch`` checks that they agree (exit 1 listing what differs);
``python -m coursetools.launch --write`` makes them agree. A fork changes the two settings in
``pyproject.toml`` and runs ``--write``. ``tests/test_launch.py`` runs the check and simulates Colab.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.parse
from pathlib import Path

import nbformat

from helpers.selfcheck import repository

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BOOK_CONFIG = ROOT / "book" / "_config.yml"
README = ROOT / "README.md"
CELL_ID = "colab-setup"
README_BLOCK = re.compile(r"(<!-- launch-links -->\n).*?(<!-- /launch-links -->)", re.S)

COLAB_CELL = '''\
# Google Colab only: fetch the course and install it beside Colab's own PyTorch.
# Anywhere else this cell does nothing. (Written by `python -m coursetools.launch --write`.)
import os
import sys

if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:
    import importlib
    import importlib.metadata
    import pathlib
    import subprocess
    import tempfile

    repo = os.environ.get("PLM_COURSE_REPO", "{url}")
    course = pathlib.Path(os.environ.get("PLM_COURSE_DIR", "/content/plm-course"))
    if not (course / ".git").is_dir():
        subprocess.run(["git", "clone", "--quiet", "--depth=1", "--branch", "{branch}", repo, str(course)], check=True)
    keep_torch = pathlib.Path(tempfile.gettempdir()) / "plm-course-keep-torch.txt"
    keep_torch.write_text(f"torch=={{importlib.metadata.version('torch')}}\\n")  # pip may keep it, never replace it
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-c", str(keep_torch), "-e", str(course)],
                   check=True)
    sys.path.insert(0, str(course))  # a running kernel does not see a new editable install
    importlib.invalidate_caches()
    os.chdir(course / "notebooks")
    print(f"course installed from {{repo}} into {{course}}")
'''


def colab_cell_source(url: str, branch: str) -> str:
    return COLAB_CELL.format(url=url, branch=branch).rstrip("\n")


def colab_url(url: str, branch: str, notebook: str) -> str:
    return f"https://colab.research.google.com/github/{_owner_name(url)}/blob/{branch}/notebooks/{notebook}"


def binder_url(url: str, branch: str, notebook: str) -> str:
    return f"https://mybinder.org/v2/gh/{_owner_name(url)}/{branch}?urlpath=lab/tree/notebooks/{notebook}"


def nbgitpuller_url(url: str, branch: str, notebook: str, hub: str = "https://YOUR-HUB") -> str:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    query = urllib.parse.urlencode({"repo": url, "branch": branch, "urlpath": f"lab/tree/{name}/notebooks/{notebook}"})
    return f"{hub}/hub/user-redirect/git-pull?{query}"


def _owner_name(url: str) -> str:
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?/?", url)
    if not match:
        raise ValueError(f"[project.urls] Repository in pyproject.toml must be https://github.com/OWNER/NAME "
                         f"(Colab and Binder open GitHub repositories), got {url!r}")
    return match.group(1)


def readme_block(url: str, branch: str) -> str:
    first = NOTEBOOKS[0].name
    return (f"- **Google Colab**: [open lesson 00 in Colab]({colab_url(url, branch, first)}); any lesson: "
            f"`https://colab.research.google.com/github/{_owner_name(url)}/blob/{branch}/notebooks/NN_name.ipynb`.\n"
            f"- **Binder**: [launch the course on mybinder.org]({binder_url(url, branch, first)}) "
            f"(builds `environment.yml`: CPU PyTorch, then the course).\n"
            f"- **JupyterHub** with nbgitpuller (replace `https://YOUR-HUB` with the hub's address): "
            f"`{nbgitpuller_url(url, branch, first)}`\n")


def book_config(text: str, url: str, branch: str) -> str:
    text = re.sub(r"(?m)^(repository:\n(?:  .*\n|\s*\n)*?  url: ).*$", lambda m: m.group(1) + url, text, count=1)
    return re.sub(r"(?m)^(repository:\n(?:  .*\n|\s*\n)*?  branch: ).*$", lambda m: m.group(1) + branch, text, count=1)


def problems(write: bool = False) -> list[str]:
    """What disagrees with pyproject.toml (fixed in place when ``write``)."""
    url, branch = repository()
    _owner_name(url)
    found = []
    source = colab_cell_source(url, branch)
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        cell = code[0] if code and code[0].get("id") == CELL_ID else None
        if cell is not None and cell.source == source:
            continue
        found.append(f"{path.name}: the first code cell is not the Colab cell for {url} ({branch})")
        if write:
            if cell is None:
                cell = nbformat.v4.new_code_cell(source, id=CELL_ID)
                nb.cells.insert(nb.cells.index(code[0]) if code else len(nb.cells), cell)
            cell.source = source
            cell.metadata = {"tags": ["remove-cell"], "jupyter": {"source_hidden": True},
                             "slideshow": {"slide_type": "skip"}}
            cell.outputs, cell.execution_count = [], None
            nbformat.write(nb, path)
    text = BOOK_CONFIG.read_text(encoding="utf-8")
    if book_config(text, url, branch) != text:
        found.append(f"book/_config.yml: repository url/branch are not {url} / {branch}")
        if write:
            BOOK_CONFIG.write_text(book_config(text, url, branch), encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    if not README_BLOCK.search(readme):
        found.append("README.md lacks the <!-- launch-links --> ... <!-- /launch-links --> block")
    else:
        new = README_BLOCK.sub(lambda m: m.group(1) + readme_block(url, branch) + m.group(2), readme)
        if new != readme:
            found.append("README.md: the launch links do not point at the repository in pyproject.toml")
            if write:
                README.write_text(new, encoding="utf-8")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="make the lessons, book config and README agree")
    args = ap.parse_args(argv)
    found = problems(write=args.write)
    for line in found:
        print(("fixed: " if args.write else "") + line)
    if found and not args.write:
        print("run `python -m coursetools.launch --write` to copy the repository from pyproject.toml", file=sys.stderr)
        return 1
    url, branch = repository()
    print(f"launch links: {url} ({branch}), {len(NOTEBOOKS)} lessons" + (" — all agree" if not found else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
