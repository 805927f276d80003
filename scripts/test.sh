#!/usr/bin/env bash
# Every test: the layer check of src/, the C++ layout and clang-tidy checks, Catch2 unit
# tests (also under ASan+UBSan, and the threaded ones under TSan:
# scripts/sanitize.sh), the fuzz corpora replayed, the CLI end to end, an
# outside project built against the installed package with find_package(dq),
# and the Python package (pytest) as `pip install .` builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/check_layers.py  # the floors of src/ only look down
scripts/setup.sh
scripts/check_format.sh  # every C++ file as .clang-format lays it out
scripts/build.sh
scripts/check_tidy.sh  # clang-tidy's checks of .clang-tidy over src/ (needs the build's compile commands)
build/venv/bin/python3 -m pip install -q --disable-pip-version-check --no-build-isolation .
scripts/sanitize.sh
ctest --preset dev -j2
