"""dq.spark on Spark's local mode (local[2], a real JVM and Python workers):
validate, profile, drift and grade on the real taxi month and on generated
listings equal dq in one process over the same rows; decimals, dates,
timestamps (under two session time zones) and nested columns."""
import datetime as dt
import decimal
import json
import os
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import dq
import dq.spark
from conftest import ROOT
from test_beam import assert_same_drift, assert_same_profile, assert_same_rows

TAXI = "contracts/nyc_taxi.yaml"
TAXI_STRINGS = ["pickup_datetime", "dropoff_datetime", "store_and_fwd_flag"]


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers import dq from this environment
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # loopback only
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("dq-tests").config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.shuffle.partitions", "4").config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def taxi(spark):
    """April 2020 (the month that drifts) in three partitions, and the same rows as one Arrow table."""
    table = pacsv.read_csv(ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv",
                           convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in TAXI_STRINGS}))
    df = spark.createDataFrame(table.to_pandas()).repartition(3).cache()
    return df, df.toArrow()


def samples(section):
    return [(x.get("id"), [(s["record"], s["message"]) for s in x.get("samples", [])]) for x in section]


def test_validate_equals_one_process(root, taxi):
    df, rows = taxi
    checked = dq.spark.validate(df, root / TAXI)
    want = dq.load(root / TAXI).validate_table(rows)
    got = checked.report.to_dict()
    assert got["records"] == want.records and got["records"]["invalid"] == 1157
    assert got["rules"] == want.to_dict()["rules"]  # failures and samples (record numbers in partition order)
    assert samples(got["expectations"]) == samples(want.expectations)
    for a, b in zip(got["expectations"], want.expectations):
        assert a["ok"] == b["ok"] and (a["value"] is None) == (b["value"] is None)
        if a["value"] is not None:
            assert a["value"] == pytest.approx(b["value"], rel=1e-12), a["id"]
    assert checked.valid.count() == want.records["valid"]
    assert checked.valid.columns == df.columns
    dead = checked.dead_letters.collect()
    assert len(dead) == want.records["invalid"]
    reasons = {}
    for f in want.failure_rows():
        reasons.setdefault(f["record"], []).append((f["rule"], f["message"], f["value"]))
    assert sorted(sorted((v.rule, v.message, v.value) for v in row[dq.spark.VIOLATIONS]) for row in dead) == \
        sorted(sorted(r) for r in reasons.values())


def test_profile_and_drift_equal_one_process(root, taxi):
    df, rows = taxi
    contract = dq.load(root / TAXI)
    assert_same_profile(dq.spark.profile(df, root / TAXI), contract.profile(rows))
    got = dq.spark.drift(df, root / TAXI)
    want = contract.drift(rows, baseline=root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    assert got.ok is want.ok is False
    assert_same_drift(got.results, want.results)


def test_grade_equals_dq_grade_on_generated_listings(root, spark, tmp_path):
    import subprocess

    data = tmp_path / "listings.ndjson"
    subprocess.run([sys.executable, root / "examples/generate_listings.py", "--rows", "20000", "-o", data], check=True)
    df = spark.read.json(str(data), schema=None).repartition(4)
    # dq grade over the same rows as Spark reads them, in partition order
    ordered = tmp_path / "ordered.ndjson"
    ordered.write_text("".join(json.dumps(r.asDict(recursive=True), default=str) + "\n" for r in df.collect()))
    params = {"gold_deals": 3}
    got = dq.spark.grade(df, root / "contracts/agent_sales.yaml", params=params)
    want = dq.load(root / "contracts/agent_sales.yaml", params=params).grade(ordered)
    assert got.summary["rows"] == {k: want.summary["rows"][k] for k in got.summary["rows"]}
    assert got.summary["tiers"] == want.tiers
    assert_same_rows([r.asDict() for r in got.rows.collect()], want)


def test_a_broken_contract_fails_where_the_job_is_built(spark, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("dq: 1\ndataset: x\nversion: 1.0.0\nowner: {team: t, contact: t@example.com}\n"
                      "fields:\n  id: {type: integr}\n")
    df = spark.range(3)
    with pytest.raises(dq.ContractError) as e:
        dq.spark.validate(df, broken)
    assert "broken.yaml:6:" in str(e.value)


NESTED = """dq: 1
dataset: shop.orders
version: 1.0.0
owner: {team: shop, contact: shop@example.com}
fields:
  id: {type: integer, required: true}
  amount: {type: number, min: 0, max: 100}
  placed: {type: timestamp, min: '2026-01-01T00:00:00Z'}
  day: {type: date, max: '2026-06-30'}
  customer:
    type: object
    fields:
      country: {type: string, pattern: '^[A-Z]{2}$'}
  tags: {type: array, max_items: 2, items: {type: string}}
"""


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_decimals_dates_timestamps_and_nested_columns(spark, tmp_path, zone):
    from pyspark.sql.types import (ArrayType, DateType, DecimalType, LongType, StringType, StructField, StructType,
                                   TimestampType)

    contract = tmp_path / "orders.yaml"
    contract.write_text(NESTED)
    utc = dt.timezone.utc
    rows = [
        (1, decimal.Decimal("12.50"), dt.datetime(2026, 3, 1, 12, 0, tzinfo=utc), dt.date(2026, 3, 1), ("US",), ["a"]),
        (2, decimal.Decimal("120.00"), dt.datetime(2026, 3, 1, tzinfo=utc), dt.date(2026, 3, 2), ("US",), []),
        (3, decimal.Decimal("5.00"), dt.datetime(2025, 12, 31, 23, 0, tzinfo=utc), dt.date(2026, 3, 3), ("us",), None),
        (4, None, dt.datetime(2026, 1, 1, 0, 0, tzinfo=utc), dt.date(2026, 7, 1), None, ["a", "b", "c"]),
    ]
    schema = StructType([StructField("id", LongType()), StructField("amount", DecimalType(10, 2)),
                         StructField("placed", TimestampType()), StructField("day", DateType()),
                         StructField("customer", StructType([StructField("country", StringType())])),
                         StructField("tags", ArrayType(StringType()))])
    spark.conf.set("spark.sql.session.timeZone", zone)
    try:
        df = spark.createDataFrame(rows, schema).repartition(2)
        checked = dq.spark.validate(df, contract)
        want = dq.load(contract).validate_table(df.toArrow())
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    assert checked.report.records == want.records
    failed = {r["id"]: r["failed"] for r in checked.report.rules}
    # 120 > 100; one second before 2026 (New York's clock does not move an instant); "us"; a July day; three tags.
    assert failed == {"amount.max": 1, "placed.min": 1, "customer.country.pattern": 1, "day.max": 1,
                      "tags.max_items": 1}
    assert failed == {r["id"]: r["failed"] for r in want.rules}
    assert sorted(r.id for r in checked.valid.collect()) == [1]
    assert sorted(r.id for r in checked.dead_letters.collect()) == [2, 3, 4]
