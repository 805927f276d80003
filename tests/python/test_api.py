"""The Python API: every entry point, every table library, errors, threads."""
import datetime as dt
import importlib.metadata
import inspect
import json
import threading
import time

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import dq

ORDERS = """
dq: 1
dataset: shop.orders
version: 2.1.0
owner: {team: shop, contact: shop@example.com}
params:
  max_amount: {type: number, default: 1000}
fields:
  order_id: {type: string, required: true, pattern: '^ord_[0-9]+$'}
  amount: {type: number, required: true, min: 0, max: $max_amount}
  status: {type: string, enum: [new, paid, shipped]}
  placed_at: {type: timestamp, min: '2024-01-01T00:00:00Z'}
  customer:
    type: object
    fields:
      id: {type: integer, required: true, min: 1}
  tags: {type: array, max_items: 2, items: {type: string}}
"""

GOOD = {"order_id": "ord_1", "amount": 10.5, "status": "paid", "placed_at": "2024-05-01T10:00:00Z",
        "customer": {"id": 7}, "tags": ["a"]}


@pytest.fixture
def orders():
    return dq.loads(ORDERS, name="orders.yaml")


def test_load_reads_a_file_and_params_override_defaults(root, tmp_path):
    path = tmp_path / "orders.yaml"
    path.write_text(ORDERS)
    contract = dq.load(path, params={"max_amount": 5})
    assert (contract.dataset, contract.version) == ("shop.orders", "2.1.0")
    assert "amount.max" in contract.checks
    assert [v.rule for v in contract.validate(GOOD).violations] == ["amount.max"]
    assert dq.load(root / "contracts/tweets.yaml").dataset == "social.tweets"


def test_validate_a_dict(orders):
    assert orders.validate(GOOD).ok
    verdict = orders.validate({**GOOD, "amount": -1, "customer": {"id": 0}, "tags": ["a", "b", "c"]})
    assert not verdict.ok
    assert [(v.path, v.rule, v.message, v.value) for v in verdict.violations] == [
        ("amount", "amount.min", "must be >= 0", "-1"),
        ("customer.id", "customer.id.min", "must be >= 1", "0"),
        ("tags", "tags.max_items", "must have at most 2 items", "[3 items]"),
    ]
    # datetimes are read as their ISO text, as a JSON encoder writes them
    placed = dt.datetime(2023, 12, 31, 23, 59, tzinfo=dt.timezone.utc)
    assert [v.rule for v in orders.validate({**GOOD, "placed_at": placed}).violations] == ["placed_at.min"]


def test_clean_verdicts_are_one_read_only_object_and_the_others_each_their_own(orders):
    """A valid record with nothing to say gets the contract's one clean
    verdict (read-only, so sharing it is safe); any verdict with something in
    it, a warning included, is the record's own."""
    clean = [orders.validate(GOOD), orders.validate_json(json.dumps(GOOD)), *orders.validate_many([GOOD, GOOD])]
    assert all(v is clean[0] for v in clean)
    assert (clean[0].ok, clean[0].malformed, clean[0].error, clean[0].error_offset, clean[0].violations) == \
        (True, False, "", 0, [])
    for attribute in ("ok", "malformed", "error", "error_offset", "violations"):
        with pytest.raises(AttributeError):
            setattr(clean[0], attribute, getattr(clean[0], attribute))
    clean[0].violations.append("not kept")  # a new list each time it is read
    assert clean[0].violations == []
    warned = dq.loads(ORDERS.replace("enum: [new, paid, shipped]", "enum: [new, paid], severity: warn"))
    first, second = warned.validate_many([{**GOOD, "status": "shipped"}, {**GOOD, "status": "shipped"}])
    assert first.ok and [v.rule for v in first.violations] == ["status.enum"] and first is not second
    bad = [orders.validate({**GOOD, "amount": -1}), orders.validate({**GOOD, "amount": -2})]
    assert bad[0] is not bad[1] and [v.value for v in bad[0].violations] == ["-1"]
    assert [v.value for v in bad[1].violations] == ["-2"]


def test_validate_json_takes_bytes_or_str_and_reports_malformed_input(orders):
    assert orders.validate_json(json.dumps(GOOD)).ok
    assert orders.validate_json(json.dumps(GOOD).encode()).ok
    bad = orders.validate_json(b'{"order_id": "x", ')
    assert bad.malformed and not bad.ok and bad.error
    with pytest.raises(TypeError):
        orders.validate_json(42)


def test_validate_ndjson_from_a_path_or_bytes(orders, tmp_path):
    lines = [json.dumps(GOOD), json.dumps({**GOOD, "status": "lost"}), "{not json"]
    data = "\n".join(lines).encode()
    path = tmp_path / "orders.ndjson"
    path.write_bytes(data)
    for report in (orders.validate_ndjson(path), orders.validate_ndjson(data)):
        assert report.records == {"total": 3, "valid": 1, "invalid": 1, "malformed": 1, "coerced": 0}
        assert not report.ok
        assert report.rules[0]["id"] == "status.enum"
        assert report.to_dict()["malformed"][0]["line"] == 3
    failures = orders.validate_ndjson(data).to_pandas()
    assert list(failures["rule"]) == ["status.enum", "malformed"]
    assert list(failures["line"]) == [2, 3]


def test_validate_ndjson_on_threads_gives_the_same_report(orders, tmp_path):
    lines = [json.dumps({**GOOD, "order_id": f"ord_{i}", "status": "lost" if i % 97 == 0 else "paid"})
             if i % 101 else "{cut" for i in range(60_000)]
    path = tmp_path / "orders.ndjson"
    path.write_text("\n".join(lines) + "\n")
    one = orders.validate_ndjson(path)
    assert one.records["malformed"] == 595 and one.records["invalid"] > 500
    for threads in (2, 0):
        many = orders.validate_ndjson(path, threads=threads)
        assert many.to_dict() == one.to_dict()
        assert many.to_pandas().equals(one.to_pandas())
    with pytest.raises(ValueError, match="threads must be >= 0"):
        orders.validate_ndjson(path, threads=-1)


def test_validate_csv_types_cells_by_the_contract(orders, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,amount,status\nord_1,12.5,new\nord_2,abc,paid\nord_3,1\n")
    report = orders.validate_csv(path)
    assert report.records == {"total": 3, "valid": 1, "invalid": 1, "malformed": 1, "coerced": 0}
    assert report.rules[0]["samples"][0]["message"] == "must be a number, not a string"


def frames():
    data = {"order_id": ["ord_1", "ord_2", "bad", None], "amount": [1.5, -2.0, 3.0, 4.0],
            "status": ["new", "paid", "lost", None]}
    table = pa.table(data)
    return {"pyarrow": table, "pandas": pd.DataFrame(data), "polars": pl.DataFrame(data),
            "reader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches())}


@pytest.mark.parametrize("kind", ["pyarrow", "pandas", "polars", "reader"])
def test_pandas_pyarrow_and_polars_give_the_same_report(orders, kind):
    report = orders.validate_table(frames()[kind])
    expected = orders.validate_table(frames()["pyarrow"]).to_dict()
    assert report.to_dict() == expected
    assert report.records == {"total": 4, "valid": 1, "invalid": 3, "malformed": 0, "coerced": 0}
    assert [r["id"] for r in report.rules] == ["order_id.required", "order_id.pattern", "amount.min", "status.enum"]


def test_failures_is_a_dataframe_of_failing_rows(orders):
    failures = orders.validate_table(frames()["pandas"]).to_pandas()
    assert list(failures.columns) == ["record", "row", "line", "path", "rule", "severity", "message", "value"]
    assert list(failures["row"]) == [1, 2, 2, 3]
    assert failures.iloc[0].to_dict() == {"record": 2, "row": 1, "line": 0, "path": "amount", "rule": "amount.min",
                                          "severity": "error", "message": "must be >= 0", "value": "-2"}


def test_nested_and_nullable_columns(orders):
    table = pa.table({
        "order_id": ["ord_1", "ord_2", "ord_3"],
        "amount": pa.array([1, None, 3], pa.int32()),
        "customer": pa.array([{"id": 1}, {"id": 0}, None], pa.struct([("id", pa.int64())])),
        "tags": pa.array([["a"], None, ["a", "b", "c"]], pa.large_list(pa.large_string())),
    })
    report = orders.validate_table(table)
    assert [(r["id"], r["samples"][0]["record"]) for r in report.rules] == [
        ("amount.required", 2), ("customer.id.min", 2), ("tags.max_items", 3)]


def test_sliced_tables_keep_their_offsets(orders):
    table = frames()["pyarrow"]
    sliced = table.slice(1, 2)  # rows "ord_2" (amount -2) and "bad"
    report = orders.validate_table(sliced)
    assert report.records["total"] == 2
    assert [r["id"] for r in report.rules] == ["order_id.pattern", "amount.min", "status.enum"]
    assert report.rules[1]["samples"][0]["record"] == 1


def test_dictionary_and_view_strings(orders):
    status = pa.array(["new", "lost", None, "paid"]).dictionary_encode()
    table = pa.table({"order_id": pa.array(["ord_1"] * 4, pa.string_view()), "amount": [1.0] * 4, "status": status})
    report = orders.validate_table(table)
    assert report.records["invalid"] == 1
    assert report.rules[0]["samples"][0]["value"] == '"lost"'
    polars_cat = pl.DataFrame({"order_id": ["ord_1", "ord_2"], "amount": [1.0, 2.0],
                               "status": pl.Series(["new", "gone"], dtype=pl.Categorical)})
    assert orders.validate_table(polars_cat).rules[0]["id"] == "status.enum"


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("tz", [None, "UTC", "America/New_York"])
def test_timestamps_of_every_unit_and_zone(orders, unit, tz):
    instants = [dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
                dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)]
    placed = pa.array(instants, pa.timestamp(unit, tz=tz)) if tz else pa.array(
        [i.replace(tzinfo=None) for i in instants], pa.timestamp(unit))
    table = pa.table({"order_id": ["ord_1", "ord_2"], "amount": [1.0, 2.0], "placed_at": placed})
    report = orders.validate_table(table)
    assert report.records["valid"] == 1
    # A timestamp without a zone is a wall-clock time (UTC here, the field's zone): shown without 'Z'.
    assert report.rules[0]["samples"][0]["value"] == ('"2023-12-31T23:59:59Z"' if tz else '"2023-12-31T23:59:59"')


def test_a_column_of_another_type_gives_per_row_type_violations_as_json_would(orders):
    table = orders.validate_table(pa.table({"order_id": ["ord_1", "ord_2"], "amount": ["12", "x"]}))
    records = orders.validate_ndjson(b'{"order_id": "ord_1", "amount": "12"}\n{"order_id": "ord_2", "amount": "x"}\n')
    assert table.records == records.records == {"total": 2, "valid": 0, "invalid": 2, "malformed": 0, "coerced": 0}
    assert [r["id"] for r in table.rules] == [r["id"] for r in records.rules] == ["amount.type"]
    assert table.rules[0]["samples"][0]["message"] == "must be a number, not a string"
    # A broken layout or a type dq cannot read stays a DataError.
    with pytest.raises(dq.DataError, match="unsupported Arrow type binary"):
        orders.validate_table(pa.table({"order_id": ["ord_1"], "blob": [b"x"]}))
    with pytest.raises(TypeError, match="validate_table takes"):
        orders.validate_table([1, 2, 3])


def test_decimal_columns_are_numbers_compared_on_their_decimal_value(orders):
    import decimal

    amounts = [decimal.Decimal("1000.00"), decimal.Decimal("1000.01"), decimal.Decimal("-0.01")]
    for decimal_type in (pa.decimal128(12, 2), pa.decimal256(40, 2)):
        table = pa.table({"order_id": ["ord_1", "ord_2", "ord_3"], "amount": pa.array(amounts, decimal_type)})
        report = orders.validate_table(table)
        assert report.records["valid"] == 1
        assert [(r["id"], r["samples"][0]["value"]) for r in report.rules] == [("amount.min", "-0.01"),
                                                                              ("amount.max", "1000.01")]


def test_a_pandas_column_of_mixed_python_types_is_judged_per_row(orders):
    frame = pd.DataFrame({"order_id": ["ord_1", "ord_2", "ord_3"], "amount": [5, "lots", 7.5],
                          "note": [1, "x", None]})
    report = orders.validate_table(frame)
    assert report.records == {"total": 3, "valid": 2, "invalid": 1, "malformed": 0, "coerced": 0}
    assert report.rules[0]["id"] == "amount.type"
    assert report.rules[0]["samples"][0]["record"] == 2
    assert report.rules[0]["samples"][0]["value"] == '"lots"'


def test_contract_errors_carry_file_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(ORDERS.replace("pattern: '^ord_[0-9]+$'", "pattern: '^ord_[0-9+$'"))
    with pytest.raises(dq.ContractError) as caught:
        dq.load(path)
    error = caught.value
    assert (error.file, error.line) == (str(path), 9)
    assert error.column > 1
    assert "missing ]" in str(error)
    assert error.diagnostics[0].severity == "error"
    with pytest.raises(OSError):
        dq.load(tmp_path / "missing.yaml")


def test_report_renders_for_people_and_notebooks(orders):
    report = orders.validate_table(frames()["pyarrow"])
    assert "FAILED" in report.to_text() and "status.enum" in report.to_text()
    html = report._repr_html_()
    assert "<table>" in html and "status.enum" in html and "&quot;lost&quot;" in html
    assert json.loads(report.to_json())["records"]["total"] == 4
    assert repr(report).startswith("<dq.Report FAILED shop.orders")


def test_validation_releases_the_gil(orders):
    # A second Python thread keeps ticking while a long native validation
    # runs: with the GIL held it could not run at all during the call.
    n = 1_000_000
    table = pa.table({"order_id": [f"ord_{i}" for i in range(n)], "amount": [float(i % 900) for i in range(n)]})
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.01)
    start = time.perf_counter()
    report = orders.validate_table(table)
    end = time.perf_counter()
    done.set()
    ticker.join()
    assert report.records["valid"] == n
    inside = [t for t in ticks if start < t < end]
    assert len(inside) > 100, f"the other thread ran {len(inside)} times during a {end - start:.3f}s call"


def test_one_contract_serves_many_threads(orders):
    rows = [json.dumps({**GOOD, "amount": float(i % 1500)}) for i in range(2000)]
    expected = [orders.validate_json(r).ok for r in rows]
    results = {}

    def work(k):
        results[k] = [orders.validate_json(r).ok for r in rows]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(4))
    assert expected.count(False) == 499  # amounts 1001..1499 exceed max_amount


@pytest.mark.parametrize("seed", range(8))
def test_random_frames_count_every_row_once_in_every_frame_library(orders, seed):
    """No loss: for random frames (nulls, bad values, small batches, slices),
    total == rows == valid + invalid + malformed, and every library agrees."""
    import random
    rng = random.Random(seed)
    n = rng.randrange(0, 3000)
    data = {"order_id": [rng.choice(["ord_%d" % i, "bad id", None]) for i in range(n)],
            "amount": [rng.choice([rng.uniform(-10, 2000), None, 0.0]) for _ in range(n)],
            "status": [rng.choice(["new", "paid", "lost", None, ""]) for _ in range(n)]}
    table = pa.table(data, schema=pa.schema([("order_id", pa.string()), ("amount", pa.float64()),
                                             ("status", pa.string())]))
    batches = table.to_batches(max_chunksize=rng.randrange(1, 500)) if n else []
    kinds = {"pyarrow": table, "pandas": table.to_pandas(), "polars": pl.from_arrow(table),
             "reader": pa.RecordBatchReader.from_batches(table.schema, batches)}
    reports = {kind: orders.validate_table(frame) for kind, frame in kinds.items()}
    expected = reports["pyarrow"].to_dict()
    for kind, report in reports.items():
        r = report.records
        assert r["total"] == n == r["valid"] + r["invalid"] + r["malformed"], kind
        assert report.to_dict() == expected, kind
    start = rng.randrange(0, n + 1)
    sliced = table.slice(start, n - start)
    assert orders.validate_table(sliced).records["total"] == n - start


def test_the_version_has_one_source_cmakelists_project():
    import pathlib
    import re

    cmake = (pathlib.Path(__file__).resolve().parents[2] / "CMakeLists.txt").read_text()
    declared = re.search(r"project\(dq VERSION ([0-9.]+)", cmake).group(1)
    assert dq.__version__ == declared
    assert importlib.metadata.version("dq") == declared


def test_the_package_namespace_is_its_public_api():
    public = {name for name in dir(dq) if not name.startswith("_")}
    # Public submodules appear once imported (dq.beam, dq.pubsub, dq.spark, ...); nothing else leaks.
    assert public - {"beam", "pubsub", "spark", "beam_template", "web"} == set(dq.__all__)
    for name in dq.__all__:
        obj = getattr(dq, name)
        if isinstance(obj, type) and not obj.__module__.startswith("dq._core"):
            assert obj.__module__ == "dq", name


def test_dataframes_come_from_to_pandas_and_the_old_names_warn(orders):
    report = orders.validate_ndjson(b'{"order_id": "ord_1", "amount": -1}\n')
    frame = report.to_pandas()
    assert list(frame.columns) == ["record", "row", "line", "path", "rule", "severity", "message", "value"]
    assert len(frame) >= 1
    with pytest.warns(DeprecationWarning, match=r"use Report.to_pandas\(\)"):
        assert report.failures.equals(frame)


def test_gate_options_are_keywords_a_user_can_see(orders):
    signature = inspect.signature(orders.gate)
    assert "options" not in signature.parameters
    assert {"window_messages", "max_consecutive_failures", "on_window", "max_reason_bytes"} <= set(signature.parameters)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())
    with pytest.raises(TypeError):
        orders.gate(window_mesages=10)  # a misspelt option is refused, not ignored


def test_the_native_module_matches_its_stub(tmp_path):
    # mypy's stubtest imports dq._core and compares every class, method and
    # property with _core.pyi (the allowlist says what pybind11 cannot show).
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "dq._core", "--allowlist",
         str(root / "bindings" / "python" / "stubtest_allowlist.txt")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)  # the installed package, nothing else
    assert result.returncode == 0, result.stdout + result.stderr
