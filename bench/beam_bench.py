"""dq.beam.Validate's cost on Beam's local runner, against an identity Map.

  python bench/beam_bench.py [events=200000] [runs=3]

Each pipeline reads the same NDJSON file of ~450-byte flat events (1% break
a rule) with ReadFromText, applies one step, and counts what comes out:
  read + count:            no step (the pipeline's own cost)
  identity Map:            beam.Map(lambda x: x)
  Validate, per element:   dq.beam.Validate(batch_size=1): one native call per element
  Validate, bundle batches: dq.beam.Validate() (default batch_size): one call per 512
Each on the DirectRunner (FnApiRunner, in process, one worker), median of
the runs; the ratio column is each pipeline's time over the identity Map's.
"""
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

import dq
import dq.beam

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from prepare_data import flat_event as make_event  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
CONTRACT = ROOT / "bench" / "contracts" / "flat_event.yaml"


def timed(build):
    p = beam.Pipeline(options=PipelineOptions(flags=[], direct_num_workers=1))
    build(p)
    start = time.perf_counter()
    p.run().wait_until_finish()
    return time.perf_counter() - start


def main():
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.ndjson"
        with open(path, "w") as f:
            for n in range(COUNT):
                f.write(make_event(rng, n) + "\n")
        source = str(path)
        size = path.stat().st_size
        invalid = dq.load(CONTRACT).validate_ndjson(source).records["invalid"]

        def read(p):
            return p | beam.io.ReadFromText(source)

        def validate(batch_size):
            def build(p):
                out = read(p) | dq.beam.Validate(CONTRACT, batch_size=batch_size)
                out.valid | "CountValid" >> beam.combiners.Count.Globally()
                out.invalid | "CountInvalid" >> beam.combiners.Count.Globally()
            return build

        pipelines = [
            ("read + count (no step)", lambda p: read(p) | beam.combiners.Count.Globally()),
            ("identity Map", lambda p: read(p) | beam.Map(lambda x: x) | beam.combiners.Count.Globally()),
            ("dq Validate, per element (batch_size=1)", validate(1)),
            (f"dq Validate, bundle batches ({dq.beam.DEFAULT_BATCH_SIZE})", validate(dq.beam.DEFAULT_BATCH_SIZE)),
        ]
        times = {name: [] for name, _ in pipelines}
        for _ in range(RUNS):  # interleaved, so drift in machine load hits every pipeline alike
            for name, build in pipelines:
                times[name].append(timed(build))

    print(f"Beam DirectRunner: {COUNT} events, {size / 1e6:.1f} MB, {invalid} invalid, {RUNS} runs (median), "
          f"apache-beam {beam.__version__}")
    print("| pipeline                                    |  seconds |  events/s | µs/event over read | vs identity Map |")
    print("|---------------------------------------------|----------|-----------|--------------------|-----------------|")
    base = statistics.median(times["read + count (no step)"])
    identity = statistics.median(times["identity Map"])
    for name, _ in pipelines:
        t = statistics.median(times[name])
        print(f"| {name:<43} | {t:8.2f} | {COUNT / t:9.0f} | {1e6 * (t - base) / COUNT:18.2f} | {t / identity:15.2f} |")


if __name__ == "__main__":
    main()
