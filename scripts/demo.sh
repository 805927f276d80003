#!/usr/bin/env bash
# The demo: lint the example contracts, validate real GitHub events, tweets
# and NYC taxi trips (CSV) against them and print the reports; then profile
# January 2019 taxi trips as a baseline and check February 2019 (stable) and
# April 2020 (the first pandemic month: drift) against it, and GitHub push
# events before and after GitHub dropped payload fields (schema drift). Some
# runs fail on purpose (see contracts/); dq exits 1 for those. Last, the
# GitHub events go through the stream gate as a Pub/Sub stream.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh >/dev/null
dq=build/dev/dq
run() { echo "\$ dq $*"; "$dq" "$@" && code=0 || code=$?; echo "(exit $code)"; echo; }
run lint contracts/github_events.yaml contracts/tweets.yaml contracts/nyc_taxi.yaml contracts/github_push_events.yaml
run validate -c contracts/github_events.yaml examples/data/github_events.json
run validate -c contracts/tweets.yaml examples/data/tweets.ndjson --rejects build/tweets.rejects.ndjson
run validate -c contracts/nyc_taxi.yaml --no-history examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv
taxi=examples/data/nyc_taxi/yellow_tripdata_sample
run profile -c contracts/nyc_taxi.yaml ${taxi}_2019-01.csv -o build/taxi_2019-01.profile.json
run drift -c contracts/nyc_taxi.yaml --baseline build/taxi_2019-01.profile.json ${taxi}_2019-02.csv
run drift -c contracts/nyc_taxi.yaml --baseline build/taxi_2019-01.profile.json ${taxi}_2020-04.csv
run drift -c contracts/github_push_events.yaml examples/data/github_push/post_2025-12-15.ndjson
echo "rejected tweets, raw bytes and reasons: build/tweets.rejects.ndjson ($(wc -l < build/tweets.rejects.ndjson) lines)"
echo
echo "--- the stream gate: the same GitHub events as a Pub/Sub stream (Google's in-memory server) ---"
build/venv/bin/python3 -m pip install -q --disable-pip-version-check --no-build-isolation .
build/venv/bin/python3 examples/stream_gate_demo.py
