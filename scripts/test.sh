#!/usr/bin/env bash
# Every test: Catch2 unit tests, the CLI end to end, and an outside project
# built against the installed package with find_package(dq).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --preset dev -j2
