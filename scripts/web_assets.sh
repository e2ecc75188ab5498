#!/usr/bin/env bash
# Fetch, once, the JavaScript that the book and the slides serve themselves (no CDN), from npm:
#   MathJax 3.2.2 (es5 build) -> book/_static_mathjax/_static/mathjax/  (the book copies it to _static/mathjax)
#   reveal.js 5.2.1           -> book/_static_slides/reveal.js/         (coursetools.slides copies it next to the decks)
# Both folders are git-ignored. Each package is unpacked into a temporary folder beside its target,
# gets its `.complete` marker (package@version) there, and is then moved into place in one rename,
# so an interrupted fetch leaves no half folder and is simply redone. A target whose marker names
# the wanted version is left alone: running this again costs nothing.
#
#   bash scripts/web_assets.sh            # needs npm (and the npm registry) only the first time
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mathjax_version="3.2.2"
reveal_version="5.2.1"
tmp=""
trap '[[ -z "$tmp" ]] || rm -rf "$tmp"' EXIT

fetch() {  # fetch NPM_PACKAGE VERSION SUBDIR TARGET: node_modules/NPM_PACKAGE/SUBDIR becomes TARGET
    local package=$1 version=$2 subdir=$3 target=$4
    if [[ -f "$target/.complete" ]] && [[ "$(cat "$target/.complete")" == "$package@$version" ]]; then
        return 0
    fi
    echo "== fetching $package@$version from npm into ${target#"$root"/}"
    command -v npm >/dev/null || {
        echo "error: npm is needed once to fetch $package@$version (e.g. apt-get install npm)" >&2; exit 1; }
    local parent
    parent="$(dirname "$target")"
    mkdir -p "$parent"
    rm -rf "$parent"/.npm.* "$target".old   # leftovers of an earlier, killed fetch
    tmp="$(mktemp -d "$parent/.npm.XXXXXX")"   # same file system as the target: mv is a rename
    npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
        "$package@$version" >&2
    local pkg="$tmp/node_modules/$package" src
    src="$pkg/$subdir"
    src="${src%/.}"
    [[ -d "$src" ]] || { echo "error: $package@$version has no $subdir/" >&2; exit 1; }
    [[ -f "$pkg/LICENSE" && ! -f "$src/LICENSE" ]] && cp "$pkg/LICENSE" "$src/LICENSE"
    echo "$package@$version" > "$src/.complete"
    [[ ! -e "$target" ]] || mv "$target" "$target.old"
    mv "$src" "$target"
    rm -rf "$target.old" "$tmp"
    tmp=""
}

fetch mathjax "$mathjax_version" es5 "$root/book/_static_mathjax/_static/mathjax"
fetch reveal.js "$reveal_version" . "$root/book/_static_slides/reveal.js"
