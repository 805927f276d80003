#!/usr/bin/env python3
"""A Beam pipeline with dq at its core, on a month of NYC taxi trips.

    python examples/beam_pipeline.py \\
        --input examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv --output /tmp/taxi

It reads the trips (CSV lines into dicts), validates each against
contracts/nyc_taxi.yaml, writes the dead letters, profiles the valid and
invalid trips together and checks drift against the contract's January 2019
baseline, and grades the pickup zones, writing:

    OUTPUT/dead_letters-*.ndjson   every rejected trip, with its reasons
    OUTPUT/drift-*.json            the drift report
    OUTPUT/zones-*.ndjson          one graded row per zone (hub / busy / quiet)

Runs on the local runner as it is; add --runner DataflowRunner (and its
options), FlinkRunner or SparkRunner to run it elsewhere (docs/beam.md).
"""
import argparse
import csv
import json
import os

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

import dq.beam

CONTRACT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "contracts", "nyc_taxi.yaml")


def cell(text):
    """A CSV cell as the JSON value it stands for: empty is null, numbers are numbers."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def to_trip(line, columns):
    return {name: cell(text) for name, text in zip(columns, next(csv.reader([line])))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="a taxi CSV file (with a header row)")
    parser.add_argument("--output", required=True, help="a directory for the results")
    args, beam_args = parser.parse_known_args(argv)
    with open(args.input, encoding="utf-8") as f:
        columns = next(csv.reader(f))
    os.makedirs(args.output, exist_ok=True)

    with beam.Pipeline(options=PipelineOptions(beam_args)) as p:
        trips = (p | "Read" >> beam.io.ReadFromText(args.input, skip_header_lines=1)
                 | "Parse" >> beam.Map(to_trip, columns))

        checked = trips | dq.beam.Validate(CONTRACT)
        (checked.invalid
         | "DeadLetterJson" >> beam.Map(lambda d: json.dumps(d, default=str))
         | "WriteDeadLetters" >> beam.io.WriteToText(os.path.join(args.output, "dead_letters"), ".ndjson"))

        (trips
         | "Profile" >> beam.CombineGlobally(dq.beam.Profile(CONTRACT))
         | dq.beam.CheckDrift(CONTRACT)  # against the contract's drift.baseline
         | "DriftJson" >> beam.Map(json.dumps)
         | "WriteDrift" >> beam.io.WriteToText(os.path.join(args.output, "drift"), ".json"))

        zones = (trips | dq.beam.Grade(CONTRACT)).graded  # validates too: its dead letters equal Validate's
        (zones
         | "ZoneJson" >> beam.Map(json.dumps)
         | "WriteZones" >> beam.io.WriteToText(os.path.join(args.output, "zones"), ".ndjson"))


if __name__ == "__main__":
    main()
