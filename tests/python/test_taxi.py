"""Real data: the NYC taxi samples give one report whether read as CSV by dq,
or as a pandas or polars DataFrame."""
import pandas as pd
import polars as pl
import pytest

import dq


@pytest.mark.parametrize("month, invalid", [("2019-01", 105), ("2019-02", 1669), ("2020-04", 1157)])
def test_taxi_months_agree_across_readers(root, month, invalid):
    contract = dq.load(root / "contracts/nyc_taxi.yaml")
    path = root / f"examples/data/nyc_taxi/yellow_tripdata_sample_{month}.csv"
    reports = [contract.validate_csv(path), contract.validate_table(pd.read_csv(path)),
               contract.validate_table(pl.read_csv(path))]
    for report in reports:
        assert report.records == {"total": 10000, "valid": 10000 - invalid, "invalid": invalid, "malformed": 0, "coerced": 0}
    failed = [[(r["id"], r["failed"]) for r in report.rules] for report in reports]
    assert failed[0] == failed[1] == failed[2]


def test_april_2020_misses_vendor_and_passenger_fields(root):
    contract = dq.load(root / "contracts/nyc_taxi.yaml")
    report = contract.validate_csv(root / "examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv")
    failed = {r["id"]: r["failed"] for r in report.rules}
    assert failed["vendor_id.required"] == 803  # blank cells in 803 rows
    assert failed["rate_code_id.enum"] == 1      # the code 99
