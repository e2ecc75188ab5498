#!/usr/bin/env bash
# The lessons as reveal.js slides for instructors (offline: reveal.js and MathJax are served from
# a copy next to the decks, fetched from npm once by web_assets.sh).
#   bash scripts/build_slides.sh            # all lessons -> book/_build/slides/NN_*.slides.html
#   bash scripts/build_slides.sh 03 05      # some lessons
# Open a deck in a browser (or serve the folder: python -m http.server -d book/_build/slides).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || py="$(command -v python3)"
bash "$root/scripts/web_assets.sh"
cd "$root"
"$py" -m coursetools.slides --build "$@"
