"""The JSON API of a real dq server, end to end: contracts, runs, artifacts,
the validate endpoint, batch tracking across restarts, and the security cases."""
import csv
import io
import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import TAXI_MONTHS, Server, cli_grade, free_port

TAXI = "nyc.yellow_taxi_trips"
MONTHS = [f"nyc_taxi/{m}" for m in TAXI_MONTHS]


def runs_count(server) -> int:
    return len(server.api("GET", "/api/runs", params={"limit": 10000}).json())


def test_contracts_list_every_file_with_its_entry_lint_and_jobs(server):
    listed = {c["file"]: c for c in server.api("GET", "/api/contracts").json()}
    assert set(listed) == {"nyc_taxi.yaml", "agent_sales.yaml", "orders.yaml", "hostile.yaml",
                           "column-completeness.odcs.yaml", "ride_event.avsc"}
    assert listed["ride_event.avsc"]["dataset"] == "mobility.rides.RideEvent"
    assert listed["column-completeness.odcs.yaml"]["card"]["title"] == "my_table"
    # Imported schemas name no owner: the house policy's finding shows in the catalog.
    assert listed["ride_event.avsc"]["lint"]["errors"] >= 1
    taxi = listed["nyc_taxi.yaml"]
    assert taxi["dataset"] == TAXI and taxi["card"]["owner"]["team"] == "mobility-analytics"
    assert taxi["jobs"] == ["validate", "grade", "profile", "drift"]
    assert listed["orders.yaml"]["jobs"] == ["validate", "profile"]
    assert all(listed[f]["lint"]["errors"] == 0 for f in ("nyc_taxi.yaml", "agent_sales.yaml", "orders.yaml"))
    assert listed["hostile.yaml"]["lint"]["warnings"] > 0  # no description on its field, for one


def test_a_contract_has_its_versions_from_git(server):
    taxi = server.api("GET", f"/api/contracts/{TAXI}").json()
    assert [v["subject"] for v in taxi["versions"]] == ["Taxi 1.0.0: trips over 500 miles are meter errors",
                                                        "First contracts"]
    old = taxi["versions"][1]["commit"]
    page = server.api("GET", f"/contracts/{TAXI}/diff", params={"old": old})
    assert page.status_code == 200
    assert "max lowered from 800 to 500" in page.text and "Blocks" not in page.text  # 0.9.0 -> 1.0.0 is a major bump
    assert server.api("GET", f"/contracts/{TAXI}/diff", params={"old": "not-a-commit"}).status_code == 400
    assert server.api("GET", "/api/contracts/no.such.dataset").status_code == 404


def test_a_grade_run_with_params_exports_what_dq_grade_exports(server, folders, tmp_path):
    params = {"hub_trips": "150", "busy_trips": "40", "max_fare": "400"}
    started = server.start_run(TAXI, "grade", MONTHS, params)
    assert started.status_code == 202, started.text
    run = server.wait(started.json()["id"])
    assert run["status"] == "succeeded", run
    assert run["params"] == params and run["who"] == "local" and run["contract_version"] == "1.0.0"
    assert [i["path"] for i in run["inputs"]] == MONTHS
    assert all(len(i["sha256"]) == 64 and i["bytes"] > 0 for i in run["inputs"])
    assert run["counts"]["total"] == 20000 and run["bytes_read"] == run["total_bytes"]
    assert set(run["artifacts"]) >= {"export.csv", "rejects.ndjson", "run.json"}
    export = server.api("GET", f"/api/runs/{run['id']}/artifacts/export.csv")
    cli_grade(folders / "contracts/nyc_taxi.yaml", MONTHS, params, tmp_path / "cli.csv", folders / "data")
    assert export.content == (tmp_path / "cli.csv").read_bytes()
    summary = server.api("GET", f"/api/runs/{run['id']}/artifacts/run.json").json()
    assert summary["params"]["hub_trips"] == "150" and summary["rows"]["read"] == 20000


def test_a_refused_param_starts_nothing_and_says_why(server):
    before = runs_count(server)
    bad = server.start_run(TAXI, "grade", MONTHS, {"hub_trips": "lots"})
    assert bad.status_code == 400 and "hub_trips" in bad.json()["error"]
    below = server.start_run(TAXI, "grade", MONTHS, {"hub_trips": "0"})
    assert below.status_code == 400 and "is 0, below its min 1" in below.json()["error"]
    unknown = server.start_run(TAXI, "grade", MONTHS, {"hub_tripz": "5"})
    assert unknown.status_code == 400 and "hub_tripz" in unknown.json()["error"]
    wrong_job = server.start_run("shop.orders", "grade", ["orders.ndjson"])
    assert wrong_job.status_code == 400 and "cannot run 'grade'" in wrong_job.json()["error"]
    assert runs_count(server) == before
    assert not any(p.name.startswith("upload") for p in (server.state / "runs").glob("*"))


@pytest.mark.parametrize("path", ["../secret.csv", "/etc/passwd", "escape.csv", "nyc_taxi/../../secret.csv",
                                  "upload:../runs.sqlite"])
def test_inputs_outside_the_data_folder_are_forbidden(server, path):
    before = runs_count(server)
    response = server.start_run("shop.orders", "validate", [path])
    assert response.status_code == 403, response.text
    assert runs_count(server) == before


def test_validate_profile_and_drift_runs_keep_their_reports(server):
    ids = [server.start_run(TAXI, job, ["nyc_taxi/yellow_tripdata_sample_2020-04.csv"]).json()["id"]
           for job in ("validate", "profile", "drift")]
    validate, profile, drift = [server.wait(i) for i in ids]
    assert validate["status"] == "succeeded" and validate["ok"] is False  # April 2020 breaks the drift checks
    report = server.api("GET", f"/api/runs/{validate['id']}/artifacts/report.json").json()
    assert report["records"] == {k: validate["counts"][k] for k in report["records"]}
    rejects = server.api("GET", f"/api/runs/{validate['id']}/artifacts/rejects.ndjson").text.splitlines()
    assert len(rejects) == report["records"]["invalid"] + report["records"]["malformed"]
    assert profile["counts"]["profiled"] == 10000
    assert drift["ok"] is False and drift["counts"]["failed"] > 0
    assert any(a.endswith(".png") for a in drift["artifacts"])
    page = server.api("GET", f"/runs/{drift['id']}")
    assert page.status_code == 200 and "fail" in page.text
    assert server.api("GET", f"/api/runs/{drift['id']}/artifacts/job.json").status_code == 404  # not an artifact


def test_uploads_are_limited_and_never_overwrite(server):
    body = b'{"id": 1, "email": "a@example.com"}\n'
    first = server.api("POST", "/api/uploads", params={"name": "orders.ndjson"}, data=body,
                       headers={"content-type": "application/octet-stream"}).json()["input"]
    second = server.api("POST", "/api/uploads", params={"name": "orders.ndjson"}, data=body * 2,
                        headers={"content-type": "application/octet-stream"}).json()["input"]
    assert first != second and first.startswith("upload:")
    run = server.wait(server.start_run("shop.orders", "validate", [second]).json()["id"])
    assert run["status"] == "succeeded" and run["counts"]["total"] == 2
    too_big = server.api("POST", "/api/uploads", params={"name": "big.ndjson"}, data=b"x" * (3 << 20),
                         headers={"content-type": "application/octet-stream"})
    assert too_big.status_code == 413
    wrong_kind = server.api("POST", "/api/uploads", params={"name": "run.sh"}, data=body,
                            headers={"content-type": "application/octet-stream"})
    assert wrong_kind.status_code == 400


def test_validate_endpoint_takes_a_record_or_an_ndjson_batch(server):
    url = "/api/contracts/shop.orders/validate"
    good = server.api("POST", url, data='{"id": 1, "amount": 10}', headers={"content-type": "application/json"})
    assert good.json()["ok"] is True
    bad = server.api("POST", url, data='{"id": 1, "amount": 600}', headers={"content-type": "application/json"})
    assert bad.json()["ok"] is False and bad.json()["violations"][0]["rule"] == "amount.max"
    raised = server.api("POST", url, params={"param": "max_amount=1000"}, data='{"id": 1, "amount": 600}',
                        headers={"content-type": "application/json"})
    assert raised.json()["ok"] is True
    broken = server.api("POST", url, data='{"id": ', headers={"content-type": "application/json"})
    assert broken.json()["malformed"] is True and broken.json()["error"]
    batch = server.api("POST", url, data=(folders_orders := open_orders(server)),
                       headers={"content-type": "application/x-ndjson"}).json()
    assert batch["report"]["records"] == {"total": 5, "valid": 2, "invalid": 2, "malformed": 1, "coerced": 0}
    assert {f["rule"] for f in batch["failures"]} >= {"email.format", "amount.max", "id.min", "malformed"}
    assert len(folders_orders) > 0
    bad_param = server.api("POST", url, params={"param": "max_amount=many"}, data="{}",
                           headers={"content-type": "application/json"})
    assert bad_param.status_code == 400


def open_orders(server) -> bytes:
    return (server.data / "orders.ndjson").read_bytes()


def test_api_posts_must_be_json_so_other_sites_cannot_forge_them(server):
    before = runs_count(server)
    forged = server.api("POST", f"/api/contracts/{TAXI}/runs", data={"job": "grade", "inputs": MONTHS[0]})
    assert forged.status_code == 415
    plain = server.api("POST", f"/api/contracts/{TAXI}/validate", data="{}", headers={"content-type": "text/plain"})
    assert plain.status_code == 415
    assert runs_count(server) == before


def test_forms_need_their_csrf_token(server):
    session = requests.Session()
    page = session.get(server.url + f"/contracts/{TAXI}/run")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"job": "grade", "inputs": MONTHS[0], "param.hub_trips": "100"}
    before = runs_count(server)
    assert session.post(server.url + f"/contracts/{TAXI}/run", data=form).status_code == 403
    assert session.post(server.url + f"/contracts/{TAXI}/run", data={**form, "csrf": "guess"}).status_code == 403
    assert requests.post(server.url + f"/contracts/{TAXI}/run", data={**form, "csrf": token}).status_code == 403
    assert runs_count(server) == before
    done = session.post(server.url + f"/contracts/{TAXI}/run", data={**form, "csrf": token}, allow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/runs/")
    assert server.wait(int(done.headers["location"].rsplit("/", 1)[1]))["status"] == "succeeded"


def test_contract_text_and_data_values_are_escaped(server):
    catalog = server.api("GET", "/").text
    assert "<script>alert('title')" not in catalog and "&lt;script&gt;alert(" in catalog
    assert "<b>team</b>" not in catalog
    run = server.wait(server.start_run("shop.hostile", "validate", ["hostile.ndjson"]).json()["id"])
    page = server.api("GET", f"/runs/{run['id']}").text
    assert "<script>alert('value')" not in page
    assert server.api("GET", "/").headers["content-security-policy"].startswith("default-src 'self'")


def test_concurrent_runs_all_finish_with_equal_answers(server):
    with ThreadPoolExecutor(6) as pool:
        started = list(pool.map(lambda _: server.start_run(TAXI, "grade", MONTHS, {"hub_trips": "120"}), range(6)))
    runs = [server.wait(s.json()["id"]) for s in started]
    assert [r["status"] for r in runs] == ["succeeded"] * 6
    assert len({json.dumps(r["counts"], sort_keys=True) for r in runs}) == 1
    exports = {server.api("GET", f"/api/runs/{r['id']}/artifacts/export.csv").content for r in runs}
    assert len(exports) == 1


def test_runs_filter_and_export_as_csv(server):
    server.wait(server.start_run("shop.orders", "validate", ["orders.ndjson"]).json()["id"])
    rows = list(csv.DictReader(io.StringIO(server.api("GET", "/api/runs.csv", params={"dataset": "shop.orders"}).text)))
    assert rows and {r["dataset"] for r in rows} == {"shop.orders"}
    assert all(r["status"] in ("succeeded", "failed", "cancelled", "interrupted") for r in rows)
    grades = server.api("GET", "/api/runs", params={"job": "grade"}).json()
    assert grades and {r["job"] for r in grades} == {"grade"}


def test_monitors_chart_each_metric_with_its_band_and_anomalies(server):
    days = ["2026-01-%02d" % d for d in range(1, 16)]
    for day in days:  # a steady 5 records a day, then one day with 1
        run = server.api("POST", "/api/contracts/shop.orders/runs",
                         json={"job": "validate", "inputs": ["orders.ndjson"], "as_of": day}).json()
        server.wait(run["id"])
    upload = server.api("POST", "/api/uploads", params={"name": "one.ndjson"}, data=b'{"id": 1}\n',
                        headers={"content-type": "application/octet-stream"}).json()["input"]
    last = server.api("POST", "/api/contracts/shop.orders/runs",
                      json={"job": "validate", "inputs": [upload], "as_of": "2026-01-16"}).json()
    assert server.wait(last["id"])["ok"] is False  # the monitor's anomaly fails the run
    run_page = server.api("GET", f"/runs/{last['id']}").text
    assert 'class="monitors"' in run_page and "anomaly" in run_page
    monitors = server.api("GET", "/api/monitors/shop.orders").json()["monitors"]
    row_count = next(m for m in monitors if m["metric"] == "row_count")
    assert row_count["method"] == "robust"
    points = [p for p in row_count["points"] if p["at"].startswith("2026-01")]
    assert [p["anomaly"] for p in points] == [False] * 15 + [True]
    assert points[-1]["lower"] is not None and points[-1]["value"] < points[-1]["lower"]
    page = server.api("GET", "/contracts/shop.orders/monitors").text
    assert "<svg" in page and 'class="anomaly"' in page


def test_a_queued_or_running_run_can_be_cancelled(server, big_orders):
    cancelled_running = None
    for _ in range(5):  # a run this fast can end before the cancel arrives: try again
        run_id = server.start_run("shop.orders", "validate", [big_orders]).json()["id"]
        while server.api("GET", f"/api/runs/{run_id}").json()["status"] == "queued":
            time.sleep(0.01)
        after = server.api("POST", f"/api/runs/{run_id}/cancel", json={}).json()
        if after["status"] == "cancelled":
            cancelled_running = after
            break
    assert cancelled_running is not None, "every run ended before its cancel"
    time.sleep(0.5)
    final = server.api("GET", f"/api/runs/{cancelled_running['id']}").json()
    assert final["status"] == "cancelled" and final["artifacts"] == []


def test_a_restarted_server_keeps_its_runs_and_marks_interrupted_ones(folders, big_orders, tmp_path):
    server = Server(folders).start()
    finished = server.wait(server.start_run("shop.orders", "validate", ["orders.ndjson"]).json()["id"])
    slow = [server.start_run("shop.orders", "validate", [big_orders]).json()["id"] for _ in range(2)]
    server.stop(signal.SIGKILL)  # no chance to record anything
    server.start()
    try:
        runs = {r["id"]: r for r in server.api("GET", "/api/runs", params={"limit": 10000}).json()}
        assert runs[finished["id"]]["status"] == "succeeded"
        assert runs[slow[1]]["status"] == "interrupted"  # it was still queued behind the first
        assert runs[slow[0]]["status"] in ("interrupted", "succeeded")
        again = server.api("POST", f"/api/runs/{slow[1]}/rerun", json={}).json()
        assert again["rerun_of"] == slow[1] and again["params"] == runs[slow[1]]["params"]
        assert again["inputs"] == runs[slow[1]]["inputs"]
        assert server.wait(again["id"])["status"] == "succeeded"
        page = server.api("GET", f"/runs/{slow[1]}").text
        assert "interrupted" in page and "Run again" in page
    finally:
        server.stop()


def test_a_token_guards_every_page_and_endpoint(folders, tmp_path):
    token = "correct-horse-battery-staple"
    server = Server(folders, "--token", token).start()
    try:
        assert server.api("GET", "/api/contracts").status_code == 401
        assert server.api("GET", "/api/contracts", headers={"authorization": "Bearer wrong-token-123456"}).status_code == 401
        ok = server.api("GET", "/api/contracts", headers={"authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        page = server.api("GET", "/", allow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        session = requests.Session()
        login = session.get(server.url + "/login").text
        csrf = login.split('name="csrf" value="')[1].split('"')[0]
        assert session.post(server.url + "/login", data={"csrf": csrf, "token": "nope"}).status_code == 401
        assert session.post(server.url + "/login", data={"csrf": csrf, "token": token}).status_code == 200
        assert "nyc.yellow_taxi_trips" in session.get(server.url + "/").text
        run = session.post(server.url + "/api/contracts/shop.orders/runs",
                           json={"job": "validate", "inputs": ["orders.ndjson"]}).json()
        assert run["who"] == "admin"
    finally:
        server.stop()


def test_binding_beyond_loopback_needs_a_token(folders):
    done = subprocess.run([sys.executable, "-m", "dq.web", "--contracts", str(folders / "contracts"), "--data",
                           str(folders / "data"), "--state", str(folders / "state"), "--host", "0.0.0.0",
                           "--port", str(free_port())], capture_output=True, timeout=60)
    assert done.returncode != 0 and b"give --token or --users" in done.stderr
    short = subprocess.run([sys.executable, "-m", "dq.web", "--contracts", str(folders / "contracts"), "--data",
                            str(folders / "data"), "--token", "short"], capture_output=True, timeout=60)
    assert short.returncode != 0 and b"16 characters" in short.stderr


def test_openapi_documents_every_endpoint(server):
    schema = server.api("GET", "/api/openapi.json").json()
    assert {"/api/contracts", "/api/contracts/{dataset}", "/api/contracts/{dataset}/runs",
            "/api/contracts/{dataset}/validate", "/api/runs", "/api/runs.csv", "/api/runs/{run_id}",
            "/api/runs/{run_id}/cancel", "/api/runs/{run_id}/rerun", "/api/runs/{run_id}/artifacts/{name}",
            "/api/uploads", "/api/data", "/api/monitors/{dataset}"} <= set(schema["paths"])
    assert "/api/contracts/{dataset}/runs" in server.api("GET", "/api").text


def csrf_session(server, path):
    session = requests.Session()
    page = session.get(server.url + path).text
    return session, page.split('name="csrf" value="')[1].split('"')[0]


def test_a_form_upload_runs_and_a_refused_param_keeps_no_upload(server):
    uploads = server.state / "uploads"
    before = set(uploads.iterdir()) if uploads.exists() else set()
    session, csrf = csrf_session(server, "/contracts/shop.orders/run")
    body = b'{"id": 1, "amount": 700}\n{"id": 2, "amount": 10}\n'
    refused = session.post(server.url + "/contracts/shop.orders/run",
                           data={"csrf": csrf, "job": "validate", "param.max_amount": "lots"},
                           files={"upload": ("mine.ndjson", body, "application/x-ndjson")})
    assert refused.status_code == 400 and "max_amount" in refused.text
    assert (set(uploads.iterdir()) if uploads.exists() else set()) == before
    done = session.post(server.url + "/contracts/shop.orders/run",
                        data={"csrf": csrf, "job": "validate", "param.max_amount": "1000"},
                        files={"upload": ("mine.ndjson", body, "application/x-ndjson")}, allow_redirects=False)
    assert done.status_code == 303
    run = server.wait(int(done.headers["location"].rsplit("/", 1)[1]))
    assert run["status"] == "succeeded" and run["params"] == {"max_amount": "1000"}
    assert run["counts"]["valid"] == 2  # 700 is within the raised max
    assert run["inputs"][0]["path"].startswith("upload:") and run["inputs"][0]["path"].endswith("/mine.ndjson")
    no_such_job = session.post(server.url + "/contracts/shop.orders/run", data={"csrf": csrf, "job": "grade"},
                               files={"upload": ("mine.ndjson", body, "application/x-ndjson")})
    assert no_such_job.status_code == 400 and "cannot run &#39;grade&#39;" in no_such_job.text
    assert len(set(uploads.iterdir())) == len(before) + 1  # only the upload of the run that started
    too_big = session.post(server.url + "/contracts/shop.orders/run", data={"csrf": csrf, "job": "validate"},
                           files={"upload": ("big.ndjson", b"x" * (5 << 19), "application/x-ndjson")})
    assert too_big.status_code == 413


def test_a_users_file_names_who_started_each_run(folders, tmp_path):
    users = tmp_path / "users"
    users.write_text("# name:token\nana:ana-token-0123456789\nben:ben-token-0123456789\n")
    server = Server(folders, "--users", str(users)).start()
    try:
        for name in ("ana", "ben"):
            run = server.start_run("shop.orders", "validate", ["orders.ndjson"],
                                   headers={"authorization": f"Bearer {name}-token-0123456789"}).json()
            assert run["who"] == name
        assert server.start_run("shop.orders", "validate", ["orders.ndjson"]).status_code == 401
    finally:
        server.stop()
