"""dq.infer from Python: paths and tables in, the contract text and a loaded Contract out."""
import pathlib

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import dq

ROOT = pathlib.Path(__file__).resolve().parents[2]
TAXI = ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv"


@pytest.fixture(scope="module")
def trips():
    return pd.read_csv(TAXI, parse_dates=["pickup_datetime", "dropoff_datetime"])


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_a_table_gives_a_contract_that_accepts_it(trips, kind):
    table = {"pandas": trips, "polars": pl.from_pandas(trips), "pyarrow": pa.Table.from_pandas(trips)}[kind]
    text, contract = dq.infer(table, dataset="nyc.taxi")
    assert isinstance(contract, dq.Contract) and contract.dataset == "nyc.taxi"
    assert "type: timestamp" in text  # typed columns stay typed
    report = contract.validate_table(table)
    assert report.records["valid"] == len(trips) and report.ok


def test_paths_and_strictness(trips):
    text, contract = dq.infer(TAXI, strictness="strict", sample=500)
    assert "from 500 records" in text and "strictness strict" in text
    assert contract.validate_csv(TAXI).records["total"] == len(trips)
    with pytest.raises(ValueError):
        dq.infer(TAXI, strictness="lax")
    with pytest.raises(dq.DataError):
        dq.infer(pd.DataFrame({"a": []}))  # no records: nothing to infer from


def test_a_corrupted_copy_is_caught(trips):
    _, contract = dq.infer(trips)
    broken = trips.copy()
    broken.loc[0:49, "payment_type"] = 9          # an enum broken
    broken.loc[50:99, "trip_distance"] = -5.0     # a range broken
    report = contract.validate_table(broken)
    failed = {r["id"] for r in report.rules}
    assert {"payment_type.enum", "trip_distance.min"} <= failed
    assert report.records["invalid"] == 100


def test_parquet_and_arrow_files_are_read_by_path(trips, tmp_path):
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(trips, preserve_index=False)
    pq.write_table(table, tmp_path / "trips.parquet")
    feather.write_feather(table, tmp_path / "trips.arrow")
    from_table, _ = dq.infer(table, dataset="nyc.taxi")
    for path in (tmp_path / "trips.parquet", tmp_path / "trips.arrow"):
        text, contract = dq.infer(path, dataset="nyc.taxi")
        assert text == from_table  # the same records, the same contract
        report = contract.validate_table(path)
        assert report.ok and report.records["valid"] == len(trips)
        assert contract.profile(str(path)).rows == len(trips)


def test_update_contract_proposes_changes_and_writes_nothing(tmp_path):
    contract = ROOT / "contracts/nyc_taxi.yaml"
    before = contract.read_text()
    february = ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-02.csv"
    update = dq.update_contract(contract, february)
    assert isinstance(update, dq.ContractUpdate) and update.records == 10_000 and update.malformed == 0
    assert "passenger_count.min: 1 -> 0 (the new data has 0)" in update.changes
    assert contract.read_text() == before
    proposed = dq.loads(update.text, name="proposed.yaml")
    assert proposed.validate_csv(february).records["invalid"] < dq.load(contract).validate_csv(february).records["invalid"]
    unchanged = dq.update_contract(contract, ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv",
                                   sample=100)
    assert unchanged.records == 100
