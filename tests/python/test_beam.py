"""dq.beam on Beam's local runner (DirectRunner), on real data: tweets, GitHub
events and NYC taxi trips. Every figure is checked against dq run in one
process on the same records."""
import json
import math
import pickle

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_stream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import window

import dq
import dq.beam

TAXI_STRINGS = ["pickup_datetime", "dropoff_datetime", "store_and_fwd_flag"]


def taxi_table(root, month):
    """A taxi month as pyarrow reads it; times stay text, as the contract's format expects."""
    path = root / f"examples/data/nyc_taxi/yellow_tripdata_sample_{month}.csv"
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in TAXI_STRINGS}))


def taxi_lines(root, month, rows=None):
    """A taxi month as JSON records (bytes), one per trip."""
    records = taxi_table(root, month).to_pylist()[:rows]
    return [json.dumps(r).encode() for r in records]


def ndjson_file(tmp_path, lines):
    """Pipelines read files (a Create would embed the data in the pipeline itself)."""
    path = tmp_path / "records.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def parquet_file(tmp_path, table, row_group_size):
    path = tmp_path / "trips.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    return str(path)


def run(pipeline_fn, **options):
    """Runs a pipeline built by pipeline_fn(p) on the DirectRunner; returns
    what pipeline_fn returned and the dq counters {name: value}."""
    p = beam.Pipeline(options=PipelineOptions(flags=[], **options))
    value = pipeline_fn(p)
    result = p.run()
    result.wait_until_finish()
    counters = {}
    for c in result.metrics().query(MetricsFilter().with_namespace("dq"))["counters"]:
        counters[c.key.metric.name] = counters.get(c.key.metric.name, 0) + c.committed
    return value, counters


# What pipelines collect, by list id: Beam pickles the functions it runs, so
# they reach the test's lists through this module (the local runner works in
# this process).
_SINKS = {}


def _append(element, sink_id):
    _SINKS[sink_id].append(element)


def collect(pcoll, sink, label):
    """Appends each element of pcoll to the list `sink`."""
    _SINKS[id(sink)] = sink
    pcoll | label >> beam.Map(_append, id(sink))


# --- Validate ---------------------------------------------------------------------------------


def tweet_elements(root):
    """The 100 real tweets as bytes, str and dicts, then two elements that are not records."""
    lines = (root / "examples/data/tweets.ndjson").read_bytes().splitlines()
    return lines, lines[:40] + [l.decode() for l in lines[40:70]] + [json.loads(l) for l in lines[70:]] + [b'{"id": 1,', 42]


@pytest.mark.parametrize("batch_size", [1, 7, 512])
def test_validate_splits_tweets_as_one_process_does(root, batch_size):
    path = root / "contracts/tweets.yaml"
    lines, elements = tweet_elements(root)
    valid, invalid = [], []

    def build(p):
        out = p | beam.Create(elements, reshuffle=False) | dq.beam.Validate(path, batch_size=batch_size)
        collect(out.valid, valid, "valid")
        collect(out.invalid, invalid, "invalid")

    _, counters = run(build)
    contract = dq.load(path)
    report = contract.validate_ndjson(b"\n".join(lines))
    rejected_ids = {json.loads(lines[r - 1])["id"] for r in {f["record"] for f in report.failure_rows()}}
    assert len(rejected_ids) == report.records["invalid"] == 4

    # Counts reconcile, in the outputs and in the metrics.
    assert len(valid) + len(invalid) == len(elements) == 102
    assert counters["records"] == 102
    assert counters["valid"] == len(valid) == report.records["valid"] == 96
    assert counters["invalid"] == report.records["invalid"] == 4
    assert counters["malformed"] == 2
    assert counters["records"] == counters["valid"] + counters["invalid"] + counters["malformed"]
    # Per-check counters equal the report's records-failing counts (warnings included).
    assert {k[len("failed:"):]: v for k, v in counters.items() if k.startswith("failed:")} == \
        {r["id"]: r["failed"] for r in report.rules}

    # The dead letters: the elements as they came (bytes, str or dict), with the verdict's reasons.
    records = [d for d in invalid if d["malformed"] is None]
    assert {(e["element"] if isinstance(e["element"], dict) else json.loads(e["element"]))["id"] for e in records} \
        == rejected_ids
    for dead in records:
        element = dead["element"]
        verdict = contract.validate(element) if isinstance(element, dict) else contract.validate_json(element)
        assert not verdict.ok
        assert dead["violations"] == [{"path": v.path, "rule": v.rule, "severity": v.severity, "message": v.message,
                                       "value": v.value} for v in verdict.violations]
    malformed = sorted((d for d in invalid if d["malformed"]), key=lambda d: str(type(d["element"])))
    assert [d["element"] for d in malformed] == [b'{"id": 1,', 42]
    assert "ended early" in malformed[0]["malformed"]["message"]
    assert malformed[1]["malformed"]["message"] == "not a record: int (records are JSON bytes or str, or dicts)"
    # Valid elements pass through unchanged, in their own types.
    passed = [e for e in elements[:100] if (e if isinstance(e, dict) else json.loads(e))["id"] not in rejected_ids]
    assert sorted(valid, key=repr) == sorted(passed, key=repr)


def test_validate_keeps_each_elements_timestamp_and_window(root):
    lines, _ = tweet_elements(root)
    seen = []

    def build(p):
        stamped = (p | beam.Create(list(enumerate(lines)))
                   | beam.Map(lambda iv: window.TimestampedValue(iv[1], 1_000 + 10 * iv[0]))
                   | beam.WindowInto(window.FixedWindows(300)))
        out = stamped | dq.beam.Validate(root / "contracts/tweets.yaml", batch_size=16)
        stamps = out.valid | beam.Map(lambda e, t=beam.DoFn.TimestampParam, w=beam.DoFn.WindowParam:
                                      (json.loads(e)["id"], int(t), int(w.start)))
        collect(stamps, seen, "stamps")

    run(build)
    order = {json.loads(l)["id"]: i for i, l in enumerate(lines)}
    assert len(seen) == 96
    for tweet, stamp, start in seen:
        assert stamp == 1_000 + 10 * order[tweet]
        assert start == stamp - stamp % 300


def test_validate_arrow_batches_of_taxi_trips(root, tmp_path):
    """Arrow tables from ReadFromParquetBatched are validated a column at a
    time: valid rows go on as tables, invalid rows as dead letters."""
    table = taxi_table(root, "2020-04")
    source = parquet_file(tmp_path, table, 1000)
    valid, invalid = [], []

    def build(p):
        out = p | beam.io.ReadFromParquetBatched(source) | dq.beam.Validate(root / "contracts/nyc_taxi.yaml")
        collect(out.valid, valid, "valid")
        collect(out.invalid, invalid, "invalid")

    _, counters = run(build)
    report = dq.load(root / "contracts/nyc_taxi.yaml").validate_table(table)
    assert report.records["invalid"] == 1157
    assert all(isinstance(b, pa.Table) for b in valid) and len(valid) == 10
    assert sum(b.num_rows for b in valid) == counters["valid"] == 10000 - 1157
    assert len(invalid) == counters["invalid"] == 1157
    assert counters["records"] == 10000 and counters.get("malformed", 0) == 0
    assert {k[len("failed:"):]: v for k, v in counters.items() if k.startswith("failed:")} == \
        {r["id"]: r["failed"] for r in report.rules}
    # Each dead letter holds its row and exactly the reasons the report gives for that row.
    rows = table.to_pylist()
    by_row = {}
    for f in report.failure_rows():
        by_row.setdefault(f["row"], []).append({k: f[k] for k in ("path", "rule", "severity", "message", "value")})
    expected = sorted((json.dumps(rows[r], sort_keys=True), json.dumps(v)) for r, v in by_row.items())
    got = sorted((json.dumps(d["element"], sort_keys=True), json.dumps(d["violations"])) for d in invalid)
    assert got == expected


def test_validate_reports_a_broken_contract_where_the_pipeline_is_built(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("dq: 1\ndataset: x\nversion: 1.0.0\nfields:\n  id: {type: integr}\n")
    with pytest.raises(dq.ContractError, match=r"bad.yaml:5:\d+"):
        dq.beam.Validate(bad)


# --- Profile and CheckDrift -------------------------------------------------------------------


def assert_same_profile(got: dq.Profile, want: dq.Profile):
    """Equal field by field; mean and m2 up to floating-point rounding (Chan's
    merge): timestamps near 1.4e15 µs that vary by seconds keep ~0.1 µs of
    rounding per value, which leaves m2 up to ~1e-7 apart, relatively."""
    a, b = got.to_dict(), want.to_dict()
    assert a["rows"] == b["rows"]
    assert [f["path"] for f in a["fields"]] == [f["path"] for f in b["fields"]]
    for fa, fb in zip(a["fields"], b["fields"]):
        for key in set(fa) | set(fb):
            if key in ("mean", "m2"):
                assert math.isclose(fa[key], fb[key], rel_tol=1e-6, abs_tol=1e-9), (fa["path"], key)
            else:
                assert fa.get(key) == fb.get(key), (fa["path"], key)


def test_profile_in_beam_equals_the_profile_of_one_process(root, tmp_path):
    path = root / "contracts/nyc_taxi.yaml"
    lines = taxi_lines(root, "2019-02")
    source = ndjson_file(tmp_path, lines)
    got = []

    def build(p):
        profile = (p | beam.io.ReadFromText(source) | beam.Reshuffle()
                   | beam.CombineGlobally(dq.beam.Profile(path, batch_size=333)))
        collect(profile, got, "profile")

    run(build, direct_num_workers=2, direct_running_mode="multi_threading")
    want = dq.load(path).profile(b"\n".join(lines))
    assert got[0].rows == want.rows == 10000
    assert_same_profile(got[0], want)


def test_profile_accumulators_merge_in_any_order_across_pickling(root):
    """What a runner does with accumulators: partial ones built apart,
    serialized, merged in whatever grouping; always the whole profile."""
    path = root / "contracts/tweets.yaml"
    lines = (root / "examples/data/tweets.ndjson").read_bytes().splitlines()
    fn = dq.beam.Profile(path, batch_size=10)
    fn.setup()

    def partial(part):
        acc = fn.create_accumulator()
        for line in part:
            acc = fn.add_input(acc, line)
        return pickle.loads(pickle.dumps(acc))

    def parts():  # afresh each time: a merge may reuse its first accumulator
        return [partial(lines[:13]), partial(lines[13:60]), partial(lines[60:]), partial([])]

    want = dq.load(path).profile(b"\n".join(lines))
    one = fn.extract_output(fn.merge_accumulators(parts()))
    a, b, c, d = parts()
    nested = fn.extract_output(fn.merge_accumulators([
        fn.compact(fn.merge_accumulators([c, a])), fn.merge_accumulators([d, b])]))
    assert_same_profile(one, want)
    assert_same_profile(nested, want)
    empty = fn.extract_output(fn.create_accumulator())
    assert empty.rows == 0 and empty.fields == want.fields


def test_profile_of_arrow_batches_equals_the_tables_profile(root, tmp_path):
    path = root / "contracts/nyc_taxi.yaml"
    table = taxi_table(root, "2019-01")
    source = parquet_file(tmp_path, table, 1500)
    got = []

    def build(p):
        profile = p | beam.io.ReadFromParquetBatched(source) | beam.CombineGlobally(dq.beam.Profile(path))
        collect(profile, got, "profile")

    run(build)
    assert_same_profile(got[0], dq.load(path).profile(table))


def assert_same_drift(got, want):
    assert [(r["field"], r["method"], r["status"]) for r in got] == [(r["field"], r["method"], r["status"]) for r in want]
    for a, b in zip(got, want):
        assert (a["value"] is None) == (b["value"] is None)
        if a["value"] is not None:
            assert math.isclose(a["value"], b["value"], rel_tol=1e-9, abs_tol=1e-12), a["field"]


def test_check_drift_in_beam_equals_one_process(root, tmp_path):
    path = root / "contracts/nyc_taxi.yaml"
    baseline = root / "contracts/baselines/nyc_taxi_2019-01.profile.json"
    lines = taxi_lines(root, "2020-04")
    source = ndjson_file(tmp_path, lines)
    got = []

    def build(p):
        reports = (p | beam.io.ReadFromText(source) | beam.CombineGlobally(dq.beam.Profile(path))
                   | dq.beam.CheckDrift(path))  # the contract's own drift.baseline
        collect(reports, got, "drift")

    _, counters = run(build)
    want = dq.load(path).drift(b"\n".join(lines), baseline=baseline)
    [report] = got
    assert report["window"] is None and report["rows"] == 10000
    assert report["ok"] is False and want.ok is False  # the first pandemic month drifted
    assert report["baseline_rows"] == dq.Profile.load(baseline).rows
    assert_same_drift(report["drift"], want.results)
    assert counters["drift_checks"] == len(want.results)
    assert counters["drift_failed"] == sum(r["status"] == "fail" for r in want.results) > 0


def test_windowed_streaming_profiles_and_drift_with_teststream(root):
    """A stream whose first minute carries February 2019 trips and whose
    second carries April 2020: one profile and one drift report per window,
    each equal to dq's on that window's records."""
    path = root / "contracts/nyc_taxi.yaml"
    windows = {0: taxi_lines(root, "2019-02", 1500), 60: taxi_lines(root, "2020-04", 1500)}
    stream = test_stream.TestStream()
    for start, lines in windows.items():
        stream = stream.advance_watermark_to(start).add_elements(
            [window.TimestampedValue(line, start + (i % 60)) for i, line in enumerate(lines)])
    stream = stream.advance_watermark_to_infinity()
    got = []

    def build(p):
        windowed = p | stream | beam.WindowInto(window.FixedWindows(60))
        checked = windowed | dq.beam.Validate(path)
        profiles = windowed | beam.CombineGlobally(dq.beam.Profile(path)).without_defaults()
        collect(profiles | dq.beam.CheckDrift(path), got, "drift")
        counted = checked.valid | "count" >> beam.combiners.Count.Globally().without_defaults()
        assert_that(counted, equal_to([1500 - sum(1 for l in windows[0] if not dq.load(path).validate_json(l).ok),
                                       1500 - sum(1 for l in windows[60] if not dq.load(path).validate_json(l).ok)]))

    options = PipelineOptions(flags=[])
    options.view_as(StandardOptions).streaming = True
    p = beam.Pipeline(options=options)
    build(p)
    p.run().wait_until_finish()

    contract = dq.load(path)
    by_start = {r["window"]["start"]: r for r in got}
    assert sorted(by_start) == ["1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z"]
    for start, key in ((0, "1970-01-01T00:00:00Z"), (60, "1970-01-01T00:01:00Z")):
        report = by_start[key]
        assert report["window"]["end"] == f"1970-01-01T00:0{start // 60 + 1}:00Z"
        assert report["rows"] == 1500
        want = contract.drift(b"\n".join(windows[start]), baseline=root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
        assert_same_drift(report["drift"], want.results)
        assert report["ok"] is want.ok
    # February's window fails only on its zero-passenger trips (a value January never had); April on how trips are paid, and more.
    february, april = by_start["1970-01-01T00:00:00Z"], by_start["1970-01-01T00:01:00Z"]
    assert [d["field"] for d in february["drift"] if d["status"] == "fail"] == ["passenger_count"]
    assert "payment_type" in {d["field"] for d in april["drift"] if d["status"] == "fail"}
    assert april["ok"] is False


def test_check_drift_needs_a_baseline(root):
    with pytest.raises(ValueError, match="has no drift.baseline"):
        dq.beam.CheckDrift(root / "contracts/tweets.yaml")


# --- Grade ------------------------------------------------------------------------------------


def assert_same_rows(got, run):
    """Beam's graded rows equal `dq grade`'s export, row for row (sums up to rounding)."""
    want = [dict(zip(run.columns, row)) for row in run.rows]
    assert len(got) == len(want) > 0
    key = [c for c in run.columns if c != "tier"][:1]
    by_key = {tuple(r[k] for k in key): r for r in got}
    for row in want:
        mine = by_key[tuple(row[k] for k in key)]
        assert list(mine) == run.columns
        for column, value in row.items():
            if isinstance(value, float):
                assert math.isclose(mine[column], value, rel_tol=1e-12), (row, column)
            else:
                assert mine[column] == value, (row, column)


def test_grade_in_beam_equals_dq_grade_on_agent_listings(root, tmp_path):
    import subprocess
    import sys

    data = tmp_path / "listings.ndjson"
    subprocess.run([sys.executable, root / "examples/generate_listings.py", "--rows", "20000", "-o", data], check=True)
    path = root / "contracts/agent_sales.yaml"
    graded, invalid = [], []

    def build(p):
        out = p | beam.io.ReadFromText(str(data)) | dq.beam.Grade(path)
        collect(out.graded, graded, "graded")
        collect(out.invalid, invalid, "invalid")

    _, counters = run(build, direct_num_workers=2, direct_running_mode="multi_threading")
    want = dq.load(path).grade(data)
    rows = want.summary["rows"]
    assert_same_rows(graded, want)
    assert {name: counters.get("tier:" + name, 0) for name in want.tiers} == want.tiers
    assert counters["entities"] == want.summary["entities"]["total"]
    for name in ("invalid", "malformed", "valid", "filtered", "graded"):
        assert counters.get(name, 0) == rows[name], name
    assert counters["records"] == rows["read"] == 20000
    assert counters["records"] == counters["valid"] + counters["invalid"] + counters["malformed"]
    assert counters["valid"] == counters["filtered"] + counters["graded"]
    assert len(invalid) == rows["invalid"] + rows["malformed"] > 0


def test_grade_taxi_zones_in_beam_equals_dq_grade(root, tmp_path):
    path = root / "contracts/nyc_taxi.yaml"
    source = ndjson_file(tmp_path, taxi_lines(root, "2019-02"))
    graded = []

    def build(p):
        collect((p | beam.io.ReadFromText(source) | beam.Reshuffle() | dq.beam.Grade(path, batch_size=100)).graded,
                graded, "graded")

    run(build, direct_num_workers=2, direct_running_mode="multi_threading")
    assert_same_rows(graded, dq.load(path).grade(source))


def test_grade_needs_a_grading_section(root):
    with pytest.raises(dq.DataError, match="has no 'grading' section"):
        dq.beam.Grade(root / "contracts/tweets.yaml")


def test_the_example_pipeline_validates_profiles_and_grades_a_taxi_month(root, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("beam_pipeline", root / "examples/beam_pipeline.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    data = root / "examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv"
    example.main(["--input", str(data), "--output", str(tmp_path)])

    contract = dq.load(root / "contracts/nyc_taxi.yaml")
    dead = [json.loads(l) for f in tmp_path.glob("dead_letters-*") for l in f.read_text().splitlines()]
    assert len(dead) == contract.validate_csv(data).records["invalid"] == 1157
    [drift] = [json.loads(l) for f in tmp_path.glob("drift-*") for l in f.read_text().splitlines()]
    assert drift["ok"] is False and drift["rows"] == 10000
    zones = [json.loads(l) for f in tmp_path.glob("zones-*") for l in f.read_text().splitlines()]
    run = contract.grade(data)
    assert sorted(z["pickup_location_id"] for z in zones) == sorted(r[0] for r in run.rows)
    assert {t: sum(z["tier"] == t for z in zones) for t in run.tiers} == run.tiers
