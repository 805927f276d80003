"""dq infer end to end: inferred contracts load, lint only on their placeholders,
validate every record they were inferred from, and state what they saw."""
import json
import random
import re

import pytest
import yaml

from dq_cli import ROOT, dq

DATASETS = [
    ROOT / "examples/data/github_events.json",
    ROOT / "examples/data/tweets.ndjson",
    ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv",
    ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2020-04.csv",
    ROOT / "examples/data/titanic.csv",
    *sorted((ROOT / "examples/data/github_push").glob("*.ndjson")),
]


def infer(tmp_path, *data, strictness="normal", name="inferred.yaml", extra=()):
    out = tmp_path / name
    result = dq("infer", *data, "-o", out, "--strictness", strictness, "--dataset", "test.inferred", *extra)
    assert result.returncode == 0, result.stderr.decode()
    return out


def validate_json(contract, *data):
    result = dq("validate", "-c", contract, "--format", "json", "--no-history", *data)
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("strictness", ["loose", "normal", "strict"])
@pytest.mark.parametrize("data", DATASETS, ids=lambda p: p.name)
def test_an_inferred_contract_accepts_all_of_its_sample(tmp_path, data, strictness):
    contract = infer(tmp_path, data, strictness=strictness)
    code, report = validate_json(contract, data)
    assert report["records"]["invalid"] == 0 and report["records"]["malformed"] == 0, report["rules"]
    assert report["ok"] and code == 0, (report["expectations"], report["drift"])
    # The drift baseline beside it is the sample's own profile: no drift at all.
    assert (tmp_path / "inferred.profile.json").exists() == ("\ndrift:" in contract.read_text())
    assert all(d["status"] == "ok" for d in report["drift"])


def test_inference_is_deterministic(tmp_path):
    data = ROOT / "examples/data/tweets.ndjson"
    first = infer(tmp_path, data, name="a.yaml").read_bytes()
    second = infer(tmp_path, data, name="b.yaml").read_bytes()
    assert first.replace(b"a.profile.json", b"X") == second.replace(b"b.profile.json", b"X")


def test_the_contract_lints_clean_but_for_its_placeholders(tmp_path):
    contract = infer(tmp_path, ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv")
    result = dq("lint", contract)
    rules = set(re.findall(rb"\[([a-z-]+)\]", result.stdout + result.stderr))
    assert b"owner-contact" in rules  # the owner placeholder is flagged until a person fills it
    assert rules <= {b"owner-contact", b"dataset-description", b"dataset-classification", b"required-description",
                     b"pii-classified"}, result.stderr


@pytest.mark.parametrize("data", DATASETS, ids=lambda p: p.name)
def test_the_contract_round_trips_through_odcs(tmp_path, data):
    contract = infer(tmp_path, data)
    odcs = tmp_path / "inferred.odcs.yaml"
    exported = dq("export", contract, "--to", "odcs", "-o", odcs)
    assert exported.returncode == 0, exported.stderr.decode()
    result = dq("diff", contract, odcs)
    assert result.returncode == 0 and b"no changes" in result.stdout, result.stdout + result.stderr


def test_the_january_taxi_contract_flags_what_changed_in_february(tmp_path):
    contract = infer(tmp_path, ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv")
    _, report = validate_json(contract, ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-02.csv")
    failed = {r["id"] for r in report["rules"]}
    # The congestion surcharge began in February 2019, and zero-passenger trips appeared.
    assert "congestion_surcharge.max" in failed
    assert "passenger_count.enum" in failed
    assert not report["ok"]
    # Categories past enum size get a distinct-count band (taxi zones: ~150 in a sample of 10,000).
    spec = yaml.safe_load(contract.read_text())
    zones = [e for e in spec["expectations"] if e.get("field") == "pickup_location_id"]
    assert zones and zones[0]["metric"] == "distinct_count"


FIRST_NAMES = ["Ada", "Grace", "José", "Anne-Marie", "Liam", "Mei", "Olu", "Sven", "Priya", "Chen", "Zoë", "Omar",
               "Ines", "Kofi", "Hana", "Tomás", "Nia", "Ivan", "Leila", "Raj"]
LAST_NAMES = ["Lovelace", "Hopper", "O'Neil", "García", "Nakamura", "Okafor", "Larsen", "Patel", "Wu", "Müller",
              "Haddad", "Silva", "Mensah", "Kowalski", "Dubois", "Rossi", "Kim", "Novak", "Ahmed", "Smith"]


def test_shapes_formats_enums_and_ids_are_generalised_not_listed(tmp_path):
    rng = random.Random(7)
    lines = []
    for i in range(300):
        lines.append(json.dumps({
            "order_id": "ord_" + "".join(rng.choice("0123456789abcdef") for _ in range(16)),
            "sku": "SKU-" + str(rng.randint(1000, 99999)),
            "email": f"user{i}@example.com",
            "contact": f"+1 555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            "zip": f"{rng.randint(1000, 99999):05d}",
            "buyer": rng.choice(FIRST_NAMES) + " " + rng.choice(LAST_NAMES),
            "city": rng.choice(["New York", "San Jose", "Los Angeles"]),
            "status": rng.choice(["paid", "shipped", "refunded"]),
            "amount": round(rng.uniform(1, 500), 2),
            "created_at": f"2024-03-{rng.randint(10, 28)}T10:{rng.randint(10, 59)}:00Z",
            "items": [{"qty": rng.randint(1, 5)} for _ in range(rng.randint(1, 3))],
        }))
    data = tmp_path / "orders.ndjson"
    data.write_text("\n".join(lines) + "\n")
    contract = infer(tmp_path, data)
    spec = yaml.safe_load(contract.read_text())
    fields = spec["fields"]
    assert fields["order_id"]["pattern"] == "^ord_[0-9a-f]{16}$"
    assert fields["sku"]["pattern"] == "^SKU\\-[0-9]{4,5}$"
    assert fields["email"]["format"] == "email" and fields["email"]["pii"] is True
    assert fields["contact"]["pii"] is True and "phone number" in contract.read_text()
    assert "pii" not in fields["zip"]  # digits alone are not a phone number
    assert fields["buyer"]["pii"] is True and "person's name" in contract.read_text()
    assert "pii" not in fields["city"]  # capitalised words that repeat are places, not people
    assert sorted(fields["status"]["enum"]) == ["paid", "refunded", "shipped"]
    assert fields["created_at"]["type"] == "timestamp"
    assert fields["items"]["items"]["fields"]["qty"]["type"] == "integer"
    assert {"name": "order_id_unique", "metric": "unique", "field": "order_id"} in spec["expectations"]
    assert spec["additional_fields"] == "reject"
    text = contract.read_text()
    assert "# 3 distinct of 300" in text  # every choice says its evidence
    code, report = validate_json(contract, data)
    assert code == 0 and report["ok"]
    broken = tmp_path / "broken.ndjson"
    bad = json.loads(lines[0])
    bad.update(order_id="ord_XYZ", status="payed", email="nobody")
    broken.write_text(json.dumps(bad) + "\n")
    _, report = validate_json(contract, broken)
    assert {"order_id.pattern", "status.enum", "email.format"} <= {r["id"] for r in report["rules"]}


def random_value(rng, depth):
    kind = rng.choice(["int", "float", "str", "bool", "null", "obj", "arr"] if depth < 3 else ["int", "str"])
    if kind == "int":
        return rng.choice([rng.randint(-10, 10), rng.randint(0, 2**63 - 1), -rng.randint(0, 2**63)])
    if kind == "float":
        return rng.choice([rng.uniform(-1e6, 1e6), 0.1, 1e-300, 123456.789])
    if kind == "str":
        return rng.choice(["", "x", "é€😀", "a b", "2024-01-01", "2024-01-01T00:00:00Z", "ID-1"]) + str(rng.randint(0, 99))
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "obj":
        return {f"k{j}": random_value(rng, depth + 1) for j in range(rng.randint(0, 3))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


@pytest.mark.parametrize("seed", range(6))
def test_any_nested_sample_validates_against_its_inferred_contract(tmp_path, seed):
    rng = random.Random(seed)
    keys = [f"f{j}" for j in range(6)]
    records = [{k: random_value(rng, 0) for k in keys if rng.random() < 0.8} for _ in range(120)]
    data = tmp_path / "random.ndjson"
    data.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    for strictness in ("loose", "normal", "strict"):
        contract = infer(tmp_path, data, strictness=strictness)
        code, report = validate_json(contract, data)
        assert report["records"]["valid"] == len(records), (strictness, report["rules"])
        assert report["ok"], (strictness, report["expectations"])


def test_malformed_records_are_counted_and_an_empty_input_is_an_error(tmp_path):
    data = tmp_path / "mixed.ndjson"
    data.write_text('{"a": 1}\n{"a": 2\n[1, 2]\n{"a": 3}\n')
    result = dq("infer", data)
    assert result.returncode == 0
    assert b"inferred from 2 records (2 malformed, left out)" in result.stderr
    assert b"mixed.ndjson:2" in result.stderr
    empty = tmp_path / "empty.ndjson"
    empty.write_text("")
    result = dq("infer", empty)
    assert result.returncode == 2 and b"no records to infer from" in result.stderr
    assert dq("infer", tmp_path / "missing.ndjson").returncode == 2


def test_parquet_and_arrow_files_get_one_clear_error_not_malformed_lines(tmp_path):
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    table = pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]})
    pq.write_table(table, tmp_path / "t.parquet")
    feather.write_feather(table, tmp_path / "t.arrow")
    for path, kind in ((tmp_path / "t.parquet", b"(Parquet)"), (tmp_path / "t.arrow", b"(Arrow IPC)")):
        for args in (("infer", path), ("validate", "-c", ROOT / "contracts/nyc_taxi.yaml", "--no-history", path),
                     ("grade", "-c", ROOT / "contracts/nyc_taxi.yaml", path, "-o", tmp_path / "o.csv")):
            result = dq(*args)
            assert result.returncode == 2, (args, result.stderr)
            assert kind in result.stderr and b"through Python" in result.stderr, (args, result.stderr)
            assert b"malformed" not in result.stdout + result.stderr


def test_sample_reads_only_the_first_records(tmp_path):
    contract = infer(tmp_path, ROOT / "examples/data/tweets.ndjson", extra=("--sample", "10"))
    assert "from 10 records" in contract.read_text()


UPDATE_CONTRACT = """dq: 1
dataset: shop.orders
version: 1.2.0
owner: {team: shop, contact: shop@example.com}
additional_fields: reject
fields:
  # the order's id
  id: {type: string, required: true}
  status:
    type: string
    enum:
      - paid
      - shipped
  amount: {type: number, min: 1, max: 100}
  legacy_code: {type: string}
  customer:
    type: object
    fields:
      country: {type: string, enum: [DE, FR]}
rules:
  - name: positive
    check: amount > 0
"""


def test_update_proposes_what_new_data_asks_and_says_what_diff_thinks(tmp_path):
    contract = tmp_path / "orders.yaml"
    contract.write_text(UPDATE_CONTRACT)
    data = tmp_path / "new.ndjson"
    data.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "o1", "status": "paid", "amount": 150.5, "customer": {"country": "DE"}, "coupon": "X1"},
        {"id": "o2", "status": "refunded", "amount": 3, "customer": {"country": "IT"}},
    ]))
    proposed = tmp_path / "proposed.yaml"
    result = dq("infer", "--update", contract, data, "-o", proposed)
    assert result.returncode == 0, result.stderr.decode()
    err = result.stderr.decode()
    assert "status.enum: new values 'refunded'" in err
    assert "amount.max: 100 -> 150.5" in err
    assert "customer.country.enum: new values 'IT'" in err
    assert "coupon: a new field, declared optional (1 of 2)" in err
    assert "legacy_code: not in the new data" in err
    assert "dq diff" in err and "breaking" in err  # dq diff's verdict on old -> proposed
    assert contract.read_text() == UPDATE_CONTRACT  # nothing is changed in place
    text = proposed.read_text()
    assert "# the order's id" in text and "      - 'refunded'" in text  # comments and layout stay
    spec = yaml.safe_load(text)
    assert "required" not in spec["fields"]["coupon"]
    code, report = validate_json(proposed, data)
    assert code == 0 and report["records"]["valid"] == 2, report["rules"]


def test_update_of_the_taxi_contract_with_february(tmp_path):
    proposed = tmp_path / "taxi.yaml"
    result = dq("infer", "--update", ROOT / "contracts/nyc_taxi.yaml",
                ROOT / "examples/data/nyc_taxi/yellow_tripdata_sample_2019-02.csv", "-o", proposed)
    assert result.returncode == 0, result.stderr.decode()
    assert b"passenger_count.min: 1 -> 0" in result.stderr
    assert b"0 breaking" in result.stderr  # widening is not breaking under backward compatibility
    assert proposed.read_text().count("\n") == (ROOT / "contracts/nyc_taxi.yaml").read_text().count("\n")


def test_csv_cells_are_numbers_only_in_json_number_grammar(tmp_path):
    data = tmp_path / "codes.csv"
    data.write_text("zip,n\n02134,-05\n10001,7\n")  # "02134" and "-05" are text, as dq reads CSV numbers
    contract = infer(tmp_path, data)
    fields = yaml.safe_load(contract.read_text())["fields"]
    assert fields["zip"]["type"] == ["integer", "string"] and fields["n"]["type"] == ["integer", "string"]
    code, report = validate_json(contract, data)
    assert code == 0 and report["records"]["valid"] == 2


def test_update_never_breaks_inline_fields_it_cannot_extend(tmp_path):
    contract = tmp_path / "flow.yaml"
    contract.write_text("dq: 1\ndataset: shop.orders\nversion: 1.0.0\nowner: {team: shop, contact: s@example.com}\n"
                        "additional_fields: reject\nfields:\n  id: {type: string}\n  customer:\n    type: object\n"
                        "    fields: {country: {type: string}}\n")
    data = tmp_path / "new.ndjson"
    data.write_text('{"id": "a", "customer": {"country": "DE", "city": "B"}, "extra": 1}\n')
    proposed = tmp_path / "proposed.yaml"
    result = dq("infer", "--update", contract, data, "-o", proposed)
    assert result.returncode == 0, result.stderr.decode()
    assert b"customer.city: a new field (1 of 1); declare it by hand" in result.stderr
    assert yaml.safe_load(proposed.read_text())["fields"]["extra"]["type"] == "integer"


def test_records_without_keys_give_a_contract_that_loads(tmp_path):
    data = tmp_path / "empty_objects.ndjson"
    data.write_text("{}\n{}\n")
    contract = infer(tmp_path, data)
    code, report = validate_json(contract, data)
    assert code == 0 and report["records"]["valid"] == 2
