"""The lessons as reveal.js slides for instructors, from the same notebooks.

Each cell's ``metadata.slideshow.slide_type`` (what JupyterLab's property inspector and
``nbconvert --to slides`` read) decides where it goes. :func:`slide_type` is the rule that fills it
in: a markdown cell that starts with a ``#`` or ``##`` heading starts a new slide, other markdown a
sub-slide below it, code stays on the slide before it, and what a class does not project is
skipped (the Colab cell, exercise solutions, the self-check, the report link and the navigation).
A value already in a cell is kept, so an instructor can move a cell by hand.

    python -m coursetools.slides --write [NN ...]   # fill in missing slide types (keeps hand-set ones)
    python -m coursetools.slides --check            # exit 1 listing cells without a slide type
    python -m coursetools.slides [--build] [NN ...] [-o DIR]   # decks -> book/_build/slides/

The decks load reveal.js and MathJax from a copy next to them (``scripts/web_assets.sh`` fetches
both from npm once; ``scripts/build_slides.sh`` runs it and this), never from a CDN.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OUT = ROOT / "book" / "_build" / "slides"
ASSETS = {"reveal.js": ROOT / "book" / "_static_slides" / "reveal.js",
          "mathjax": ROOT / "book" / "_static_mathjax" / "_static" / "mathjax"}
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
SKIPPED_IDS = {"colab-setup", "md-selfcheck", "code-selfcheck", "code-report", "md-nav"}

TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
                        processEscapes: true}};
</script>
<script id="MathJax-script" src="_static/mathjax/tex-chtml.js"></script>
<style>
.reveal h1, .reveal h2, .reveal h3, .reveal h4 { text-transform: none !important; }
.reveal .slides section { height: 100%; overflow-y: auto; text-align: left; }
.reveal .jp-RenderedHTMLCommon table { font-size: 0.6em; }
.reveal pre, .reveal .jp-OutputArea-output pre { font-size: 0.5em; }
</style>
{%- endblock html_head_js_mathjax -%}
{% block footer_js %}
<script src="_static/reveal.js/dist/reveal.js"></script>
<script src="_static/reveal.js/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({controls: true, progress: true, hash: true, center: false, transition: "slide",
                   slideNumber: "c/t", width: 1200, height: 800, plugins: [RevealNotes]});
</script>
{% endblock footer_js %}
"""


def slide_type(cell) -> str:
    """Where the rule puts a cell (see the module docstring)."""
    tags = set(cell.get("metadata", {}).get("tags", []))
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    if cell.get("id") in SKIPPED_IDS or tags & {"remove-cell", "solution"}:
        return "skip"
    if cell["cell_type"] == "markdown":
        if "<summary>参考解答" in source:
            return "skip"
        first = source.lstrip().split("\n", 1)[0]
        return "slide" if first.startswith(("# ", "## ")) else "subslide"
    return "-"


def missing(nb) -> list[int]:
    """Indices of the cells that have no (valid) slide type."""
    return [i for i, c in enumerate(nb.cells)
            if c.get("metadata", {}).get("slideshow", {}).get("slide_type") not in SLIDE_TYPES]


def write_types(nb) -> int:
    """Fill in the rule's slide type where a cell has none; returns how many were filled."""
    todo = missing(nb)
    for i in todo:
        nb.cells[i].metadata.setdefault("slideshow", {})["slide_type"] = slide_type(nb.cells[i])
    return len(todo)


def exporter():
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter

    return SlidesExporter(extra_loaders=[DictLoader({"plm_slides.html.j2": TEMPLATE})],
                          template_file="plm_slides.html.j2", reveal_url_prefix="_static/reveal.js",
                          reveal_theme="white", reveal_transition="slide")


def copy_assets(out: Path) -> None:
    for name, src in ASSETS.items():
        if not (src / ".complete").is_file():
            raise FileNotFoundError(f"{src} is missing: run `bash scripts/web_assets.sh` "
                                    f"(fetches MathJax and reveal.js from npm once)")
        dest = out / "_static" / name
        if not (dest / ".complete").is_file() or (dest / ".complete").read_text() != (src / ".complete").read_text():
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(src, dest)


def build(paths: list[Path], out: Path = OUT) -> list[Path]:
    """One deck per notebook in ``out`` (``NN_name.slides.html``), with the web assets beside them."""
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    decks, slides = [], exporter()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if missing(nb):
            raise ValueError(f"{path.name}: cells {missing(nb)[:10]} have no slide type; "
                             f"run `python -m coursetools.slides --write {path.name[:2]}`")
        body, _ = slides.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    return decks


def pick(numbers: list[str]) -> list[Path]:
    if not numbers:
        return NOTEBOOKS
    chosen = [p for p in NOTEBOOKS if p.name[:2] in numbers]
    unknown = sorted(set(numbers) - {p.name[:2] for p in chosen})
    if unknown:
        raise SystemExit(f"no lesson {', '.join(unknown)}; lessons are {', '.join(p.name[:2] for p in NOTEBOOKS)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="fill in missing slide types by the rule")
    mode.add_argument("--check", action="store_true", help="exit 1 if a cell has no slide type")
    mode.add_argument("--build", action="store_true", help="build the decks (the default)")
    ap.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 03 05 (default: all)")
    ap.add_argument("-o", "--out", type=Path, default=OUT, help=f"where the decks go (default {OUT.relative_to(ROOT)})")
    args = ap.parse_args(argv)
    paths = pick(args.lessons)
    if args.write:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            if write_types(nb):
                nbformat.write(nb, path)
                print(f"{path.name}: slide types filled in")
        return 0
    if args.check:
        bad = [f"{p.name}: cells {missing(nbformat.read(p, as_version=4))[:10]}" for p in paths
               if missing(nbformat.read(p, as_version=4))]
        for line in bad:
            print(line)
        if bad:
            print("run `python -m coursetools.slides --write`", file=sys.stderr)
        return 1 if bad else 0
    start = time.time()
    try:
        decks = build(paths, args.out)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(decks)} decks in {args.out} ({time.time() - start:.1f} s); open one in a browser, e.g. {decks[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
