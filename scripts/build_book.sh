#!/usr/bin/env bash
# Build the course book (Jupyter Book 1.x, HTML) offline from the notebooks'
# stored outputs.
#
#   bash scripts/build_book.sh            # builds book/ -> book/_build/html
#   bash scripts/build_book.sh -W --keep-going   # extra args go to jupyter-book
#   BOOK_DIR=/some/book bash scripts/build_book.sh
#
# Uses the repository's .venv when there is one, else the python on PATH.
# MathJax 3 comes from npm (scripts/web_assets.sh), installed once into the
# git-ignored book/_static_mathjax/ and served by the book itself: no CDN.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
book="${BOOK_DIR:-$root/book}"
start=$(date +%s.%N)

if [[ -x "$root/.venv/bin/python" ]]; then
    py="$root/.venv/bin/python"
else
    py="$(command -v python3 || command -v python)"
fi
if ! "$py" -c "import jupyter_book" 2>/dev/null; then
    echo "error: jupyter-book is not installed for $py (pip install -e '.[book]')" >&2
    exit 1
fi

# --- local MathJax ----------------------------------------------------------
# html_extra_path copies book/_static_mathjax/* into the HTML root, so it ends
# up as _build/html/_static/mathjax/tex-chtml.js (see mathjax_path). Fetched
# once from npm by web_assets.sh (with reveal.js for the slides).
bash "$root/scripts/web_assets.sh"

# The lessons live in ../notebooks; book/notebooks is a committed symlink to it.
# Where the symlink is not one (a Windows clone without core.symlinks: a small
# text file), the book is built from a staged copy of book/ with the lessons
# copied in, and the HTML is moved back to book/_build.
stage=""
if [[ ! -d "$book/notebooks" ]]; then
    stage="$root/.book-stage"
    echo "== $book/notebooks is not a working symlink: building from a copy in ${stage#"$root"/}"
    rm -rf "$stage"
    mkdir -p "$stage"
    (cd "$book" && find . -mindepth 1 -maxdepth 1 ! -name notebooks ! -name _build -exec cp -r {} "$stage/" \;)
    cp -r "$root/notebooks" "$stage/notebooks"
fi

# --- build ------------------------------------------------------------------
echo "== jupyter-book build ${book#"$root"/} ($("$py" -c 'import jupyter_book; print(jupyter_book.__version__)'))"
"$py" -c 'import sys; from jupyter_book.cli.main import main; sys.exit(main())' \
    build "${stage:-$book}" "$@"
if [[ -n "$stage" ]]; then
    rm -rf "$book/_build"
    mv "$stage/_build" "$book/_build"
    rm -rf "$stage"
fi

index="$book/_build/html/index.html"
[[ -f "$index" ]] || { echo "error: $index was not written" >&2; exit 1; }
end=$(date +%s.%N)
echo "== HTML: $index"
echo "== build time: $("$py" -c "print(f'{$end - $start:.1f}')") s"
