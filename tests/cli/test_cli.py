"""End-to-end tests of the dq command line on real example data."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dq_cli import DQ, ROOT, dq

GITHUB = ROOT / "contracts/github_events.yaml"
TWEETS = ROOT / "contracts/tweets.yaml"
GITHUB_DATA = ROOT / "examples/data/github_events.json"
TWEETS_DATA = ROOT / "examples/data/tweets.ndjson"



def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


CONTRACT = """dq: 1
dataset: shop.orders
version: 1.0.0
owner: {team: shop}
params:
  max_amount: {type: number, default: 100}
fields:
  id: {type: string, required: true, pattern: '^o[0-9]+$'}
  amount: {type: number, min: 0, max: $max_amount}
"""


def test_lint_passes_the_example_contracts():
    result = dq("lint", GITHUB, TWEETS)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert b"2 contracts: 0 errors" in result.stderr


def test_lint_reports_every_error_with_file_line_col_and_exits_1(tmp_path):
    bad = write(tmp_path, "bad.yaml", "dq: 1\ndataset: x\nversion: 1.0.0\nowner: {team: t}\n"
                "fields:\n  a: {type: string, patern: 'x'}\n  b: {type: string, pattern: '(('}\n")
    result = dq("lint", "--no-policy", bad)
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines == [
        f"{bad}:6:21: error: unknown key 'patern' in field 'a' (did you mean 'pattern'?)",
        f"{bad}:7:30: error: pattern of field 'b' does not compile: missing ): ((",
    ]


def test_lint_exits_2_when_a_file_cannot_be_read(tmp_path):
    assert dq("lint", tmp_path / "missing.yaml").returncode == 2


def test_validate_real_github_events():
    result = dq("validate", "-c", GITHUB, GITHUB_DATA, "--format", "json")
    assert result.returncode == 1  # one push brings no new commits
    report = json.loads(result.stdout)
    assert report["records"] == {"total": 30, "valid": 29, "invalid": 1, "malformed": 0, "coerced": 0}
    failed = {rule["id"]: rule for rule in report["rules"]}
    assert failed["rules.push_brings_new_commits"]["failed"] == 1
    assert failed["rules.push_brings_new_commits"]["samples"][0]["line"] == 225
    assert failed["payload.description.min_length"]["severity"] == "warn"
    assert set(report) >= {"ok", "contract", "records", "rules", "expectations", "drift"}


def test_validate_real_tweets():
    result = dq("validate", "-c", TWEETS, TWEETS_DATA, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["records"] == {"total": 100, "valid": 96, "invalid": 4, "malformed": 0, "coerced": 0}
    lang = next(rule for rule in report["rules"] if rule["id"] == "lang.enum")
    assert lang["failed"] == 4
    assert lang["samples"][0]["value"] == '"zh"'


def test_threads_give_the_report_and_rejects_of_one_thread(tmp_path):
    # Real tweets repeated past several 1 MiB blocks, with cut lines between them.
    tweets = TWEETS_DATA.read_text().splitlines()
    lines = [t if i % 17 else t[: len(t) // 2] for i, t in enumerate(tweets * 30)]
    data = write(tmp_path, "tweets.ndjson", "\n".join(lines) + "\n")
    runs = []
    for threads in ("1", "2", "0"):
        rejects = tmp_path / f"rejects-{threads}.ndjson"
        result = dq("validate", "-c", TWEETS, data, "--format", "json", "-j", threads, "--rejects", rejects)
        assert result.returncode == 1
        runs.append((result.stdout, rejects.read_bytes()))
    report = json.loads(runs[0][0])
    assert report["records"]["total"] == 3000 and report["records"]["malformed"] == 177
    assert runs[1] == runs[0] and runs[2] == runs[0]


def test_exit_codes_pass_fail_and_cannot_run(tmp_path):
    contract = write(tmp_path, "c.yaml", CONTRACT)
    good = write(tmp_path, "good.ndjson", '{"id": "o1", "amount": 5}\n')
    bad = write(tmp_path, "bad.ndjson", '{"id": "x1", "amount": 5}\n')
    assert dq("validate", "-c", contract, good).returncode == 0
    assert dq("validate", "-c", contract, bad).returncode == 1
    assert dq("validate", "-c", contract, tmp_path / "nope.ndjson").returncode == 2
    broken = write(tmp_path, "broken.yaml", "dq: 1\nfields: [\n")
    result = dq("validate", "-c", broken, good)
    assert result.returncode == 2
    assert f"{broken}:".encode() in result.stderr


def test_param_overrides_change_the_outcome(tmp_path):
    contract = write(tmp_path, "c.yaml", CONTRACT)
    data = write(tmp_path, "d.ndjson", '{"id": "o1", "amount": 500}\n')
    assert dq("validate", "-c", contract, data).returncode == 1
    assert dq("validate", "-c", contract, data, "--param", "max_amount=1000").returncode == 0
    assert dq("validate", "-c", contract, data, "--param", "max_amount=lots").returncode == 2
    assert dq("validate", "-c", contract, data, "--param", "nope=1").returncode == 2


def test_counts_reconcile_over_several_inputs_and_stdin(tmp_path):
    contract = write(tmp_path, "c.yaml", CONTRACT)
    a = write(tmp_path, "a.ndjson", '{"id": "o1"}\n{"id": "o2", "amount": -1}\n{"id": \n\n')
    b = write(tmp_path, "b.json", '[{"id": "o3"}, {"id": 4}]')
    result = dq("validate", "-c", contract, a, b, "-", "--format", "json", stdin=b'{"id": "o5"}\n')
    report = json.loads(result.stdout)
    r = report["records"]
    assert r == {"total": 6, "valid": 3, "invalid": 2, "malformed": 1, "coerced": 0}
    assert report["malformed"][0]["line"] == 3


def test_rejects_file_holds_raw_records_and_reasons_and_can_be_reprocessed(tmp_path):
    contract = write(tmp_path, "c.yaml", CONTRACT)
    lines = ['{"id": "o1", "amount": 5}', '{"id": "bad", "amount": 500}', '{"id": "o3", "amount": 7}', '{oops']
    data = write(tmp_path, "d.ndjson", "\n".join(lines) + "\n")
    rejects = tmp_path / "rejects.ndjson"
    assert dq("validate", "-c", contract, data, "--rejects", rejects).returncode == 1
    entries = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [e["line"] for e in entries] == [2, 4]
    assert entries[0]["raw"] == lines[1]
    assert [v["rule"] for v in entries[0]["violations"]] == ["id.pattern", "amount.max"]
    assert "malformed" in entries[1]
    # After a contract fix (a larger limit, a looser id), the raw rejects pass.
    fixed = write(tmp_path, "fixed.yaml", CONTRACT.replace("^o[0-9]+$", "^[a-z0-9]+$"))
    replay = write(tmp_path, "replay.ndjson", entries[0]["raw"] + "\n")
    assert dq("validate", "-c", fixed, replay, "--param", "max_amount=1000").returncode == 0


def test_junit_output_is_valid_xml_with_a_failure_per_failed_check(tmp_path):
    result = dq("validate", "-c", TWEETS, TWEETS_DATA, "--format", "junit")
    suite = ET.fromstring(result.stdout).find("testsuite")
    failures = [case.get("name") for case in suite.findall("testcase") if case.find("failure") is not None]
    assert failures == ["lang.enum"]
    assert suite.get("failures") == "1"


def test_text_report_names_failures_with_samples():
    result = dq("validate", "-c", GITHUB, GITHUB_DATA)
    text = result.stdout.decode()
    assert text.startswith("FAILED  github.public_events 1.0.0")
    assert "records: 30 total, 29 valid, 1 invalid, 0 malformed" in text
    assert "payload.distinct_size=0" in text


def test_json_reports_match_the_report_schema(tmp_path):
    import jsonschema
    schema = json.loads((ROOT / "schemas/report.schema.json").read_text())
    contract = write(tmp_path, "c.yaml", CONTRACT)
    data = write(tmp_path, "d.ndjson", '{"id": "o1"}\n{"id": "x"}\n{broken\n')
    for args in ([GITHUB, GITHUB_DATA], [TWEETS, TWEETS_DATA], [contract, data]):
        report = json.loads(dq("validate", "-c", args[0], args[1], "--format", "json").stdout)
        jsonschema.validate(report, schema)
        r = report["records"]
        assert r["total"] == r["valid"] + r["invalid"] + r["malformed"]


def test_validates_a_csv_file_with_cells_typed_by_the_contract(tmp_path):
    taxi = ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv"
    result = dq("validate", "-c", ROOT / "contracts/nyc_taxi.yaml", taxi, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["records"] == {"total": 10000, "valid": 8843, "invalid": 1157, "malformed": 0, "coerced": 0}
    bad = write(tmp_path, "bad.txt", "id,amount\no1,12\no2\n")
    result = dq("validate", "-c", write(tmp_path, "c.yaml", CONTRACT), bad, "--input-format", "csv", "--format", "json")
    report = json.loads(result.stdout)
    assert report["malformed"][0]["line"] == 3
    assert report["malformed"][0]["message"] == "row has 1 fields, the header 2"


TAXI = ROOT / "contracts/nyc_taxi.yaml"


def taxi_csv(month):
    return ROOT / f"examples/data/nyc_taxi/yellow_tripdata_sample_{month}.csv"


def test_profile_writes_a_baseline_that_drift_reads(tmp_path):
    baseline = tmp_path / "jan.profile.json"
    made = dq("profile", "-c", TAXI, taxi_csv("2019-01"), "-o", baseline)
    assert made.returncode == 0, made.stderr
    assert b"profiled 10000 of 10000 records" in made.stderr
    profile = json.loads(baseline.read_text())
    assert profile["dq_profile"] == 1 and profile["rows"] == 10000
    stable = dq("drift", "-c", TAXI, "--baseline", baseline, taxi_csv("2019-01"))
    assert stable.returncode == 0, stable.stdout.decode()
    assert stable.stdout.startswith(b"STABLE  nyc.yellow_taxi_trips")
    # February brings zero-passenger trips, a value January never had.
    february = dq("drift", "-c", TAXI, "--baseline", baseline, taxi_csv("2019-02"), "--format", "json")
    assert february.returncode == 1
    assert [d["field"] for d in json.loads(february.stdout)["drift"] if d["status"] == "fail"] == ["passenger_count"]
    drifted = dq("drift", "-c", TAXI, "--baseline", baseline, taxi_csv("2020-04"), "--format", "json")
    assert drifted.returncode == 1
    report = json.loads(drifted.stdout)
    failing = sorted(d["field"] for d in report["drift"] if d["status"] == "fail")
    assert failing == ["dropoff_location_id", "passenger_count", "payment_type", "pickup_location_id"]
    assert report["ok"] is False


def test_drift_without_a_baseline_cannot_run(tmp_path):
    result = dq("drift", "-c", TAXI, "--baseline", tmp_path / "missing.json", taxi_csv("2019-02"))
    assert result.returncode == 2
    assert b"does not exist (make it with dq profile)" in result.stderr
    broken = write(tmp_path, "broken.json", '{"dq_profile": 1}')
    result = dq("drift", "-c", TAXI, "--baseline", broken, taxi_csv("2019-02"))
    assert result.returncode == 2
    assert b"invalid profile: profile: missing 'dataset'" in result.stderr


def test_validate_reports_expectations_and_drift_against_the_contract_baseline():
    result = dq("validate", "-c", TAXI, "--no-history", "--format", "json", taxi_csv("2020-04"))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [e["id"] for e in report["expectations"]] == [
        "enough_trips", "few_invalid_trips", "typical_fare", "typical_distance", "distances_plausible"]
    assert all(e["ok"] for e in report["expectations"])
    assert {d["field"]: d["status"] for d in report["drift"]}["payment_type"] == "fail"
    text = dq("validate", "-c", TAXI, "--no-history", taxi_csv("2020-04")).stdout.decode()
    assert "  FAIL payment_type linf = 0.108746  warn 0.05  fail 0.1\n      1: 71.34% -> 60.4654%\n" in text
    junit = ET.fromstring(dq("validate", "-c", TAXI, "--no-history", "--format", "junit", taxi_csv("2020-04")).stdout)
    names = {case.get("name"): case.find("failure") is not None for case in junit.iter("testcase")}
    assert names["drift.payment_type.linf"] is True
    assert names["expectations.enough_trips"] is False


MONITORED = """dq: 1
dataset: shop.orders
version: 1.0.0
owner: {team: shop}
fields:
  id: {type: string, required: true}
  email: {type: string}
monitors:
  - {name: volume, metric: row_count, method: online_normal, sigma: 3, warmup: 3}
  - {metric: invalid_rate, method: threshold, max: 0.2}
  - {metric: null_rate(email), method: rate_of_change, max_increase: 0.5, severity: warn}
"""


def test_monitors_keep_a_history_and_flag_a_volume_anomaly(tmp_path):
    contract = write(tmp_path, "orders.yaml", MONITORED)
    history = tmp_path / "state/history.sqlite"
    def run(rows, nulls=0):
        lines = "".join(json.dumps({"id": f"o{i}", "email": None if i < nulls else "a@b"}) + "\n" for i in range(rows))
        data = write(tmp_path, "orders.ndjson", lines)
        return dq("validate", "-c", contract, "--history", history, "--format", "json", data)
    for rows in (100, 104, 98, 101):
        result = run(rows, nulls=10)
        assert result.returncode == 0, result.stdout.decode()
    assert history.exists()
    burst = run(400, nulls=10)
    assert burst.returncode == 1
    monitors = {m["id"]: m for m in json.loads(burst.stdout)["monitors"]}
    assert monitors["volume"]["anomaly"] is True
    assert monitors["volume"]["history"] == 4
    assert monitors["invalid_rate:threshold"]["anomaly"] is False
    nulls = run(100, nulls=40)  # null rate .1 -> .4: a warning only
    monitors = {m["id"]: m for m in json.loads(nulls.stdout)["monitors"]}
    assert monitors["null_rate(email):rate_of_change"]["anomaly"] is True
    assert monitors["null_rate(email):rate_of_change"]["severity"] == "warn"
    # The default history file lives in the working directory, or $DQ_HISTORY.
    env_history = tmp_path / "env.sqlite"
    data = write(tmp_path, "one.ndjson", '{"id": "o1"}\n')
    env = dict(os.environ, DQ_HISTORY=str(env_history))
    subprocess.run([DQ, "validate", "-c", str(contract), str(data)], env=env, capture_output=True, timeout=60, check=True)
    assert env_history.exists()


def test_the_expectations_example_runs_on_the_taxi_samples():
    # docs/statistics.md shows this run; the figures are pandas' (duplicated(keep=False) over the key).
    example = ROOT / "examples/contracts/taxi_expectations.yaml"
    january = json.loads(dq("validate", "-c", example, taxi_csv("2019-01"), "--format", "json").stdout)
    assert january["ok"] and all(e["ok"] for e in january["expectations"])
    april = dq("validate", "-c", example, taxi_csv("2020-04"), "--format", "json")
    assert april.returncode == 1
    results = {e["id"]: e for e in json.loads(april.stdout)["expectations"]}
    assert results["no_resent_trips"]["value"] == 10
    assert [s["record"] for s in results["no_resent_trips"]["samples"]] == [2200, 4267, 4654, 5461, 7982]
    assert results["payment_mix"]["severity"] == "warn" and not results["payment_mix"]["ok"]
    assert results["weekend_trips"]["value"] == 1905


def test_serve_starts_the_python_web_app_with_its_arguments(tmp_path):
    env = {**os.environ, "DQ_PYTHON": sys.executable}
    shown = subprocess.run([DQ, "serve", "--help"], capture_output=True, env=env, timeout=60)
    assert shown.returncode == 0 and b"--contracts" in shown.stdout and b"--token" in shown.stdout
    refused = subprocess.run([DQ, "serve", "--contracts", str(ROOT / "contracts"), "--data", str(tmp_path),
                              "--host", "0.0.0.0"], capture_output=True, env=env, timeout=60)
    assert refused.returncode != 0 and b"give --token or --users" in refused.stderr
    missing = subprocess.run([DQ, "serve", "--help"], capture_output=True, timeout=60,
                             env={**os.environ, "DQ_PYTHON": str(tmp_path / "no-python")})
    assert missing.returncode == 2 and b"cannot start" in missing.stderr


def test_beam_template_writes_the_flex_template_files(tmp_path):
    env = {**os.environ, "DQ_PYTHON": sys.executable}
    done = subprocess.run([DQ, "beam", "template", str(ROOT / "contracts/agent_sales.yaml"), "-o", str(tmp_path)],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile", "contract.yaml", "main.py", "metadata.json",
                                                          "requirements.txt"]


def test_codegen_writes_a_screen_for_the_contract(tmp_path):
    contract = write(tmp_path, "orders.yaml", CONTRACT)
    out = tmp_path / "screen.cpp"
    result = dq("codegen", contract, "--param", "max_amount=50", "-o", out)
    assert result.returncode == 0, result.stderr.decode()
    text = out.read_text()
    assert "contract shop.orders 1.0.0" in text
    assert '"amount"' in text and '"id"' in text  # the keys, as constants
    assert "static const dq::ScreenRegistration registration(0x" in text
    # The same contract gives the same text (the fingerprint a Validator looks up);
    # the bound is read from the program at run time, so another value does too.
    again = dq("codegen", contract, "--param", "max_amount=70")
    assert again.returncode == 0 and again.stdout.decode() == text
    renamed = write(tmp_path, "renamed.yaml", CONTRACT.replace("amount:", "total:"))
    assert dq("codegen", renamed).stdout.decode() != text


def test_codegen_refuses_a_broken_contract_with_its_position(tmp_path):
    contract = write(tmp_path, "broken.yaml", CONTRACT.replace("pattern: '^o[0-9]+$'", "pattern: '^o[0-9+$'"))
    result = dq("codegen", contract)
    assert result.returncode == 2
    assert "broken.yaml:8:47: error: pattern of field 'id'" in result.stderr.decode()
