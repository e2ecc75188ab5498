"""The lessons as reveal.js slides for instructors, built from the same notebooks.

Each cell's ``metadata.slideshow.slide_type`` (what JupyterLab's property inspector and
``jupyter nbconvert --to slides`` read) says where it goes. :func:`slide_type` is the rule that fills
it in:

* a Markdown cell whose first line is a ``#`` or ``##`` heading starts a new slide (``slide``);
* any other Markdown cell is a sub-slide below it (``subslide``);
* a code cell stays on the slide before it, input and outputs, no fragment step (``-``);
* what a class does not project is ``skip``: the Colab setup cell and anything tagged
  ``remove-cell``, exercise solutions (tagged ``solution`` / ``hide-cell``, collapsed code, the
  ``<details>`` explanation after them) and the lesson's closing cells (ids ``md-selfcheck``,
  ``code-selfcheck``, ``code-report``, ``md-nav``).

A value already in a cell is kept, so an instructor can move a cell by hand in JupyterLab.

    python -m coursetools.slides --write [NN ...]     # fill in missing slide types (keeps hand-set ones)
    python -m coursetools.slides --check [NN ...]     # exit 1 listing the cells without a slide type
    python -m coursetools.slides [--build] [NN ...] [-o DIR]   # decks -> book/_build/slides/

The decks load reveal.js and MathJax 3 from a copy in ``DIR/_static/`` (``scripts/web_assets.sh``
fetches both from npm once; ``scripts/build_slides.sh`` runs it and then this), never from a CDN:
nbconvert's reveal template would load reveal.js from unpkg, MathJax 2 from cdnjs and
jQuery / RequireJS / mermaid from other CDNs; :data:`TEMPLATE` replaces those blocks.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
OUT = ROOT / "book" / "_build" / "slides"
# scripts/web_assets.sh puts them here (git-ignored) and writes `.complete` (package@version) last.
ASSETS = {
    "reveal.js": ROOT / "book" / "_static_slides" / "reveal.js",
    "mathjax": ROOT / "book" / "_static_mathjax" / "_static" / "mathjax",
}
FETCH = "bash scripts/web_assets.sh"

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
SKIPPED_IDS = {"md-selfcheck", "code-selfcheck", "code-report", "md-nav"}
SKIPPED_TAGS = {"remove-cell", "remove_cell", "solution", "solutions", "hide-cell", "hide_cell"}
HEADING = re.compile(r"#{1,2}(?:[ \t]|$)")  # `# Title`, `## 1. Section`; not `###`

TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{#- The course's deck: nbconvert's reveal template with every CDN script replaced by the
    local copies in _static/ (coursetools/slides.py copies them next to the decks). -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']],
        processEscapes: true, processEnvironments: true},
  chtml: {displayAlign: 'center'}
};
</script>
<script id="MathJax-script" defer src="_static/mathjax/tex-chtml.js"></script>
<style>
.reveal h1, .reveal h2, .reveal h3, .reveal h4, .reveal h5, .reveal h6 { text-transform: none !important; }
.reveal h1 { font-size: 1.8em; } .reveal h2 { font-size: 1.4em; } .reveal h3 { font-size: 1.15em; }
.reveal .slides section { height: 100%; overflow-y: auto; text-align: left; }
.reveal .slides section > section { padding: 0 0.5em; }
.reveal .jp-RenderedHTMLCommon table { font-size: 0.6em; }
:root { --jp-code-font-size: 16px; --jp-cell-prompt-width: 80px; }
.reveal .jp-OutputArea-output pre { font-size: 15px; line-height: 1.3; }
.reveal .jp-OutputArea-output img { max-height: 520px; }
</style>
{%- endblock html_head_js_mathjax -%}
{#- Pygments' own HTML needs no bleach pass (the stock block runs one on every code cell). -#}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
{% block footer_js %}
<script src="_static/reveal.js/dist/reveal.js"></script>
<script src="_static/reveal.js/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, hash: true, center: false,
  transition: "{{ reveal_transition }}", slideNumber: "c/t",
  width: 1280, height: 800, margin: 0.04, plugins: [RevealNotes]
});
</script>
{% endblock footer_js %}
"""


# --- the rule -----------------------------------------------------------------------------------

def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def is_skipped(cell) -> bool:
    """Whether the rule leaves ``cell`` out of the deck (see the module docstring)."""
    meta = cell.get("metadata", {})
    if cell.get("id") in SKIPPED_IDS or SKIPPED_TAGS & set(meta.get("tags", [])):
        return True
    if cell.get("cell_type") == "code":
        hidden = meta.get("jupyter", {})
        return bool(hidden.get("source_hidden") and hidden.get("outputs_hidden"))  # a collapsed solution
    if cell.get("cell_type") == "markdown":
        return _source(cell).lstrip().startswith("<details")  # a solution's explanation, collapsed
    return False


def slide_type(cell) -> str:
    """The slide type the rule gives ``cell``: ``slide``, ``subslide``, ``-`` or ``skip``."""
    if is_skipped(cell) or cell.get("cell_type") == "raw":
        return "skip"
    if cell.get("cell_type") == "markdown":
        first = _source(cell).lstrip("\n").split("\n", 1)[0]
        return "slide" if HEADING.match(first) else "subslide"
    return "-"


def current(cell) -> str | None:
    """The slide type stored in ``cell`` (None when it has none, or not a valid one)."""
    value = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
    return value if value in SLIDE_TYPES else None


def missing(nb) -> list[int]:
    """Indices of the cells that have no (valid) slide type."""
    return [i for i, cell in enumerate(nb.cells) if current(cell) is None]


def write_types(nb) -> int:
    """Give every cell without a slide type the rule's; hand-set ones are kept. Returns how many."""
    todo = missing(nb)
    for i in todo:
        cell = nb.cells[i]
        cell.setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = slide_type(cell)
    return len(todo)


def apply_rule(nb, keep: bool = True):
    """``nb`` with the rule's slide types; ``keep=False`` also replaces the hand-set ones."""
    if not keep:
        for cell in nb.cells:
            cell.get("metadata", {}).pop("slideshow", None)
    write_types(nb)
    return nb


# --- the decks ----------------------------------------------------------------------------------

def _exporter_class():
    from nbconvert import SlidesExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class CourseSlides(SlidesExporter):
        """nbconvert's SlidesExporter without HTMLExporter's final BeautifulSoup pass (alt texts and
        tabindex attributes: 10 of the 22 s that the 13 decks took; together with the bleach pass on
        code input that :data:`TEMPLATE` drops, 4 s instead of 22 s)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            try:
                from nbconvert.filters.highlight import Highlight2HTML
                from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
                metadata = self._nb_metadata
            except (ImportError, AttributeError):  # another nbconvert: its own (slower) path
                return super().from_notebook_node(nb, resources, **kw)
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name"))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            html = re.sub(r"<img (?![^>]*\balt=)", '<img alt="" ', html)
            return html, resources

    return CourseSlides


def exporter():
    """The SlidesExporter that writes the course's decks (local reveal.js and MathJax, white theme)."""
    from jinja2 import DictLoader

    return _exporter_class()(
        extra_loaders=[DictLoader({"course_slides.html.j2": TEMPLATE})],
        template_file="course_slides.html.j2",
        reveal_url_prefix="_static/reveal.js", reveal_theme="white", reveal_transition="slide",
        exclude_input=False, exclude_output=False)


def check_assets() -> None:
    """Raise FileNotFoundError (saying how to fetch them) unless reveal.js and MathJax are here."""
    absent = [f"{name} ({path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})"
              for name, path in ASSETS.items() if not (path / ".complete").is_file()]
    if absent:
        raise FileNotFoundError(f"web assets missing: {', '.join(absent)}; run `{FETCH}` "
                                "(fetches MathJax and reveal.js from npm once)")


def copy_assets(out: Path) -> None:
    """Put reveal.js and MathJax in ``out/_static/`` (again only when the fetched version changed)."""
    check_assets()
    static = out / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for name, src in ASSETS.items():
        dest, marker = static / name, (src / ".complete").read_text()
        if (dest / ".complete").is_file() and (dest / ".complete").read_text() == marker:
            continue
        tmp = static / f".{name}.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp, ignore=shutil.ignore_patterns(".complete", "*.map", "node_modules"))
        shutil.copy2(src / ".complete", tmp / ".complete")  # last: a half-copied folder is redone
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)


def build(paths: list[Path], out: Path = OUT, log=print) -> list[Path]:
    """One deck per notebook, ``out/NN_name.slides.html``, with the web assets beside them.

    Cells without a slide type get the rule's in the deck (the notebook is not changed; ``--write``
    stores them)."""
    copy_assets(out)
    slides, decks = exporter(), []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if write_types(nb) and log:
            log(f"note: {path.name}: cells without a slide type follow the rule "
                f"(`python -m coursetools.slides --write {path.name[:2]}` stores it)")
        body, _ = slides.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    return decks


# --- command line -------------------------------------------------------------------------------

def pick(lessons: list[str], notebooks: list[Path] | None = None) -> list[Path]:
    """The lesson notebooks named by number (``3``, ``03``), file name or path; all when none."""
    notebooks = NOTEBOOKS if notebooks is None else notebooks
    if not lessons:
        return list(notebooks)
    chosen, unknown = [], []
    for name in lessons:
        if name.endswith(".ipynb") and Path(name).is_file():  # any notebook, by its path
            chosen.append(Path(name))
            continue
        key = Path(name).name
        key = f"{int(key):02d}" if key.isdigit() else key
        match = [p for p in notebooks if p.name[:2] == key or p.name == key or p.stem == key]
        (chosen.extend(m for m in match if m not in chosen) if match else unknown.append(name))
    if unknown:
        raise SystemExit(f"no lesson {', '.join(unknown)}; the lessons are "
                         f"{' '.join(p.name[:2] for p in notebooks)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m coursetools.slides",
                                 description="Slide types in the lessons and their reveal.js decks.")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="fill in missing slide types by the rule")
    mode.add_argument("--check", action="store_true", help="exit 1 if a cell has no slide type")
    mode.add_argument("--build", action="store_true", help="build the decks (the default)")
    ap.add_argument("lessons", nargs="*", help="lesson numbers, e.g. 03 5, or notebook paths (default: all lessons)")
    ap.add_argument("-o", "--out", type=Path, default=OUT,
                    help="where the decks go (default: book/_build/slides)")
    args = ap.parse_args(argv)
    paths = pick(args.lessons)

    if args.write:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            n = write_types(nb)
            if n:
                nbformat.write(nb, path)
            print(f"{path.name}: {n} slide type(s) filled in" if n else f"{path.name}: complete")
        return 0

    if args.check:
        bad = 0
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            for i in missing(nb):
                cell = nb.cells[i]
                first = _source(cell).strip().split("\n", 1)[0][:60]
                print(f"{path.name}: cell {i} (id {cell.get('id', '?')}, {cell.cell_type}) has no slide type "
                      f"(the rule: {slide_type(cell)}): {first}")
                bad += 1
        if bad:
            print(f"{bad} cell(s) without a slide type: run `python -m coursetools.slides --write`",
                  file=sys.stderr)
            return 1
        print(f"slide types complete in {len(paths)} notebook(s)")
        return 0

    start = time.perf_counter()
    try:
        decks = build(paths, args.out)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(decks)} deck(s) in {args.out} ({time.perf_counter() - start:.1f} s), e.g. {decks[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
