"""Profiles, drift and expectations through the Python package, on real data."""
import csv
import json

import matplotlib
import pandas as pd
import pyarrow as pa
import pytest

import dq

matplotlib.use("Agg")

TAXI_MONTHS = ["2019-01", "2019-02", "2020-04"]


def taxi_csv(root, month):
    return root / f"examples/data/nyc_taxi/yellow_tripdata_sample_{month}.csv"


@pytest.fixture
def taxi(root):
    return dq.load(root / "contracts/nyc_taxi.yaml")


def comparable(profile):
    """A profile's dict with the floating-point moments rounded (they merge
    exactly only up to rounding); everything else must match exactly."""
    d = profile.to_dict()
    for f in d["fields"]:
        for key in ("mean", "m2"):
            if f.get(key) is not None:
                f[key] = float(f"{f[key]:.9g}")
    return d


def csv_as_ndjson(path, contract_path):
    """The CSV's rows as NDJSON, each cell written as CSV input types it: a
    number where the contract wants a number, null when empty, else a string."""
    import yaml

    fields = yaml.safe_load(open(contract_path))["fields"]
    lines = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            record = {}
            for key, text in row.items():
                kind = fields[key]["type"]
                if text == "":
                    record[key] = None
                elif kind in ("integer", "number"):
                    record[key] = json.loads(text)
                else:
                    record[key] = text
            lines.append(json.dumps(record))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("month", TAXI_MONTHS)
def test_record_and_columnar_engines_profile_the_same(root, taxi, month):
    from_csv = taxi.profile(taxi_csv(root, month))  # columnar batches
    from_pandas = taxi.profile(pd.read_csv(taxi_csv(root, month)))  # Arrow from pandas
    from_json = taxi.profile(csv_as_ndjson(taxi_csv(root, month), root / "contracts/nyc_taxi.yaml"))  # record engine
    assert from_csv.rows == 10_000
    assert comparable(from_csv) == comparable(from_json)
    assert comparable(from_csv) == comparable(from_pandas)


def test_merged_partial_profiles_equal_the_whole(root, taxi):
    df = pd.read_csv(taxi_csv(root, "2019-02"))
    parts = [taxi.profile(pa.Table.from_pandas(df.iloc[i::3], preserve_index=False)) for i in range(3)]
    whole = taxi.profile(df)
    assert comparable(parts[0].merge(parts[1], parts[2])) == comparable(whole)
    assert comparable(parts[2].merge(parts[0]).merge(parts[1])) == comparable(whole)


def test_committed_baseline_is_the_profile_of_january_2019(root, taxi):
    committed = dq.Profile.load(root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    assert comparable(committed) == comparable(taxi.profile(taxi_csv(root, "2019-01")))


def test_february_2019_fails_only_on_zero_passenger_trips_the_baseline_never_had(root, taxi):
    drift = taxi.drift(taxi_csv(root, "2019-02"), baseline=root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    # The congestion surcharge started in February 2019: a warning, not a failure.
    assert drift["congestion_surcharge"]["status"] == "warn"
    # 15.8% of February's trips carry 0 passengers, a value January's sample
    # never holds: mass below the baseline's range, its own bin.
    assert {r["field"] for r in drift.results if r["status"] == "fail"} == {"passenger_count"}
    top = drift["passenger_count"]["movers"][0]
    assert (top["bin"], top["baseline"], round(top["current"], 4)) == ("< 1", 0.0, 0.1579)
    assert not drift.ok


def test_april_2020_drifts_where_a_human_would_look(root, taxi):
    drift = taxi.drift(pd.read_csv(taxi_csv(root, "2020-04")),
                       baseline=root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    assert not drift.ok
    failed = {r["field"] for r in drift.results if r["status"] == "fail"}
    assert failed == {"pickup_location_id", "dropoff_location_id", "payment_type", "passenger_count"}
    # Cash share rose as card payments fell; the report names both.
    movers = {m["bin"]: m for m in drift["payment_type"]["movers"]}
    assert movers["2"]["current"] > movers["2"]["baseline"] + 0.09
    assert movers["1"]["current"] < movers["1"]["baseline"] - 0.09
    # Fewer shared rides: more single-passenger trips, each passenger count a bin of its own.
    passengers = {m["bin"]: m for m in drift["passenger_count"]["movers"]}
    assert passengers["1"]["current"] > passengers["1"]["baseline"] + 0.08
    assert passengers["2"]["current"] < passengers["2"]["baseline"] - 0.05


def test_push_events_lose_payload_fields_as_schema_drift(root):
    contract = dq.load(root / "contracts/github_push_events.yaml")
    baseline = contract.profile(root / "examples/data/github_push/pre_2024-05-21.ndjson")
    drift = contract.drift(root / "examples/data/github_push/post_2025-12-15.ndjson", baseline=baseline)
    assert {r["field"] for r in drift.results if r["status"] == "fail"} == {
        "payload.size", "payload.distinct_size", "payload.commits"}
    assert drift["payload.ref"]["status"] == "ok"
    same = contract.drift(root / "examples/data/github_push/pre_2024-05-21.ndjson", baseline=baseline)
    assert same.ok


def test_reports_carry_expectations_and_drift(root, taxi):
    baseline = dq.Profile.load(root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    report = taxi.validate_csv(taxi_csv(root, "2020-04"), baseline=baseline)
    expectations = {e["id"]: e for e in report.expectations}
    assert expectations["enough_trips"] == {"id": "enough_trips", "metric": "row_count", "field": "", "value": 10000.0,
                                            "min": 1000.0, "max": None, "severity": "error", "ok": True}
    assert expectations["typical_fare"]["ok"]
    assert [d["status"] for d in report.drift].count("fail") == 4
    assert report.profile.rows == 10_000
    no_baseline = taxi.validate_csv(taxi_csv(root, "2020-04"))
    assert {d["status"] for d in no_baseline.drift} == {"skipped"}


def test_profile_plot_draws_baseline_and_current_bars(root, taxi):
    baseline = dq.Profile.load(root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    current = taxi.profile(taxi_csv(root, "2020-04"))
    ax = baseline.plot("payment_type", current)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["1", "2", "[3, 4]"]
    heights = [round(p.get_height(), 4) for p in ax.patches]
    assert heights == [0.7134, 0.2814, 0.0052, 0.6047, 0.3762, 0.0191]
    ax = baseline.plot("store_and_fwd_flag")  # categories, one profile
    assert [t.get_text() for t in ax.get_xticklabels()] == ["N", "Y"]


def test_a_broken_profile_is_a_data_error(tmp_path):
    with pytest.raises(dq.DataError, match="not a dq profile"):
        dq.Profile.from_json('{"rows": 1}')
    with pytest.raises(dq.DqError):
        dq.Profile.from_json("{")


def test_profiles_of_different_contracts_do_not_merge(root, taxi):
    push = dq.load(root / "contracts/github_push_events.yaml")
    a = taxi.profile(taxi_csv(root, "2019-01"))
    b = push.profile(root / "examples/data/github_push/pre_2024-05-21.ndjson")
    with pytest.raises(dq.DqError, match="cannot merge"):
        a.merge(b)


def test_profiles_and_reports_match_their_json_schemas(root, taxi):
    import jsonschema

    def check(document, name):
        schema = json.loads((root / "schemas" / name).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)

    baseline = dq.Profile.load(root / "contracts/baselines/nyc_taxi_2019-01.profile.json")
    check(baseline.to_dict(), "profile.schema.json")
    push = dq.load(root / "contracts/github_push_events.yaml").profile(root / "examples/data/github_push/pre_2024-05-21.ndjson")
    check(push.to_dict(), "profile.schema.json")
    check(taxi.validate_csv(taxi_csv(root, "2020-04"), baseline=baseline).to_dict(), "report.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        broken = baseline.to_dict()
        broken["fields"][0]["count"] = -1
        check(broken, "profile.schema.json")


FLAT = """dq: 1
dataset: flat.events
version: 1.0.0
owner: {team: qa}
fields:
  id: {type: integer, required: true, min: 0}
  small: {type: integer, min: 0, max: 1000}
  ratio: {type: number, min: -1, max: 1}
  kind: {type: string, enum: [a, b, c, d]}
  code: {type: string, pattern: '^[A-Z]{2}[0-9]{3}$'}
  flag: {type: boolean}
  missing: {type: number}
"""


def test_screened_batches_profile_like_walked_records():
    """Rule-free flat tables skip the walk for rows that pass (screening);
    their profile is computed column at a time and must equal the record
    engine's on the same rows, invalid rows included."""
    import random

    rng = random.Random(11)
    rows = []
    for i in range(20_000):
        rows.append({
            "id": i,
            "small": rng.choice([None, rng.randrange(0, 1200)]),
            "ratio": rng.choice([None, rng.uniform(-1.2, 1.2), 0.0, -0.5]),
            "kind": rng.choice(["a", "b", "c", "d", "e", None]),
            "code": rng.choice([f"AB{rng.randrange(1000):03d}", "bad", None]),
            "flag": rng.choice([True, False, None]),
        })
    contract = dq.loads(FLAT)
    table = pa.Table.from_pylist(rows, schema=pa.schema([
        ("id", pa.int64()), ("small", pa.int32()), ("ratio", pa.float64()), ("kind", pa.string()),
        ("code", pa.large_string()), ("flag", pa.bool_())]))
    ndjson = ("\n".join(json.dumps({k: v for k, v in r.items() if v is not None or k == "small"}) for r in rows) + "\n").encode()
    from_table = contract.profile(table)
    from_records = contract.profile(ndjson)
    assert from_table.rows == 20_000
    assert comparable(from_table) == comparable(from_records)
    # In batches (and in windows of a batch), values already counted are not new:
    # the table of about 1000 codes is kept, as one pass over the records keeps it.
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=3000))
    assert comparable(contract.profile(chunked)) == comparable(from_records)
    code = from_table.field("code")
    assert code["values_overflow"] is False and len(code["value_counts"]) <= 1001
    assert from_table.field("missing")["nulls"] == 20_000


def test_screened_strings_past_their_table_profile_like_walked_records():
    """A column of more distinct strings than a profile keeps (max_values)
    is counted value by value once its table is given up, and a column of a
    few values counts each value's register, exact-set entry and length once
    per batch: lengths in code points (multibyte text), distinct registers and
    exact distinct counts must equal the record engine's on the same rows."""
    import random

    rng = random.Random(5)
    # Short strings are compared a word at a time: some differ only in their last byte.
    cities = ["Zürich", "São Paulo", "東京", "Reykjavík", "Lodz", "Kraków ", "a", "", "station-01", "station-02",
              "exactly-16-bytes", "exactly-16-bytez", "seventeen bytes!!"]
    rows = [{
        "id": i,
        "name": rng.choice(["é", "ab", "€uro", "x"]) * rng.randrange(0, 12) + f"-{i}",
        "city": rng.choice(cities + [None]),
    } for i in range(30_000)]
    contract = dq.loads("""dq: 1
dataset: flat.people
version: 1.0.0
owner: {team: qa}
fields:
  id: {type: integer, required: true, min: 0}
  name: {type: string, max_length: 60}
  city: {type: string}
expectations:
  - {name: names, metric: distinct_count, field: name, min: 1}
  - {name: cities, metric: distinct_count, field: city, min: 1}
""")
    table = pa.Table.from_pylist(rows, schema=pa.schema([("id", pa.int64()), ("name", pa.string()),
                                                         ("city", pa.large_string())]))
    ndjson = ("\n".join(json.dumps({k: v for k, v in r.items() if v is not None}) for r in rows) + "\n").encode()
    from_records = contract.profile(ndjson)
    for batches in (table, pa.Table.from_batches(table.to_batches(max_chunksize=7000))):
        assert comparable(contract.profile(batches)) == comparable(from_records)
    name, city = from_records.field("name"), from_records.field("city")
    assert name["values_overflow"] is True and city["values_overflow"] is False
    lengths = [len(r["name"]) for r in rows]
    assert name["lengths"] == {"min": min(lengths), "max": max(lengths), "total": sum(lengths)}
    city_lengths = [len(r["city"]) for r in rows if r["city"] is not None]
    assert city["lengths"] == {"min": 0, "max": 17, "total": sum(city_lengths)}
    assert city["value_counts"]["station-01"] + city["value_counts"]["station-02"] == sum(
        r["city"] in ("station-01", "station-02") for r in rows)
    for report in (contract.validate_table(table), contract.validate_ndjson(ndjson)):
        observed = {e["id"]: e["value"] for e in report.expectations}
        assert observed == {"names": 30_000, "cities": len(cities)}

