#!/usr/bin/env bash
# Runs clang-tidy with the checks of .clang-tidy over every library source,
# using the dev build's compile commands. Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/dev}
if [ ! -f "$BUILD/compile_commands.json" ]; then
  echo "check_tidy: $BUILD/compile_commands.json is missing (configure with the dev preset)" >&2
  exit 1
fi
run-clang-tidy -quiet -p "$BUILD" -j "$(nproc)" "$PWD/src/" > "$BUILD/clang-tidy.log" 2>&1 || {
  grep -E "(warning|error):" "$BUILD/clang-tidy.log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >&2
  echo "check_tidy: clang-tidy found problems (full log: $BUILD/clang-tidy.log)" >&2
  exit 1
}
echo "clang-tidy: no findings in src/"
