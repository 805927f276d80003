"""The columnar and record engines agree: random tables (nulls and edge values
included) validated as Arrow and as the NDJSON they stand for give identical
reports and identical failures, row by row."""
import datetime as dt
import json
import random
import re

import pyarrow as pa
import pytest

import dq

CONTRACT = """
dq: 1
dataset: diff.events
version: 1.0.0
owner: {team: qa}
additional_fields: reject
fields:
  id: {type: integer, required: true, min: 1, max: 1000000}
  ratio: {type: number, exclusive_min: 0, max: 1}
  score: {type: integer, min: -5, mostly: 0.9}
  big: {type: integer}
  code: {type: string, pattern: '^[A-Z]{2}[0-9]*$', min_length: 2, max_length: 6}
  kind: {type: string, enum: [a, b, 'é']}
  flag: {type: boolean, required: true}
  at: {type: timestamp, min: '2020-01-01T00:00:00Z'}
  day: {type: date, max: '2030-12-31'}
  customer:
    type: object
    fields:
      name: {type: string, required: true, max_length: 4}
      tier: {type: integer, min: 0, max: 3}
  items:
    type: array
    max_items: 3
    unique_items: true
    items: {type: integer, min: 0}
rules:
  - name: flagged_needs_code
    when: flag == true
    check: code != null
  - name: ratio_with_score
    check: ratio == null or score == null or ratio * 10 >= score
"""

SCHEMA = pa.schema([
    ("id", pa.int64()), ("ratio", pa.float64()), ("score", pa.int32()), ("big", pa.uint64()),
    ("code", pa.string()), ("kind", pa.dictionary(pa.int8(), pa.string())), ("flag", pa.bool_()),
    ("at", pa.timestamp("us", tz="UTC")), ("day", pa.date32()),
    ("customer", pa.struct([("name", pa.large_string()), ("tier", pa.int8())])),
    ("items", pa.list_(pa.int16())),
])


def pick(rng, good, bad, null_rate=0.1):
    """Mostly good values, some edge or bad ones, some nulls."""
    r = rng.random()
    if r < null_rate:
        return None
    return rng.choice(bad) if r < null_rate + 0.06 else rng.choice(good)


def random_row(rng):
    base = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    later = base + dt.timedelta(days=rng.randint(0, 3000), microseconds=rng.randint(0, 10**6 - 1))
    return {
        "id": pick(rng, [1, 1000000, rng.randint(1, 999)], [0, -1, 1000001, 2**63 - 1, -(2**63)], 0.02),
        "ratio": pick(rng, [1.0, 0.5, 0.25, round(rng.uniform(0.01, 1), 4)], [0.0, 1.5, -0.75]),
        "score": pick(rng, [-5, 0, 7, rng.randint(-5, 10)], [-6, 2**31 - 1]),
        "big": pick(rng, [0, 2**63 - 1, 2**63, 2**64 - 1], [0]),
        "code": pick(rng, ["AB", "AB12", "ZZ9999"], ["ab", "A", "ABCDEFG", "", "ÉÉ1", "AB\n"]),
        "kind": pick(rng, ["a", "b", "é"], ["c", "A"]),
        "flag": pick(rng, [True, False], [False], 0.02),
        "at": pick(rng, [base, later], [base - dt.timedelta(microseconds=1)]),
        "day": pick(rng, [dt.date(2030, 12, 31), dt.date(1970, 1, 1), dt.date(1969, 12, 31)], [dt.date(2031, 1, 1)]),
        "customer": None if rng.random() < 0.1 else {
            "name": pick(rng, ["ann", "çççç", "😀😀"], ["bobby", None]),
            "tier": pick(rng, [0, 3], [4, -1]),
        },
        "items": None if rng.random() < 0.1 else [pick(rng, [0, 1, 2, 7], [-1], 0.03) for _ in range(rng.randint(0, 3))]
        + ([1, 1] if rng.random() < 0.05 else []),
    }


def as_json_value(value):
    """A value as the JSON text the table stands for (dq's text forms)."""
    if isinstance(value, dt.datetime):
        text = value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return text + (f".{value.microsecond:06d}" if value.microsecond else "") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value == int(value):
        return int(value)  # dq writes integral doubles as integers, as JSON allows
    if isinstance(value, dict):
        return {k: as_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_value(v) for v in value]
    return value


def without_lines(failure_rows):
    """Failure rows without their line (tables have none)."""
    return [{k: v for k, v in r.items() if k != "line"} for r in failure_rows]


def through_both_engines(contract, table, rows):
    """The table's report, and the report of the same rows as NDJSON."""
    ndjson = "\n".join(json.dumps(as_json_value(r), ensure_ascii=False) for r in rows).encode()
    return contract.validate_table(table, max_samples=1000), contract.validate_ndjson(ndjson, max_samples=1000)


def comparable(report):
    d = report.to_dict()
    for rule in d["rules"]:
        for sample in rule["samples"]:
            sample["line"] = 0  # tables have no lines
    return d


@pytest.mark.parametrize("seed", range(6))
def test_columnar_and_record_engines_agree(seed):
    rng = random.Random(seed)
    rows = [random_row(rng) for _ in range(400)]
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    contract = dq.loads(CONTRACT)
    columnar, record = through_both_engines(contract, table, rows)

    assert columnar.records["total"] == 400
    assert columnar.records["invalid"] > 50 and columnar.records["valid"] > 10  # the data exercises both
    assert comparable(columnar) == comparable(record)
    assert without_lines(columnar.failure_rows()) == without_lines(record.failure_rows())
    # And record by record through validate_json.
    for i, r in enumerate(rows[:60]):
        verdict = contract.validate_json(json.dumps(as_json_value(r)))
        mine = [(v.path, v.rule, v.message, v.value) for v in verdict.violations]
        theirs = [(f["path"], f["rule"], f["message"], f["value"]) for f in columnar.failure_rows() if f["row"] == i]
        assert mine == theirs


def test_chunked_streams_number_rows_across_batches():
    rng = random.Random(42)
    rows = [random_row(rng) for _ in range(300)]
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=37))
    assert chunked.column(0).num_chunks > 5
    contract = dq.loads(CONTRACT)
    assert comparable(contract.validate_table(chunked, max_samples=1000)) == comparable(
        contract.validate_table(table, max_samples=1000))


# Flat, rule-free contracts are screened column at a time before any row is
# walked; the screen must not change a single verdict.
FLAT = """
dq: 1
dataset: diff.flat
version: 1.0.0
owner: {team: qa}
fields:
  id: {type: integer, required: true, min: 1, max: 1000000}
  ratio: {type: number, exclusive_min: 0, max: 1}
  score: {type: integer, min: -5}
  big: {type: integer, max: 9223372036854775807}
  code: {type: string, pattern: '^[A-Z]{2}[0-9]*$', min_length: 2, max_length: 6}
  kind: {type: string, enum: [a, b, 'é']}
  flag: {type: boolean, required: true}
"""
FLAT_SCHEMA = pa.schema([("id", pa.int64()), ("ratio", pa.float32()), ("score", pa.int8()), ("big", pa.uint64()),
                         ("code", pa.large_string()), ("kind", pa.string()), ("flag", pa.bool_())])


def flat_row(rng):
    """A random row of FLAT_SCHEMA's columns (its score fits an int8)."""
    r = random_row(rng)
    r = {k: r[k] for k in FLAT_SCHEMA.names}
    if r["score"] is not None:
        r["score"] = max(-128, min(127, r["score"]))
    return r


@pytest.mark.parametrize("seed", range(4))
def test_screened_flat_tables_agree_with_the_record_engine(seed):
    rng = random.Random(100 + seed)
    rows = [flat_row(rng) for _ in range(500)]
    table = pa.Table.from_pylist(rows, schema=FLAT_SCHEMA)
    columnar, record = through_both_engines(dq.loads(FLAT), table, rows)
    assert columnar.records["valid"] > 100 and columnar.records["invalid"] > 50
    assert comparable(columnar) == comparable(record)


# Columns whose Arrow type differs from the contract's, decimals, structural
# enum and unique_items, and wall-clock timestamps: the same verdicts as the
# JSON the table stands for.
MISMATCHED = """
dq: 1
dataset: diff.mismatched
version: 1.0.0
owner: {team: qa}
fields:
  n: {type: integer, min: 0}
  s: {type: string, max_length: 3}
  b: {type: boolean}
  price: {type: number, min: 0, max: 99.99}
  units: {type: integer, max: 5}
  tag: {type: any, enum: [1, "x", [1, 2]]}
  pairs: {type: array, unique_items: true, items: {type: object, fields: {k: {type: integer, min: 0}}}}
  local: {type: timestamp, timezone: America/New_York, max: '2024-07-01T04:00:00Z'}
"""
MISMATCHED_SCHEMA = pa.schema([
    ("n", pa.string()), ("s", pa.int64()), ("b", pa.float64()), ("price", pa.decimal128(9, 2)),
    ("units", pa.decimal256(20, 0)), ("tag", pa.int64()), ("pairs", pa.list_(pa.struct([("k", pa.int32())]))),
    ("local", pa.timestamp("us")),
])


@pytest.mark.parametrize("seed", range(3))
def test_mismatched_types_decimals_and_structural_checks_agree(seed):
    import decimal

    rng = random.Random(200 + seed)
    summer = dt.datetime(2024, 7, 1)
    rows = []
    for _ in range(300):
        rows.append({
            "n": pick(rng, ["7", "x", ""], ["-1"]),
            "s": pick(rng, [1, 22], [-3]),
            "b": pick(rng, [0.0, 1.5], [2.0]),
            "price": pick(rng, [decimal.Decimal("0.00"), decimal.Decimal("99.99"), decimal.Decimal("12.30")],
                          [decimal.Decimal("100.00"), decimal.Decimal("-0.01")]),
            "units": pick(rng, [decimal.Decimal(0), decimal.Decimal(5)], [decimal.Decimal(6), decimal.Decimal(-10**18)]),
            "tag": pick(rng, [1, 2], [3]),
            "pairs": pick(rng, [[{"k": 1}, {"k": 2}], []], [[{"k": 1}, {"k": 1}], [{"k": -1}]]),
            "local": pick(rng, [summer - dt.timedelta(hours=1), summer], [summer + dt.timedelta(seconds=1)]),
        })
    table = pa.Table.from_pylist(rows, schema=MISMATCHED_SCHEMA)

    def as_json(value):
        if isinstance(value, decimal.Decimal):
            return f"<decimal {value}>"  # written as the number's own text below
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%S")  # wall-clock text, read in the field's zone
        if isinstance(value, float) and value == int(value):
            return int(value)
        if isinstance(value, list):
            return [as_json(v) for v in value]
        if isinstance(value, dict):
            return {k: as_json(v) for k, v in value.items()}
        return value

    contract = dq.loads(MISMATCHED)
    ndjson = "\n".join(json.dumps({k: as_json(v) for k, v in r.items()}) for r in rows)
    ndjson = re.sub(r'"<decimal ([-0-9.E+]+)>"', r"\1", ndjson).encode()
    columnar = contract.validate_table(table, max_samples=1000)
    record = contract.validate_ndjson(ndjson, max_samples=1000)
    failed = {r["id"] for r in columnar.rules}
    assert {"n.type", "s.type", "b.type", "price.max", "units.max", "tag.enum", "pairs.unique_items",
            "local.max"} <= failed
    assert comparable(columnar) == comparable(record)


def as_json_text(record):
    return json.dumps(record, ensure_ascii=False, default=lambda o: o.isoformat())


def verdict_tuple(v):
    return (v.ok, v.malformed, v.error, [(x.path, x.rule, x.severity, x.message, x.value) for x in v.violations])


@pytest.mark.parametrize("seed", range(3))
def test_dicts_read_in_place_agree_with_their_json_text(seed):
    """Contract.validate(dict) walks the Python objects themselves; its
    verdicts are those of the same record as JSON text, violation by violation
    and in the dict's order (datetimes and dates as their isoformat())."""
    rng = random.Random(seed)
    contract = dq.loads(CONTRACT)
    rows = [random_row(rng) for _ in range(400)]
    for r in rows:
        r.update(extra=[1, {"deep": [None, "x"]}]) if rng.random() < 0.1 else None
    failing = 0
    for r in rows:
        mine, theirs = contract.validate(r), contract.validate_json(as_json_text(r))
        assert verdict_tuple(mine) == verdict_tuple(theirs), r
        failing += not mine.ok
    assert 50 < failing < 400
    assert [verdict_tuple(v) for v in contract.validate_many(rows)] == \
        [verdict_tuple(contract.validate(r)) for r in rows]
    batch = contract._native.validate_batch(rows)
    assert [(i, verdict_tuple(v)) for i, v in batch] == \
        [(i, verdict_tuple(contract.validate(r))) for i, r in enumerate(rows) if contract.validate(r).violations]


def test_real_events_read_in_place_agree_with_their_json_text():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    contract = dq.load(root / "contracts/github_events.yaml")
    events = json.loads((root / "examples/data/github_events.json").read_text())
    broken = [dict(e, id=7) for e in events[:5]] + [dict(e, type="Nope", actor=None) for e in events[5:10]]
    for e in events + broken:
        assert verdict_tuple(contract.validate(e)) == verdict_tuple(contract.validate_json(as_json_text(e)))


def test_python_values_json_cannot_hold_are_malformed_not_raised():
    contract = dq.loads(CONTRACT)
    good = {"id": 5, "flag": False}
    assert contract.validate(good).ok
    # Keys are str() of the key; a declared key given twice that way has no one meaning.

    class NamedId:
        def __str__(self):
            return "id"

    twice = contract.validate({**good, NamedId(): 6})
    assert twice.malformed and twice.error == "duplicate key 'id'"
    lone = contract.validate({**good, "code": "A\ud800"})
    assert lone.malformed and "lone surrogates" in lone.error
    cycle = []
    cycle.append(cycle)
    deep = contract.validate({**good, "items": cycle})
    assert deep.malformed and "max_depth" in deep.error

    class Unprintable:
        def __str__(self):
            raise RuntimeError("no text")

    odd = contract.validate({**good, "code": Unprintable()})
    assert odd.malformed and "Unprintable" in odd.error and "no text" in odd.error
    # Integers beyond 64 bits are numbers all the same; tuples are arrays.
    huge = {**good, "id": 2**70}
    assert verdict_tuple(contract.validate(huge)) == verdict_tuple(contract.validate_json(json.dumps(huge)))
    assert [v.rule for v in contract.validate(huge).violations] == ["id.type"]  # as its JSON text: 2^70
    assert [v.rule for v in contract.validate({**good, "items": (1, 1)}).violations] == ["items.unique_items"]
    assert contract.validate({**good, "big": 2**64 - 1}).ok


def test_undeclared_dict_values_are_judged_as_their_json_text():
    """Values no field declares, nested in lists, tuples and dicts with wide
    and narrow str keys, get the verdict of the record's JSON text (nesting up
    to max_depth and one past it included); where JSON cannot hold a value,
    the message a declared field gives."""
    contract = dq.loads(CONTRACT)
    good = {"id": 5, "flag": False}

    def nested(inner):
        return {**good, "extra": [1, {"deep": [None, inner], "é": 2}], "more": {"☃": inner}}

    for inner in ["ascii", "café", "snow ☃", "emoji 😀", 2**63, 2**64 + 1, 2**70, -(2**70), 1.5, True, None,
                  (1, "ü"), {"k": "v"}, {"é": [1]}, {"☃": {"😀": "x"}}, dt.date(2024, 1, 2)]:
        record = nested(inner)
        assert verdict_tuple(contract.validate(record)) == \
            verdict_tuple(contract.validate_json(as_json_text(record))), inner
    # Nesting up to max_depth and one past it, as the JSON text nests.
    for levels in range(250, 258):
        value = "x"
        for _ in range(levels):
            value = [value]
        record = {**good, "extra": {"a": value}}
        assert verdict_tuple(contract.validate(record)) == \
            verdict_tuple(contract.validate_json(as_json_text(record))), levels

    class Unprintable:
        def __str__(self):
            raise RuntimeError("no text")

    declared = contract.validate({**good, "code": "A\ud800"}).error
    assert contract.validate(nested("A\ud800")).error == declared
    assert "lone surrogates" in contract.validate(nested({"A\ud800": 1})).error
    assert contract.validate(nested(Unprintable())).error == contract.validate({**good, "code": Unprintable()}).error
    key_error = contract.validate(nested({Unprintable(): 1}))
    assert key_error.malformed and key_error.error.startswith("a dict key that cannot be read") \
        and "no text" in key_error.error
    assert contract.validate(nested(10**400)).error == "an int too large for any number"


def test_dict_values_of_subclassed_types_are_read_as_their_base_type():
    """The reader takes str, float, dict and list by their exact type first;
    subclasses of them (and of int) take the general path and still get the
    verdict of the record's JSON text, declared and undeclared alike."""
    import collections
    import enum

    class Text(str):
        pass

    class Ratio(float):
        pass

    class Level(enum.IntEnum):
        LOW = 3
        HIGH = 2_000_000

    class Kind(str, enum.Enum):
        A = "a"
        E = "é"
        Z = "z"

    class Items(list):
        pass

    contract = dq.loads(CONTRACT)
    records = []
    for code in [Text("AB12"), Text("ab"), Text("ÄB1")]:
        for kind in Kind:
            records.append({"id": Level.LOW, "flag": True, "code": code, "kind": kind, "ratio": Ratio(0.5),
                            "customer": collections.OrderedDict(name=Text("Ann"), tier=Level.LOW),
                            "items": Items([1, 2])})
    records.append({**records[0], "undeclared": [Text("x"), Ratio(1.5), Level.LOW, collections.OrderedDict(k=Kind.E)]})
    records.append({"id": Level.HIGH, "flag": False, "ratio": Ratio(1.5), "items": Items([1, 1, -1, 4]),
                    "customer": collections.defaultdict(int, name=Text("Beatrice"))})
    records.append({"id": 7, "flag": True, "items": (1, 2), "customer": {"name": "Bo", "tier": Ratio(2.0)}})
    for record in records:
        text = json.dumps(record, ensure_ascii=False)
        assert verdict_tuple(contract.validate(record)) == verdict_tuple(contract.validate_json(text)), text
    assert contract.validate(records[0]).ok
    assert contract.validate(records[1]).ok  # Kind.E is the str "é", in the enum
    assert [v.path for v in contract.validate(records[2]).violations] == ["kind"]  # Kind.Z is "z"
    assert not contract.validate(records[-2]).ok


@pytest.mark.parametrize("seed", range(4))
def test_tables_in_slices_on_threads_give_the_one_thread_report(seed, monkeypatch):
    """validate_table(threads=N) validates consecutive slices at once and
    appends their reports in order: the same report and failure rows."""
    import dq._api
    monkeypatch.setattr(dq._api, "_MIN_ROWS_PER_THREAD", 50)
    rng = random.Random(seed)
    rows = [random_row(rng) for _ in range(400)]
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    contract = dq.loads(CONTRACT + """
expectations:
  - {name: ratio_mean, metric: mean, field: ratio, between: [0, 0.6]}
  - {name: codes, metric: distinct_count, field: code, max: 3}
  - {name: ids_up, metric: increasing, field: id}
  - {name: p90, metric: quantile, field: score, quantile: 0.9, max: 8}
""")
    one = contract.validate_table(table, max_samples=1000)
    for threads in (2, 3):
        several = contract.validate_table(table, max_samples=1000, threads=threads)
        assert same_but_rounding(several.to_dict(), one.to_dict())
        assert several.failure_rows() == one.failure_rows()
        # The failures kept stop at max_failures across slices as in one pass.
        for cap in (7, 60, 10_000):
            capped, capped_one = (contract.validate_table(table, max_failures=cap, threads=t) for t in (threads, 1))
            assert capped.failure_rows() == capped_one.failure_rows()
            assert capped.failures_truncated == capped_one.failures_truncated == (cap < len(one.failure_rows()))
    assert one.records["invalid"] > 50


def same_but_rounding(got, want):
    """Equal, numbers to 1e-12 relative: means and variances merged from
    parts (Chan's formulas) round differently in the last bits."""
    if isinstance(want, float) and isinstance(got, (int, float)):
        return abs(got - want) <= 1e-12 * max(abs(got), abs(want))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(same_but_rounding(got[k], want[k]) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(same_but_rounding(g, w) for g, w in zip(got, want))
    return got == want


@pytest.mark.parametrize("contract_text, schema, flat", [(CONTRACT, SCHEMA, False), (FLAT, FLAT_SCHEMA, True)])
def test_batches_longer_than_a_window_agree_with_the_record_engine(contract_text, schema, flat):
    """A batch is imported, screened and walked 8192 rows at a time: one
    20,000-row batch, sliced so its columns start at an offset, gives the
    record engine's report, failure rows and profile."""
    rng = random.Random(7)
    rows = [(flat_row if flat else random_row)(rng) for _ in range(20_123)]
    table = pa.Table.from_pylist(rows, schema=schema).slice(123)
    assert table.column(0).num_chunks == 1 and table.num_rows == 20_000
    contract = dq.loads(contract_text)
    columnar, record = through_both_engines(contract, table, rows[123:])
    assert columnar.records["invalid"] > 1000 and columnar.records["valid"] > 1000
    assert comparable(columnar) == comparable(record)
    assert without_lines(columnar.failure_rows()) == without_lines(record.failure_rows())
    # Profiled by windows or in batches shorter than one: the same statistics.
    small = pa.Table.from_batches(table.to_batches(max_chunksize=5000))
    assert same_but_rounding(contract.profile(table).to_dict(), contract.profile(small).to_dict())
