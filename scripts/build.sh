#!/usr/bin/env bash
# Configures and builds dq with the `dev` preset (build/dev).
set -euo pipefail
cd "$(dirname "$0")/.."
# The CLI tests run under the same python3 that setup.sh gave pytest.
cmake --preset dev -DPython3_EXECUTABLE="$(command -v python3)" >/dev/null
cmake --build --preset dev
