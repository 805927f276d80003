"""Avro schemas as contracts: dq.load("x.avsc") judges decoded records as fastavro's validation
does (a differential on generated records) and warns for what it cannot check. Round trips are
in tests/cli/test_interop.py."""
import copy
import json
import pathlib
import random
import uuid

import fastavro
import fastavro.validation
import pytest

import dq

ROOT = pathlib.Path(__file__).resolve().parents[2]
RIDES = ROOT / "examples/schemas/ride_event.avsc"
KINDS = ["REQUESTED", "ACCEPTED", "STARTED", "COMPLETED", "CANCELLED"]


def place(rng):
    return {"zone_id": rng.randint(1, 265), "lat": rng.uniform(40.5, 40.9), "lon": rng.uniform(-74.1, -73.7)}


def ride(rng):
    r = {"event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "ride_id": rng.randint(1, 2**40),
         "event_time": 1_767_225_600_000 + rng.randint(0, 10**9), "kind": rng.choice(KINDS),
         "passengers": rng.randint(1, 4), "fare": rng.choice([None, round(rng.uniform(5, 80), 2)]),
         "pickup": place(rng), "dropoff": rng.choice([None, place(rng)]),
         "driver": rng.choice([None, {"id": rng.randint(1, 10**6), "rating": rng.choice([None, 4.5])}]),
         "stops": [place(rng) for _ in range(rng.randint(0, 2))], "channel": "app", "attributes": {"promo": "x"}}
    for optional in ("passengers", "fare", "dropoff", "driver", "stops", "channel", "attributes"):
        if rng.random() < 0.2:
            del r[optional]  # readers fill in the default
    return r


def broken(record, rng):
    r = copy.deepcopy(record)
    kind = rng.randrange(16)
    if kind == 0: r["kind"] = "Completed"
    elif kind == 1: r["passengers"] = 2**31  # past Avro's int
    elif kind == 2: r["ride_id"] = "42"
    elif kind == 3: r["ride_id"] = None
    elif kind == 4: del r["pickup"]
    elif kind == 5: r["pickup"] = {"zone_id": 1, "lat": 40.7}  # lon missing
    elif kind == 6: r["event_time"] = "2026-01-01T00:00:00Z"
    elif kind == 7: r["fare"] = "12.50"
    elif kind == 8: r["driver"] = {"rating": 4.0}  # id missing
    elif kind == 9: r["stops"] = [{"zone_id": 1.5, "lat": 1.0, "lon": 2.0}]
    elif kind == 10: r["channel"] = 7
    elif kind == 11: r["passengers"] = 2.5
    elif kind == 12: r["unknown"] = 1  # readers ignore fields not in the schema
    elif kind == 13: del r["event_id"]
    elif kind == 14: r["pickup"]["zone_id"] = True
    else: r["attributes"] = {"promo": 3}  # a map's values: the one thing dq does not check
    return r


def test_an_avsc_loads_as_a_contract_and_judges_records_as_fastavro_does():
    contract = dq.load(RIDES)
    assert contract.dataset == "mobility.rides.RideEvent"
    assert [w for w in map(str, contract.warnings) if "attributes" in w and "map" in w]
    schema = fastavro.parse_schema(json.loads(RIDES.read_text()))
    rng = random.Random(17)
    records = [ride(rng) for _ in range(60)]
    records += [broken(r, rng) for r in records for _ in range(4)]
    differ = []
    for record in records:
        theirs = fastavro.validation.validate(record, schema, raise_errors=False)
        ours = contract.validate_json(json.dumps(record)).ok
        if ours != theirs:
            differ.append(record)
    # Only a map's values differ (said in a warning at load): dq accepts {"promo": 3}.
    assert all(r.get("attributes", {}).get("promo") == 3 for r in differ), differ[:2]
    invalid = sum(not fastavro.validation.validate(r, schema, raise_errors=False) for r in records)
    assert invalid > len(records) * 0.5


def test_a_recursive_record_is_refused(tmp_path):
    path = tmp_path / "list.avsc"
    path.write_text(json.dumps({"type": "record", "name": "Node", "fields": [
        {"name": "value", "type": "long"}, {"name": "next", "type": ["null", "Node"], "default": None}]}))
    with pytest.raises(dq.ContractError) as refused:
        dq.load(path)
    assert "contains itself" in str(refused.value) and "list.avsc:" in str(refused.value)


def test_import_and_export_from_python_round_trip(tmp_path):
    first = dq.import_contract(RIDES, "avro")
    assert first.text.startswith("dq: 1") and any("map" in w for w in first.warnings)
    contract = tmp_path / "rides.yaml"
    contract.write_text(first.text)
    exported = dq.export_contract(contract, "avro")
    fastavro.parse_schema(json.loads(exported.text))
    again = tmp_path / "again.avsc"
    again.write_text(exported.text)
    assert dq.import_contract(again, "avro").text == first.text  # a fixed point
    assert any("Avro has types, not checks" in n for n in dq.export_contract(ROOT / "contracts/nyc_taxi.yaml",
                                                                              "avro").not_carried)
    with pytest.raises(ValueError):
        dq.export_contract(contract, "xml")
