#!/usr/bin/env bash
# The demo: lint the example contracts, validate real GitHub events, tweets
# and NYC taxi trips (CSV) against them and print the reports; then profile
# January 2019 taxi trips as a baseline and check February 2019 (zero-passenger trips appear) and
# April 2020 (the first pandemic month: drift) against it, and GitHub push
# events before and after GitHub dropped payload fields (schema drift). Some
# runs fail on purpose (see contracts/); dq exits 1 for those. Then the batch
# grader grades NYC taxi pickup zones by trips and fares, and agents on
# generated listings with real-world dirt (with a re-run of the rejects after a
# contract fix). Then the GitHub events go through the stream gate as a
# Pub/Sub stream, a Beam pipeline runs on a taxi month, and the self-service
# server (dq serve) grades taxi zones with changed params through its API.
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
echo "--- the batch grader: NYC taxi pickup zones by trips and fares, then agents on 200,000 generated listings ---"
run grade -c contracts/nyc_taxi.yaml ${taxi}_2019-01.csv ${taxi}_2019-02.csv -o build/taxi_zones.csv --rejects build/taxi.rejects.ndjson
head -4 build/taxi_zones.csv; echo
build/venv/bin/python3 examples/generate_listings.py --rows 200000 --seed 7 -o build/listings.ndjson
run grade -c contracts/agent_sales.yaml build/listings.ndjson -o build/agents.csv --rejects build/listings.rejects.ndjson \
    --report build/agents.run.json --param export_tiers=platinum,gold
head -4 build/agents.csv; echo
# A contract fix (feeds that spell the state out are accepted), then only the rejects are graded again.
sed "s/pattern: '^\[A-Z\]{2}\$'/pattern: '^([A-Z]{2}|[A-Z][a-z]+( [A-Z][a-z]+)?)$'/" contracts/agent_sales.yaml > build/agent_sales_fixed.yaml
run grade -c build/agent_sales_fixed.yaml --input-format rejects build/listings.rejects.ndjson -o build/agents_recovered.csv \
    --rejects build/listings.still-rejected.ndjson
echo "--- governance: a contract change reviewed, the taxi contract as ODCS, a page for reviewers ---"
sed -e 's/^version: 1.0.0/version: 1.1.0/' -e 's/enum: \[en, ja\]/enum: [en]/' contracts/tweets.yaml > build/tweets_next.yaml
run diff contracts/tweets.yaml build/tweets_next.yaml --format markdown
run export contracts/nyc_taxi.yaml --to odcs -o build/nyc_taxi.odcs.yaml
run validate -c build/nyc_taxi.odcs.yaml --no-history --baseline contracts/baselines/nyc_taxi_2019-01.profile.json ${taxi}_2020-04.csv
run docs contracts/nyc_taxi.yaml --format html -o build/nyc_taxi.html
echo "the taxi contract as a page: build/nyc_taxi.html"
echo "--- the stream gate: the same GitHub events as a Pub/Sub stream (Google's in-memory server) ---"
build/venv/bin/python3 -m pip install -q --disable-pip-version-check --no-build-isolation .
build/venv/bin/python3 examples/stream_gate_demo.py
echo "--- Apache Beam: the taxi contract in a pipeline on the local runner (dead letters, drift, graded zones) ---"
build/venv/bin/python3 examples/beam_pipeline.py --input ${taxi}_2020-04.csv --output build/beam_taxi
echo "dead letters: $(cat build/beam_taxi/dead_letters-*.ndjson | wc -l); graded zones: $(cat build/beam_taxi/zones-*.ndjson | wc -l)"
build/venv/bin/python3 -c "import json,glob; r=json.load(open(glob.glob('build/beam_taxi/drift-*')[0])); print('drift ok:', r['ok'], '|', ', '.join(d['field'] + ' ' + d['method'] + ' ' + d['status'] for d in r['drift']))"
echo "--- dq serve: the self-service page's API grades taxi zones with changed params (open it: dq serve --contracts contracts --data examples/data) ---"
build/venv/bin/python3 examples/serve_demo.py
