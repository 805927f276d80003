"""A real dq server for the web tests: `python -m dq.web` started on a free
loopback port over a contracts folder that is a git repository (two versions
of the taxi contract), a data folder with the taxi samples, and its own state
folder; stopped at the end."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
DQ_BIN = os.environ.get("DQ_BIN", str(ROOT / "build/dev/dq"))
TAXI_MONTHS = ["yellow_tripdata_sample_2019-01.csv", "yellow_tripdata_sample_2019-02.csv"]
ORDERS = """dq: 1
dataset: shop.orders
version: 1.0.0
title: Shop orders
owner: {team: shop, contact: shop@example.com}
tags: [shop]
classification: confidential
params:
  max_amount: {type: number, default: 500, description: The largest order amount.}
fields:
  id: {type: integer, required: true, min: 0}
  email: {type: string, format: email}
  amount: {type: number, max: $max_amount}
monitors:
  - {metric: row_count, method: robust, window: 10, sigma: 4, direction: down}
"""
# User content that must come back escaped.
HOSTILE = """dq: 1
dataset: shop.hostile
version: 1.0.0
title: "<script>alert('title')</script>"
description: "<img src=x onerror=alert(1)>"
owner: {team: "<b>team</b>", contact: x@example.com}
fields:
  name: {type: string, pattern: '^[a-z]+$'}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=Governance Owner", "-c", "user.email=owner@example.com",
                    *args], check=True, capture_output=True)


class Server:
    """One `python -m dq.web` process; restartable over the same folders."""

    def __init__(self, root: Path, *extra: str):
        self.contracts, self.data, self.state = root / "contracts", root / "data", root / "state"
        self.extra = list(extra)
        self.process = None
        self.url = ""

    def start(self) -> "Server":
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(self.state.parent / "server.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dq.web", "--contracts", str(self.contracts), "--data", str(self.data),
             "--state", str(self.state), "--port", str(port), "--max-upload-mb", "2", *self.extra], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dq.web exited with {self.process.returncode}: "
                                   + (self.state.parent / "server.log").read_text())
            try:
                requests.get(self.url + "/static/style.css", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("dq.web did not answer within 30 s")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    # JSON API helpers
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return requests.request(method, self.url + path, **kwargs)

    def start_run(self, dataset: str, job: str, inputs, params=None, **kwargs) -> requests.Response:
        return self.api("POST", f"/api/contracts/{dataset}/runs",
                        json={"job": job, "inputs": list(inputs), "params": params or {}}, **kwargs)

    def wait(self, run_id: int, timeout: float = 120, **kwargs) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            run = self.api("GET", f"/api/runs/{run_id}", **kwargs).json()
            if run["status"] not in ("queued", "running"):
                return run
            time.sleep(0.05)
        raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def make_folders(root: Path) -> None:
    contracts, data = root / "contracts", root / "data"
    (contracts / "baselines").mkdir(parents=True)
    (data / "nyc_taxi").mkdir(parents=True)
    (root / "state").mkdir()
    taxi = (ROOT / "contracts/nyc_taxi.yaml").read_text()
    (contracts / "nyc_taxi.yaml").write_text(taxi.replace("version: 1.0.0", "version: 0.9.0").replace(
        "max: 500, description: Miles", "max: 800, description: Miles"))
    shutil.copy(ROOT / "contracts/baselines/nyc_taxi_2019-01.profile.json", contracts / "baselines")
    shutil.copy(ROOT / "contracts/agent_sales.yaml", contracts)
    (contracts / "orders.yaml").write_text(ORDERS)
    (contracts / "hostile.yaml").write_text(HOSTILE)
    # Contracts in other formats a catalog lists too: an ODCS file and an Avro schema.
    shutil.copy(ROOT / "tests/data/odcs/column-completeness.odcs.yaml", contracts)
    shutil.copy(ROOT / "examples/schemas/ride_event.avsc", contracts)
    git(contracts, "init", "-q")
    git(contracts, "add", ".")
    git(contracts, "commit", "-q", "-m", "First contracts")
    (contracts / "nyc_taxi.yaml").write_text(taxi)  # 1.0.0: trip_distance's max back to 500
    git(contracts, "commit", "-q", "-am", "Taxi 1.0.0: trips over 500 miles are meter errors")
    for month in TAXI_MONTHS + ["yellow_tripdata_sample_2020-04.csv"]:
        shutil.copy(ROOT / "examples/data/nyc_taxi" / month, data / "nyc_taxi")
    (data / "orders.ndjson").write_text('{"id": 1, "email": "a@example.com", "amount": 20}\n'
                                        '{"id": 2, "email": "not an email", "amount": 900}\n'
                                        '{"id": -3}\n{"id": 4, "amount": 5}\n{broken\n')
    (data / "hostile.ndjson").write_text('{"name": "<script>alert(\'value\')</script>"}\n')
    outside = root / "secret.csv"
    outside.write_text("id\n1\n")
    (data / "escape.csv").symlink_to(outside)  # a symlink that leads out of the data folder


@pytest.fixture(scope="session")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    make_folders(root)
    return root


@pytest.fixture(scope="session")
def big_orders(folders):
    """2.5 million orders (~200 MB): a run that lasts long enough to be cancelled or interrupted."""
    path = folders / "data" / "big_orders.ndjson"
    with open(path, "w") as f:
        for start in range(0, 2_500_000, 100_000):
            f.write("".join(f'{{"id": {i}, "email": "user{i}@example.com", "amount": {i % 400}}}\n'
                            for i in range(start, start + 100_000)))
    return "big_orders.ndjson"


@pytest.fixture(scope="session")
def server(folders):
    s = Server(folders).start()
    yield s
    s.stop()


def cli_grade(contract: Path, inputs, params, output: Path, cwd: Path) -> None:
    args = [DQ_BIN, "grade", "-c", str(contract), *inputs, "-o", str(output)]
    for name, value in params.items():
        args += ["--param", f"{name}={value}"]
    subprocess.run(args, check=True, capture_output=True, cwd=cwd, timeout=120)
