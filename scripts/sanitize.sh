#!/usr/bin/env bash
# The C++ tests under sanitizers (scripts/test.sh runs this):
#   asan  (ASan + UBSan, Debug): the whole Catch2 suite, the generated screens' differential
#         tests and every fuzz corpus replay;
#   tsan  (ThreadSanitizer):     the Catch2 tests tagged [threads], which share
#         contracts, validators' programs, gates and NDJSON readers across threads.
set -euo pipefail
cd "$(dirname "$0")/.."
replays=$(sed -n 's/^set(DQ_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt | sed 's/\([a-z_]*\)/replay_\1/g')

cmake --preset asan >/dev/null
cmake --build --preset asan --target dq_tests screen_tests $replays
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/tests/dq_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build/asan/tests/screen_tests
ctest --preset asan -R '^fuzz_replay_'

cmake --preset tsan >/dev/null
cmake --build --preset tsan --target dq_tests
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build/tsan/tests/dq_tests "[threads]"
