#!/usr/bin/env bash
# One-command install of the course into ./.venv (CPU PyTorch first, then the course).
#   bash scripts/install.sh            # course + test tools + book tools
# Environment knobs:
#   PYTHON=python3.11        interpreter used to create the venv (default: python3)
#   TORCH_SPEC="torch==2.13.0"  the PyTorch requirement installed first
#   TORCH_INDEX=<url>        extra index for PyTorch wheels (e.g. PyTorch's CPU-only index on Linux,
#                            so pip does not pull the multi-GB CUDA build)
#   PIP_INDEX_URL=<mirror>   a PyPI mirror, honoured by pip as usual
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
start=$(date +%s)

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
$PY -m pip install --quiet -e ".[dev]"

$PY - <<'PY'
import helpers
helpers.setup(quiet=False)
PY
echo "[install] done in $(( $(date +%s) - start )) s. Start the course with: .venv/bin/jupyter lab notebooks/"
