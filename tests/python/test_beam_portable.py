"""dq.beam where work crosses process boundaries: the DirectRunner in
multi-process mode, and Beam's Prism runner with every bundle executed by a
separate SDK worker process (an EXTERNAL worker pool the test starts). What
crosses (the contract source, profile accumulators, grading states) is
pickled, shipped and rebuilt on the workers; the answers equal one process's.

Results leave the pipeline through files (a worker process cannot append to
this process's lists)."""
import base64
import json
import os
import pickle
import socket
import subprocess
import sys
import time
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

import dq
import dq.beam
from test_beam import assert_same_drift, assert_same_profile, assert_same_rows, ndjson_file, taxi_lines

ROOT = Path(__file__).resolve().parents[2]
# Worker processes unpickle this module's functions: they import it from here.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
PRISM = os.environ.get("DQ_PRISM", str(ROOT / "build/prism/prism"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def worker_pool():
    """Beam's SDK worker pool: each bundle Prism hands it runs in a worker process of its own."""
    port = free_port()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    pool = subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                             f"--service_port={port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        pool.kill()
        raise RuntimeError("the Beam worker pool did not start")
    yield port
    pool.terminate()
    pool.wait(30)


RUNNERS = ["direct_multi_process", "prism"]


@pytest.fixture(params=RUNNERS)
def options(request):
    if request.param == "direct_multi_process":
        return PipelineOptions(flags=[], runner="DirectRunner", direct_running_mode="multi_processing",
                               direct_num_workers=2)
    if not Path(PRISM).exists():
        pytest.fail(f"no Prism runner at {PRISM}: scripts/setup.sh builds it from Go modules")
    port = request.getfixturevalue("worker_pool")
    # A Prism server of our own: Beam shares one per process, and a DirectRunner pipeline run
    # before may have made it without our --prism_location.
    return PipelineOptions(flags=[], runner="PrismRunner", prism_location=PRISM, environment_type="EXTERNAL",
                           environment_config=f"localhost:{port}", prism_log_level="error",
                           experiments=["disable_prism_server_singleton"])


def run(options, build):
    p = beam.Pipeline(options=options)
    build(p)
    p.run().wait_until_finish()


def write(pcoll, folder: Path, name: str, encode=json.dumps):
    pcoll | f"Encode {name}" >> beam.Map(encode) | f"Write {name}" >> beam.io.WriteToText(str(folder / name))


def read(folder: Path, name: str, decode=json.loads):
    return [decode(line) for f in sorted(folder.glob(f"{name}-*")) for line in f.read_text().splitlines()]


def profile_text(profile: dq.Profile) -> str:
    return profile.to_json()


def test_validate_splits_tweets_as_one_process_does(options, root, tmp_path):
    path = root / "contracts/tweets.yaml"
    lines = (root / "examples/data/tweets.ndjson").read_bytes().splitlines()
    source = ndjson_file(tmp_path, lines + [b'{"id": 1,'])

    def build(p):
        out = p | beam.io.ReadFromText(source, coder=beam.coders.BytesCoder()) | beam.Reshuffle() \
            | dq.beam.Validate(path, batch_size=7)
        write(out.valid, tmp_path, "valid", lambda e: e.decode())
        write(out.invalid, tmp_path, "invalid",
              lambda d: json.dumps({**d, "element": base64.b64encode(d["element"]).decode()}))

    run(options, build)
    report = dq.load(path).validate_ndjson(b"\n".join(lines + [b'{"id": 1,']))
    valid, invalid = read(tmp_path, "valid"), read(tmp_path, "invalid")
    assert len(valid) == report.records["valid"] == 96
    assert len(invalid) == report.records["invalid"] + report.records["malformed"] == 5
    failing = {f["record"] for f in report.failure_rows() if f["rule"] != "malformed"}
    assert sorted(json.loads(base64.b64decode(d["element"]))["id"] for d in invalid if d["malformed"] is None) == \
        sorted(json.loads(lines[r - 1])["id"] for r in failing)
    assert "ended early" in [d for d in invalid if d["malformed"]][0]["malformed"]["message"]


def test_profile_and_drift_equal_one_process(options, root, tmp_path):
    path = root / "contracts/nyc_taxi.yaml"
    lines = taxi_lines(root, "2020-04")
    source = ndjson_file(tmp_path, lines)

    def build(p):
        profile = (p | beam.io.ReadFromText(source) | beam.Reshuffle()
                   | beam.CombineGlobally(dq.beam.Profile(path, batch_size=500)))
        write(profile, tmp_path, "profile", profile_text)
        write(profile | dq.beam.CheckDrift(path), tmp_path, "drift")

    run(options, build)
    contract = dq.load(path)
    [got] = read(tmp_path, "profile", dq.Profile.from_json)
    assert_same_profile(got, contract.profile(b"\n".join(lines)))
    [drift] = read(tmp_path, "drift")
    want = contract.drift(b"\n".join(lines), baseline=root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    assert drift["ok"] is want.ok is False
    assert_same_drift(drift["drift"], want.results)


def test_grade_equals_dq_grade(options, root, tmp_path):
    path = root / "contracts/nyc_taxi.yaml"
    source = ndjson_file(tmp_path, taxi_lines(root, "2019-02"))

    def build(p):
        out = p | beam.io.ReadFromText(source) | beam.Reshuffle() | dq.beam.Grade(path, batch_size=250)
        write(out.graded, tmp_path, "graded")

    run(options, build)
    assert_same_rows(read(tmp_path, "graded"), dq.load(path).grade(source))


def test_what_crosses_processes_pickles_and_is_rebuilt(root):
    """Each object a runner ships to a worker survives pickling: the
    transforms' DoFns and CombineFns with their contract source, a profile
    accumulator, a Profile, and a grading state."""
    path = root / "contracts/nyc_taxi.yaml"
    lines = taxi_lines(root, "2019-01", rows=400)
    contract = dq.load(path)

    validate = pickle.loads(pickle.dumps(dq.beam.Validate(path, params={"max_fare": 50})))
    rebuilt = validate._source.compile()
    assert (rebuilt.dataset, rebuilt.version, rebuilt.checks) == (contract.dataset, contract.version, contract.checks)
    assert rebuilt.validate_json(b'{"fare_amount": 60}').ok is False

    profile_fn = pickle.loads(pickle.dumps(dq.beam.Profile(path, batch_size=64)))
    acc = profile_fn.create_accumulator()
    for line in lines[:150]:
        acc = profile_fn.add_input(acc, line)
    acc = pickle.loads(pickle.dumps(acc))  # half folded, half pending
    other = profile_fn.create_accumulator()
    for line in lines[150:]:
        other = profile_fn.add_input(other, line)
    merged = profile_fn.extract_output(profile_fn.merge_accumulators([acc, pickle.loads(pickle.dumps(other))]))
    want = contract.profile(b"\n".join(lines))
    assert_same_profile(pickle.loads(pickle.dumps(merged)), want)

    grade = pickle.loads(pickle.dumps(dq.beam.Grade(path)))
    parts = dq._core.GradeParts(grade._source.compile()._native)
    graded, _, _ = parts.shares(lines, [0] * len(lines))
    states = {}
    for _, key, state in graded:
        states.setdefault(key, []).append(pickle.loads(pickle.dumps(state)))
    rows = {key: parts.finish(key, parts.merge(s) if len(s) > 1 else s[0]) for key, s in states.items()}
    run = contract.grade(ndjson_file_for(lines))
    assert len(rows) == run.summary["entities"]["total"]
    tiers = list(parts.tier_names)
    assert {t: sum(1 for tier, _, _ in rows.values() if tiers[tier] == t) for t in tiers} == run.tiers


def ndjson_file_for(lines):
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "records.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    return folder / "records.ndjson"
