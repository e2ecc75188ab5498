#!/usr/bin/env bash
# Fetch the JavaScript the book and the slides serve themselves (no CDN), once, from npm:
#   MathJax 3 (es5 build) -> book/_static_mathjax/_static/mathjax/   (the book copies it into _static/)
#   reveal.js 5           -> book/_static_slides/reveal.js/          (build_slides.sh copies it next to the decks)
# Both folders are git-ignored. A `.complete` marker is written last, so an interrupted fetch is
# redone; each package is moved into place in one step, never half-copied.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mathjax_version="3.2.2"
reveal_version="5.2.1"

fetch() {  # fetch NPM_PACKAGE VERSION SUBDIR TARGET: node_modules/NPM_PACKAGE/SUBDIR becomes TARGET
    local package=$1 version=$2 subdir=$3 target=$4
    if [[ -f "$target/.complete" ]] && grep -qx "$package@$version" "$target/.complete"; then
        return 0
    fi
    echo "== fetching $package@$version from npm into ${target#"$root"/}"
    command -v npm >/dev/null || { echo "error: npm is needed once to fetch $package (apt-get install npm)" >&2; exit 1; }
    mkdir -p "$(dirname "$target")"
    local tmp
    tmp="$(mktemp -d "$(dirname "$target")/.npm.XXXXXX")"   # same file system: mv is atomic
    trap "rm -rf '$tmp'" EXIT
    npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "$package@$version" >&2
    local src="$tmp/node_modules/$package/$subdir"
    src="${src%/.}"
    cp "$tmp/node_modules/$package/LICENSE" "$src/LICENSE" 2>/dev/null || true
    echo "$package@$version" > "$src/.complete"
    rm -rf "$target"
    mv "$src" "$target"
    rm -rf "$tmp"
    trap - EXIT
}

fetch mathjax "$mathjax_version" es5 "$root/book/_static_mathjax/_static/mathjax"
fetch reveal.js "$reveal_version" . "$root/book/_static_slides/reveal.js"
