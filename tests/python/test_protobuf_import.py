""".proto schemas as contracts: dq.load("x.proto#Message") judges JSON records as protobuf's own
json_format.Parse does, on canonical JSON that json_format writes from random messages and on
broken copies of it (a differential), and warns for what it cannot check."""
import base64
import copy
import json
import pathlib
import random
import shutil
import subprocess

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

import dq

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTO = ROOT / "examples/schemas/ride_events.proto"


@pytest.fixture(scope="module")
def ride_event(tmp_path_factory):
    """The RideEvent class, built from protoc's descriptor set of the same file."""
    protoc = shutil.which("protoc")
    assert protoc, "protoc (Debian's protobuf-compiler) is installed by scripts/setup.sh"
    out = tmp_path_factory.mktemp("proto") / "rides.pb"
    subprocess.run([protoc, f"-I{PROTO.parent}", "-I/usr/include", "--include_imports",
                    f"--descriptor_set_out={out}", PROTO.name], check=True, cwd=PROTO.parent)
    files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("mobility.rides.v1.RideEvent"))


def random_event(cls, rng):
    m = cls()
    m.event_id = f"ev-{rng.getrandbits(32):08x}"
    m.ride_id = rng.choice([rng.randint(1, 2**40), -rng.randint(1, 2**62), 0])
    m.event_time.FromSeconds(1_767_225_600 + rng.randint(0, 10**7))
    m.kind = rng.randint(0, 5)
    m.passengers = rng.randint(0, 6)
    if rng.random() < 0.5:
        m.fare.value = rng.choice([round(rng.uniform(5, 90), 2), float("nan"), float("inf")])
    for place in [m.pickup, m.dropoff] + [m.stops.add() for _ in range(rng.randint(0, 2))]:
        place.zone_id, place.lat, place.lon = rng.randint(1, 265), rng.uniform(40, 41), rng.uniform(-74, -73)
    m.wait.FromNanoseconds(rng.randint(0, 10**12))
    m.attributes["source"] = "app"
    m.signature = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 9)))
    if rng.random() < 0.5:
        m.promo_code = "SPRING"
    if rng.random() < 0.5:
        m.card_token = "tok_1"
    m.context.update({"app_version": "5.2.1", "beta": True})
    return json.loads(json_format.MessageToJson(m))


def broken(record, rng):
    r = copy.deepcopy(record)
    kind = rng.randrange(15)
    if kind == 0: r["kind"] = "FINISHED"
    elif kind == 1: r["passengers"] = -1
    elif kind == 2: r["rideId"] = "12x"
    elif kind == 3: r["eventTime"] = "2026-13-01T00:00:00Z"
    elif kind == 4: r["pickup"] = {"zoneId": 2**31, "lat": 1, "lon": 2}
    elif kind == 5: r["wait"] = "90 seconds"
    elif kind == 6: r["signature"] = "not base64!"
    elif kind == 7: r["unknownKey"] = 1
    elif kind == 8: r["pickup"] = {"zoneId": 1, "lat": "north"}
    elif kind == 9: r["stops"] = {"zoneId": 1}
    elif kind == 10: r["eventId"] = 42
    elif kind == 11: r["fare"] = "cheap"
    elif kind == 12: r["promoCode"] = None  # null is "not set" to json_format
    elif kind == 13: r["context"] = {"nested": {"ok": [1, 2]}}  # a Struct takes any JSON object
    else: r["pickup"] = {"zoneId": "7"}  # json_format also takes an int32 as a string; dq reads the canonical form
    return kind, r


def parses(cls, record):
    try:
        json_format.Parse(json.dumps(record), cls())
        return True
    except json_format.ParseError:
        return False


def test_the_contract_judges_json_as_json_format_parse_does(ride_event):
    contract = dq.load(f"{PROTO}#RideEvent")
    assert contract.dataset == "mobility.rides.v1.RideEvent"
    warnings = [str(w) for w in contract.warnings]
    assert any("attributes" in w and "map" in w for w in warnings)
    assert any("oneof" in w and "cardToken, walletId" in w for w in warnings)
    rng = random.Random(23)
    records = [random_event(ride_event, rng) for _ in range(80)]
    for r in records:
        assert contract.validate_json(json.dumps(r)).ok, (r, contract.validate_json(json.dumps(r)).violations)
    differ = []
    for r in list(records):
        for _ in range(3):
            kind, b = broken(r, rng)
            if parses(ride_event, b) != contract.validate_json(json.dumps(b)).ok:
                differ.append(kind)
    # The one deliberate difference: json_format's parser also takes int32 written as a string.
    assert set(differ) <= {14}, differ


def test_without_a_selector_the_one_unused_top_level_message_is_read(tmp_path):
    assert dq.load(PROTO).dataset == "mobility.rides.v1.RideEvent"  # Place is used by RideEvent
    two = tmp_path / "two.proto"
    two.write_text('syntax = "proto3";\nmessage A { int32 x = 1; }\nmessage B { string y = 1; }\n')
    with pytest.raises(dq.ContractError) as refused:
        dq.load(two)
    assert "the messages A, B; choose one as FILE#Message" in str(refused.value)
    assert dq.load(f"{two}#B").validate({"y": "ok"}).ok


def test_a_proto_syntax_error_points_into_the_file_and_recursion_is_refused(tmp_path):
    bad = tmp_path / "bad.proto"
    bad.write_text('syntax = "proto3";\nmessage A {\n  int32 x = 1\n}\n')
    with pytest.raises(dq.ContractError) as refused:
        dq.load(bad)
    assert f"{bad}:4:1:" in str(refused.value)  # protoc's own message, at its line and column
    tree = tmp_path / "tree.proto"
    tree.write_text('syntax = "proto3";\nmessage Node {\n  repeated Node children = 1;\n}\n')
    with pytest.raises(dq.ContractError) as recursive:
        dq.load(tree)
    assert "contains itself" in str(recursive.value)
