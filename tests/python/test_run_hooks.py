"""What a long run gives a caller while it runs and after: progress calls,
the rejects file, monitors over a metric history, and dq.describe."""
import json

import pytest

import dq

TAXI = "contracts/nyc_taxi.yaml"
TAXI_JAN = "examples/data/nyc_taxi/yellow_tripdata_sample_2019-01.csv"
MONITORED = """dq: 1
dataset: shop.orders
version: 1.0.0
owner: {team: shop, contact: shop@example.com}
fields:
  id: {type: integer, required: true}
monitors:
  - {metric: row_count, method: threshold, min: 3}
"""


def test_progress_counts_grow_to_the_file_and_rejects_hold_every_failing_record(root, tmp_path):
    contract = dq.load(root / TAXI)
    calls = []
    rejects = tmp_path / "rejects.ndjson"
    report = contract.validate_csv(root / TAXI_JAN, rejects=rejects, progress=lambda r, b: calls.append((r, b)))
    assert calls and calls[-1][0] == 10_000  # every 10,000 records
    assert all(b <= (root / TAXI_JAN).stat().st_size for _, b in calls)
    lines = rejects.read_text().splitlines()
    assert len(lines) == report.records["invalid"] + report.records["malformed"] > 0
    first = json.loads(lines[0])
    assert first["raw"] and first["csv_header"] and first["violations"]


def test_an_error_in_the_progress_callback_is_raised_after_the_run(root):
    def fail(records, size):
        raise KeyError("stop")

    with pytest.raises(KeyError):
        dq.load(root / TAXI).validate_csv(root / TAXI_JAN, progress=fail)
    with pytest.raises(KeyError):
        dq.load(root / TAXI).grade([root / TAXI_JAN], progress=fail)


def test_grade_reports_progress_over_its_inputs(root):
    calls = []
    run = dq.load(root / TAXI).grade([root / TAXI_JAN], progress=lambda r, b: calls.append(r))
    assert calls == [10_000] and run.summary["rows"]["read"] == 10_000


def test_history_runs_the_monitors_at_the_datas_time(tmp_path):
    contract_path = tmp_path / "orders.yaml"
    contract_path.write_text(MONITORED)
    contract = dq.load(contract_path)
    history = tmp_path / "history.sqlite"
    data = tmp_path / "orders.ndjson"
    data.write_text('{"id": 1}\n{"id": 2}\n')
    report = contract.validate_ndjson(data, history=history, as_of="2026-01-02")
    assert [m["metric"] for m in report.to_dict()["monitors"]] == ["row_count"]
    assert not report.ok  # 2 rows, below the threshold's 3
    series = dq.History(history).read("shop.orders", "row_count")
    assert list(series) == [2.0] and str(series.index[0].date()) == "2026-01-02"


def test_describe_lists_what_a_catalog_shows(root):
    card = dq.describe(root / "contracts/agent_sales.yaml")
    assert card["dataset"] == "realty.agent_sales" and card["owner"]["team"] == "sales-ops"
    assert card["grading"] is True
    params = {p["name"]: p for p in card["params"]}
    assert params["gold_deals"]["type"] == "integer" and params["gold_deals"]["default"] == "10"
    assert params["include_active"]["type"] == "boolean"

def test_describe_refuses_a_contract_that_does_not_load(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("dq: 1\ndataset: x\nversion: 1.0.0\nfields:\n  id: {type: integr}\n")
    with pytest.raises(dq.ContractError) as e:
        dq.describe(broken)
    assert "broken.yaml:5:" in str(e.value)


def test_describe_gives_a_params_bounds_and_allowed_values(tmp_path):
    path = tmp_path / "bounded.yaml"
    path.write_text("dq: 1\ndataset: x\nversion: 1.0.0\nowner: {team: t, contact: t@example.com}\nparams:\n"
                    "  n: {type: integer, default: 5, min: 1, max: 10}\n"
                    "  tier: {type: string, default: gold, enum: [gold, silver]}\n"
                    "fields:\n  id: {type: integer}\n")
    params = {p["name"]: p for p in dq.describe(path)["params"]}
    assert (params["n"]["min"], params["n"]["max"], params["n"]["enum"]) == ("1", "10", [])
    assert (params["tier"]["min"], params["tier"]["enum"]) == (None, ["gold", "silver"])
    with pytest.raises(dq.ContractError, match="below its min 1"):
        dq.load(path, params={"n": 0})
