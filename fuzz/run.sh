#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, the `fuzz` preset: ASan + UBSan) and
# fuzzes each for SECONDS (default 600), two at a time, starting from the
# saved corpus. Crashes land in build/fuzz/work/crashes_<target>/; a summary
# line per target (executions, coverage, corpus) in build/fuzz/work/summary.txt.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(contract_yaml expression record arrow_import csv profile_json screen)
command -v clang++ >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; }
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
work=build/fuzz/work
mkdir -p "$work"
fuzz_one() {
  local t=$1 seconds=$2 work=$3
  mkdir -p "$work/corpus_$t" "$work/crashes_$t"
  cp -n fuzz/corpus/"$t"/* "$work/corpus_$t/"
  build/fuzz/fuzz/fuzz_"$t" "$work/corpus_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/crashes_$t/" -print_final_stats=1 >"$work/$t.log" 2>&1 || true
  local last execs crashes
  last=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1)
  execs=$(grep -oP 'stat::number_of_executed_units: *\K[0-9]+' "$work/$t.log" || echo "?")
  crashes=$(find "$work/crashes_$t" -type f | wc -l)
  echo "$t seconds=$seconds executions=$execs crashes=$crashes last: $last"
}
export -f fuzz_one
: >"$work/summary.txt"
printf '%s\n' "${targets[@]}" | xargs -P2 -I{} bash -c 'fuzz_one "$@"' _ {} "$seconds" "$work" | tee -a "$work/summary.txt"
