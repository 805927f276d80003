"""End-to-end tests of `dq grade`: generated listings with real-world dirt, and real taxi trips."""
import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dq_cli import ROOT, dq

SALES = ROOT / "contracts/agent_sales.yaml"
TAXI = ROOT / "contracts/nyc_taxi.yaml"
TAXI_DATA = ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv"
GENERATOR = ROOT / "examples/generate_listings.py"



def generate(path, rows=20000, seed=11):
    subprocess.run([sys.executable, GENERATOR, "--rows", str(rows), "--seed", str(seed), "-o", path], check=True)
    return path


def grade(contract, *data, tmp, name="run", extra=()):
    out, rejects, report = tmp / f"{name}.csv", tmp / f"{name}.rejects.ndjson", tmp / f"{name}.json"
    result = dq("grade", "-c", contract, *data, "-o", out, "--rejects", rejects, "--report", report, "-q", *extra)
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(report.read_text()), out, rejects


def lines(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def assert_reconciled(run):
    rows = run["rows"]
    assert rows["read"] == rows["valid"] + rows["invalid"] + rows["malformed"]
    assert rows["valid"] == rows["filtered"] + rows["graded"]
    assert sum(t["entities"] for t in run["tiers"]) == run["entities"]["total"]
    assert run["reconciled"] == {"rows": True, "valid": True, "entities": True}
    assert run["ok"] is True


@pytest.fixture(scope="module")
def listings(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("listings")
    return generate(tmp / "listings.ndjson"), generate(tmp / "listings.csv")


def test_generated_listings_reconcile_and_every_reject_is_kept_raw(listings, tmp_path):
    ndjson, _ = listings
    run, out, rejects = grade(SALES, ndjson, tmp=tmp_path)
    assert_reconciled(run)
    rows = run["rows"]
    assert rows["read"] == 20000
    # The generator's dirt, at its rates: each kind shows up, none is passed silently.
    assert rows["malformed"] > 0 and rows["invalid"] > 0 and rows["coerced"] > 0
    assert run["rejects"]["written"] == rows["invalid"] + rows["malformed"]
    rejected = lines(rejects)
    assert len(rejected) == rows["invalid"] + rows["malformed"]
    raw_lines = Path(ndjson).read_text().splitlines()
    for r in rejected:
        assert r["raw"] == raw_lines[r["line"] - 1]  # the exact bytes, found again by line
        assert r["violations"] or r["malformed"]
    checks = {rule["id"] for rule in run["validation"]["rules"]}
    assert {"price.coerce", "list_date.coerce", "state.pattern", "rules.sold_has_price_and_date"} <= checks
    duplicates = {e["id"]: e for e in run["validation"]["expectations"]}["listing_ids_unique"]
    assert duplicates["value"] > 0  # repeated listings are surfaced
    with open(out, newline="") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == run["entities"]["exported"] == run["entities"]["total"]
    assert [t["name"] for t in run["tiers"]] == ["platinum", "gold", "silver", "bronze"]
    # Tier order first, then agent id.
    order = {"platinum": 0, "gold": 1, "silver": 2, "bronze": 3}
    keys = [(order[r["tier"]], r["agent_id"]) for r in exported]
    assert keys == sorted(keys)
    for r in exported:
        volume = float(r["volume"])
        assert (r["tier"] == "platinum") == (volume >= 40_000_000)
    assert run["inputs"][0]["sha256"] == hashlib.sha256(Path(ndjson).read_bytes()).hexdigest()
    assert run["params"]["platinum_volume"] == "40000000"


def test_csv_and_ndjson_inputs_grade_identically(listings, tmp_path):
    ndjson, csv_path = listings
    a, out_a, _ = grade(SALES, ndjson, tmp=tmp_path, name="a")
    b, out_b, rejects_b = grade(SALES, csv_path, tmp=tmp_path, name="b")
    assert out_a.read_bytes() == out_b.read_bytes()
    assert a["rows"] == b["rows"]
    assert a["tiers"] == b["tiers"]
    assert all("csv_header" in r for r in lines(rejects_b))


def test_params_set_thresholds_cutoffs_export_and_active_records(listings, tmp_path):
    ndjson, _ = listings
    base, _, _ = grade(SALES, ndjson, tmp=tmp_path, name="base")
    lower, out, _ = grade(SALES, ndjson, tmp=tmp_path, name="lower",
                          extra=("--param", "platinum_volume=20000000", "--param", "export_tiers=platinum,gold"))
    tiers = lambda run: {t["name"]: t["entities"] for t in run["tiers"]}
    assert tiers(lower)["platinum"] > tiers(base)["platinum"]
    with open(out, newline="") as f:
        assert {r["tier"] for r in csv.DictReader(f)} == {"platinum", "gold"}
    assert lower["entities"]["exported"] == tiers(lower)["platinum"] + tiers(lower)["gold"]
    active, _, _ = grade(SALES, ndjson, tmp=tmp_path, name="active", extra=("--param", "include_active=true"))
    assert active["rows"]["graded"] > base["rows"]["graded"]
    later, _, _ = grade(SALES, ndjson, tmp=tmp_path, name="later", extra=("--param", "since=2026-01-01"))
    assert later["rows"]["filtered"] > base["rows"]["filtered"]
    for run in (lower, active, later):
        assert_reconciled(run)


def test_rejects_grade_again_after_a_contract_fix(listings, tmp_path):
    ndjson, csv_path = listings
    first, _, rejects = grade(SALES, ndjson, tmp=tmp_path, name="first")
    spelled_out = first["validation"]["rules"]
    state_failures = {r["id"]: r["failed"] for r in spelled_out}["state.pattern"]
    # The fix: feeds that spell the state out are accepted.
    fixed = tmp_path / "agent_sales.yaml"
    fixed.write_text(SALES.read_text().replace("pattern: '^[A-Z]{2}$'", "pattern: '^([A-Z]{2}|[A-Z][a-z]+( [A-Z][a-z]+)?)$'"))
    again, _, rejects_again = grade(fixed, rejects, tmp=tmp_path, name="again", extra=("--input-format", "rejects"))
    assert_reconciled(again)
    assert again["rows"]["read"] == first["rejects"]["written"]
    assert again["rows"]["valid"] == state_failures
    assert again["rows"]["invalid"] + again["rows"]["malformed"] == first["rejects"]["written"] - state_failures
    assert len(lines(rejects_again)) == first["rejects"]["written"] - state_failures
    # CSV rejects carry their header, so they read again the same way.
    _, _, csv_rejects = grade(SALES, csv_path, tmp=tmp_path, name="csv_first")
    again_csv, _, _ = grade(fixed, csv_rejects, tmp=tmp_path, name="csv_again", extra=("--input-format", "rejects"))
    assert again_csv["rows"] == again["rows"]


def test_real_taxi_zones_grade_as_pandas_computes_them(tmp_path):
    run, out, rejects = grade(TAXI, TAXI_DATA, tmp=tmp_path)
    assert_reconciled(run)
    assert run["rows"]["read"] == 10000
    # Independently: drop the rejected rows by line, apply the filter, group, tier.
    rejected_lines = {r["line"] for r in lines(rejects)}
    trips = pd.read_csv(TAXI_DATA)
    trips = trips[~(trips.index + 2).isin(rejected_lines)]
    trips = trips[trips.fare_amount > 0]
    zones = trips.groupby("pickup_location_id").agg(trips=("fare_amount", "size"), fares=("fare_amount", "sum"),
                                                    destinations=("dropoff_location_id", "nunique"))
    zones["tier"] = "quiet"
    zones.loc[zones.trips >= 50, "tier"] = "busy"
    zones.loc[(zones.trips >= 200) & (zones.fares >= 2500), "tier"] = "hub"
    graded = pd.read_csv(out).set_index("pickup_location_id").sort_index()
    zones = zones.sort_index()
    assert list(graded.index) == list(zones.index)
    assert (graded.tier == zones.tier).all()
    assert (graded.trips == zones.trips).all()
    assert (graded.destinations == zones.destinations).all()
    assert ((graded.fares - zones.fares).abs() < 1e-6).all()
    assert {t["name"]: t["entities"] for t in run["tiers"]} == zones.tier.value_counts().reindex(
        ["hub", "busy", "quiet"], fill_value=0).to_dict()


def test_ndjson_export_by_extension_and_stdin_input(tmp_path):
    data = TAXI_DATA.read_bytes()
    out = tmp_path / "zones.ndjson"
    result = dq("grade", "-c", TAXI, "-", "--input-format", "csv", "-o", out, "--format", "json", stdin=data)
    assert result.returncode == 0, result.stderr.decode()
    run = json.loads(result.stdout)
    assert run["inputs"] == [{"path": "-", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                              "records": 10000}]
    first = json.loads(out.read_text().splitlines()[0])
    assert list(first)[:3] == ["pickup_location_id", "tier", "trips"]
    assert first["tier"] == "hub" and isinstance(first["fares"], float)


HEADER = "listing_id,agent_id,agent_name,brokerage,status,price,list_date,close_date,city,state,bedrooms\n"


@pytest.mark.parametrize("name,text", [("empty.ndjson", ""), ("empty.csv", ""), ("header_only.csv", HEADER)])
def test_empty_inputs_grade_nothing_and_still_reconcile(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    run, out, rejects = grade(SALES, path, tmp=tmp_path)
    assert_reconciled(run)
    assert run["rows"]["read"] == 0 and run["entities"]["total"] == 0
    assert out.read_text() == "agent_id,tier,volume,deals,active_listings,mean_price,largest_deal,last_close,cities,agent_name,brokerage\n"
    assert rejects.read_text() == ""


def test_a_missing_key_or_an_unreadable_measure_input_is_rejected_with_its_reason(tmp_path):
    data = tmp_path / "bad.ndjson"
    data.write_text(
        '{"listing_id": "L000000001", "agent_name": "No Key", "status": "sold", "price": 1000000,'
        ' "list_date": "2025-02-01", "close_date": "2025-03-01"}\n'
        '{"listing_id": "L000000002", "agent_id": "A000001", "agent_name": "Ann", "status": "sold",'
        ' "price": "about a million", "list_date": "2025-02-01", "close_date": "2025-03-01"}\n'
        '{"listing_id": "L000000003", "agent_id": "A000001", "agent_name": "Ann", "status": "sold",'
        ' "price": "$2,000,000", "list_date": "2025-02-01", "close_date": "03/01/2025"}\n')
    run, out, rejects = grade(SALES, data, tmp=tmp_path)
    assert_reconciled(run)
    reasons = [[v["rule"] for v in r["violations"] if v["severity"] == "error"] for r in lines(rejects)]
    # An unreadable price is no price: the sale rule fails too.
    assert reasons == [["agent_id.required"], ["price.type", "rules.sold_has_price_and_date"]]
    assert run["rows"]["coerced"] == 1
    with open(out, newline="") as f:
        (ann,) = list(csv.DictReader(f))
    assert (ann["agent_id"], ann["volume"], ann["last_close"]) == ("A000001", "2000000", "2025-03-01")


def test_runs_that_cannot_grade_exit_2_with_the_reason(tmp_path):
    data = tmp_path / "x.ndjson"
    data.write_text('{"agent_id": "A000001"}\n')
    result = dq("grade", "-c", ROOT / "contracts/tweets.yaml", data, "-o", tmp_path / "o.csv")
    assert result.returncode == 2
    assert b"has no 'grading' section" in result.stderr
    result = dq("grade", "-c", SALES, data, "--param", "export_tiers=platnum")
    assert result.returncode == 2
    assert b"grading 'export' names unknown tier 'platnum' (did you mean 'platinum'?)" in result.stderr
    result = dq("grade", "-c", SALES, tmp_path / "missing.ndjson")
    assert result.returncode == 2
    big = tmp_path / "many.ndjson"
    big.write_text("".join(
        f'{{"listing_id": "L{i:09d}", "agent_id": "A{i:06d}", "agent_name": "N", "status": "sold", "price": 5000,'
        f' "list_date": "2025-02-01", "close_date": "2025-03-01"}}\n' for i in range(20000)))
    result = dq("grade", "-c", SALES, big, "--max-state-mb", "1", "-o", tmp_path / "never.csv")
    assert result.returncode == 2
    assert b"per-entity state passed its limit of 1 MiB at record" in result.stderr
    assert not (tmp_path / "never.csv").exists()
