#!/usr/bin/env bash
# Every C++ file laid out as .clang-format says, by the pinned clang-format
# (14, Debian 12's: other versions lay out some lines differently). Fails
# listing the lines that differ; `clang-format -i FILE` mends them.
set -euo pipefail
cd "$(dirname "$0")/.."
pinned=14
found=$(clang-format --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "$found" != "$pinned" ]; then
  echo "check_format: clang-format $pinned is pinned (scripts/setup.sh installs it), found ${found:-none}" >&2
  exit 1
fi
git ls-files '*.cpp' '*.h' | grep -v '^tests/data/' | xargs clang-format --dry-run --Werror
