#!/usr/bin/env bash
# Build the course book (Jupyter Book 1.x, HTML) offline from the notebooks'
# stored outputs.
#
#   bash scripts/build_book.sh            # builds book/ -> book/_build/html
#   bash scripts/build_book.sh -W --keep-going   # extra args go to jupyter-book
#   BOOK_DIR=/some/book bash scripts/build_book.sh
#
# Uses the repository's .venv when there is one, else the python on PATH.
# MathJax 3 comes from npm (`mathjax@3`, es5 build), installed once into the
# git-ignored book/_static_mathjax/ and served by the book itself: no CDN.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
book="${BOOK_DIR:-$root/book}"
mathjax_version="3.2.2"
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

# The lessons live in ../notebooks; book/notebooks is a committed symlink to it.
if [[ ! -d "$book/notebooks" ]]; then
    echo "error: $book/notebooks is not a directory: it must be the symlink 'notebooks -> ../notebooks'" \
         "(on Windows: git config core.symlinks true, then check out again)" >&2
    exit 1
fi

# --- local MathJax --------------------------------------------------------
# html_extra_path copies book/_static_mathjax/* into the HTML root, so this
# ends up as _build/html/_static/mathjax/tex-chtml.js (see mathjax_path).
mj="$book/_static_mathjax/_static/mathjax"
if [[ ! -f "$mj/tex-chtml.js" ]]; then
    echo "== installing MathJax $mathjax_version from npm into ${mj#"$root"/}"
    command -v npm >/dev/null || { echo "error: npm is needed once to fetch MathJax" >&2; exit 1; }
    mkdir -p "$(dirname "$mj")"
    tmp="$(mktemp -d "$(dirname "$mj")/.npm.XXXXXX")"   # same file system: mv is atomic
    trap 'rm -rf "$tmp"' EXIT
    npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund \
        --loglevel=error "mathjax@$mathjax_version" >&2
    cp "$tmp/node_modules/mathjax/LICENSE" "$tmp/node_modules/mathjax/es5/LICENSE"
    rm -rf "$mj"
    mv "$tmp/node_modules/mathjax/es5" "$mj"    # all at once: never a half-copied MathJax
    rm -rf "$tmp"
    trap - EXIT
fi

# --- build ------------------------------------------------------------------
echo "== jupyter-book build ${book#"$root"/} ($("$py" -c 'import jupyter_book; print(jupyter_book.__version__)'))"
"$py" -c 'import sys; from jupyter_book.cli.main import main; sys.exit(main())' \
    build "$book" "$@"

index="$book/_build/html/index.html"
[[ -f "$index" ]] || { echo "error: $index was not written" >&2; exit 1; }
end=$(date +%s.%N)
echo "== HTML: $index"
echo "== build time: $("$py" -c "print(f'{$end - $start:.1f}')") s"
