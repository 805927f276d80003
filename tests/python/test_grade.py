"""Contract.grade from Python: the same grader as `dq grade`, with the export as a DataFrame."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dq

ROOT = Path(__file__).resolve().parents[2]
SALES = ROOT / "contracts/agent_sales.yaml"
TAXI = ROOT / "contracts/nyc_taxi.yaml"
TAXI_DATA = ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-02.csv"


def test_grading_taxi_zones_gives_a_table_and_a_reconciled_summary(tmp_path):
    run = dq.load(TAXI).grade(TAXI_DATA, rejects=tmp_path / "rejects.ndjson", output=tmp_path / "zones.csv")
    assert run.reconciled
    rows = run.summary["rows"]
    assert rows["read"] == 10000 == rows["valid"] + rows["invalid"] + rows["malformed"]
    table = run.to_pandas()
    assert list(table.columns) == run.columns == ["pickup_location_id", "tier", "trips", "fares", "mean_fare",
                                                  "card_trips", "card_tips", "destinations", "last_pickup"]
    assert len(table) == run.summary["entities"]["total"] == sum(run.tiers.values())
    assert table.trips.sum() == rows["graded"]
    hubs = table[table.tier == "hub"]
    assert (hubs.trips >= 200).all() and (hubs.fares >= 2500).all()
    assert len((tmp_path / "rejects.ndjson").read_text().splitlines()) == rows["invalid"] + rows["malformed"]
    assert (tmp_path / "zones.csv").read_text().splitlines()[0] == ",".join(run.columns)


def test_params_come_from_load_and_rejects_read_again(tmp_path):
    data = tmp_path / "listings.ndjson"
    subprocess.run([sys.executable, ROOT / "examples/generate_listings.py", "--rows", "5000", "-o", data], check=True)
    base = dq.load(SALES).grade(data, rejects=tmp_path / "r.ndjson")
    strict = dq.load(SALES, params={"platinum_volume": 1e12, "export_tiers": "platinum"}).grade(data)
    assert strict.tiers["platinum"] == 0 and strict.to_pandas().empty
    assert strict.summary["params"]["platinum_volume"] == "1000000000000.0"
    again = dq.load(SALES).grade(tmp_path / "r.ndjson", input_format="rejects")
    assert again.summary["rows"]["read"] == base.summary["rejects"]["written"]
    assert again.summary["rows"]["valid"] == 0  # same contract: the same records fail again
    assert "GRADED" in str(base) and repr(base).startswith("<dq.GradeRun realty.agent_sales")


def test_grading_errors_are_python_errors(tmp_path):
    with pytest.raises(dq.DataError, match="has no 'grading' section"):
        dq.load(ROOT / "contracts/tweets.yaml").grade(TAXI_DATA)
    with pytest.raises(OSError, match="cannot open"):
        dq.load(TAXI).grade(tmp_path / "missing.csv")
    with pytest.raises(ValueError):
        dq.load(TAXI).grade(TAXI_DATA, input_format="xml")
