#!/usr/bin/env bash
# Configures and builds dq with the `dev` preset (build/dev).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset dev >/dev/null
cmake --build --preset dev
