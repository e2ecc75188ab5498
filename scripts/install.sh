#!/usr/bin/env bash
# One-command install of the course into ./.venv (CPU PyTorch first, then the course).
#   bash scripts/install.sh            # course + test tools + book tools
# Environment knobs:
#   PYTHON=python3.11        interpreter used to create the venv (default: python3)
#   TORCH_SPEC="torch==2.13.0"  the PyTorch requirement installed first
#   TORCH_INDEX=<url>        extra index for PyTorch wheels (e.g. PyTorch's CPU-only index on Linux,
#                            so pip does not pull the multi-GB CUDA build)
#   PIP_INDEX_URL=<mirror>   a PyPI mirror, honoured by pip as usual
#   FLOOR=1                  the oldest releases pyproject.toml allows (python -m coursetools.floors):
#                            torch at its floor, every direct dependency pinned at its lower bound
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
start=$(date +%s)
if [ "${FLOOR:-0}" = 1 ]; then
  TORCH_SPEC=$("$PYTHON" -c 'import sys; sys.path.insert(0, "."); from coursetools.floors import main; main(["--torch"])')
  echo "[install] FLOOR=1: the lowest versions pyproject.toml allows ($TORCH_SPEC first)"
fi
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PY=.venv/bin/python
$PY -m pip install --quiet --upgrade pip

# 1. PyTorch first: with a CPU build already installed, no later requirement pulls CUDA wheels.
if ! $PY -c "import torch" 2>/dev/null; then
  echo "[install] $TORCH_SPEC"
  $PY -m pip install --quiet ${TORCH_INDEX:+--extra-index-url "$TORCH_INDEX"} "$TORCH_SPEC"
fi

# 2. The course (helpers package), test tools and book tools. In a fresh venv pip takes the
#    newest releases the ranges in pyproject.toml allow (torch stays the one installed above).
echo "[install] course package with extras [dev]"
if [ "${FLOOR:-0}" = 1 ]; then
  floors=$(mktemp)
  $PY -c 'import sys; sys.path.insert(0, "."); from coursetools.floors import main; main(["-o", sys.argv[1]])' "$floors"
  $PY -m pip install --quiet -e ".[dev]" -c "$floors"
  rm -f "$floors"
else
  $PY -m pip install --quiet -e ".[dev]"
fi

$PY - <<'PY'
import helpers
helpers.setup(quiet=False)
PY
echo "[install] done in $(( $(date +%s) - start )) s. Start the course with: .venv/bin/jupyter lab notebooks/"
