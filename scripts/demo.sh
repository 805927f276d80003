#!/usr/bin/env bash
# The demo: lint the example contracts, then validate real GitHub events,
# tweets and NYC taxi trips (CSV) against them and print the reports. Some records fail on
# purpose (see the rules in contracts/); dq exits 1 for those runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh >/dev/null
dq=build/dev/dq
run() { echo "\$ dq $*"; "$dq" "$@" && code=0 || code=$?; echo "(exit $code)"; echo; }
run lint contracts/github_events.yaml contracts/tweets.yaml contracts/nyc_taxi.yaml
run validate -c contracts/github_events.yaml examples/data/github_events.json
run validate -c contracts/tweets.yaml examples/data/tweets.ndjson --rejects build/tweets.rejects.ndjson
run validate -c contracts/nyc_taxi.yaml examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv
echo "rejected tweets, raw bytes and reasons: build/tweets.rejects.ndjson ($(wc -l < build/tweets.rejects.ndjson) lines)"
