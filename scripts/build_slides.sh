#!/usr/bin/env bash
# The lessons as reveal.js slides for instructors, offline: reveal.js and MathJax are served from a
# copy next to the decks (fetched from npm once by scripts/web_assets.sh), nothing from a CDN.
#
#   bash scripts/build_slides.sh              # all lessons -> book/_build/slides/NN_*.slides.html
#   bash scripts/build_slides.sh 03 05        # some lessons
#   bash scripts/build_slides.sh 03 -o /tmp/decks
#
# Which cell goes on which slide is each cell's metadata.slideshow.slide_type:
# `python -m coursetools.slides --write` fills in the missing ones, `--check` lists them.
# Uses the repository's .venv when there is one, else the python on PATH.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -x "$root/.venv/bin/python" ]]; then
    py="$root/.venv/bin/python"
else
    py="$(command -v python3 || command -v python)"
fi

bash "$root/scripts/web_assets.sh"
cd "$root"
"$py" -m coursetools.slides --build "$@"

out="$root/book/_build/slides"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        -o|--out) out="${args[i+1]:-$out}" ;;
        --out=*) out="${args[i]#--out=}" ;;
    esac
done
echo "== slides: $out/NN_*.slides.html (open one in a browser, or: $py -m http.server -d $out)"
