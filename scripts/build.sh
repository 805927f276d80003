#!/usr/bin/env bash
# Configures and builds dq with the `dev` preset (build/dev).
set -euo pipefail
cd "$(dirname "$0")/.."
# The Python tests run under the virtual environment setup.sh made.
cmake --preset dev -DPython3_EXECUTABLE="$PWD/build/venv/bin/python3" >/dev/null
cmake --build --preset dev
