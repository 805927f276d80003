"""dq serve for a moment: starts the self-service server on a free loopback
port over contracts/ and examples/data, lists the catalog, grades the taxi
zones with changed params through the JSON API as the page would, validates a
record over HTTP, and stops. Open the page yourself with:

    build/dev/dq serve --contracts contracts --data examples/data
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def call(url: str, body=None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, headers={"content-type": content_type} if body else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    state = ROOT / "build/serve-demo"
    shutil.rmtree(state, ignore_errors=True)  # a fresh run history each time
    server = subprocess.Popen([str(ROOT / "build/dev/dq"), "serve", "--contracts", str(ROOT / "contracts"), "--data",
                               str(ROOT / "examples/data"), "--state", str(state), "--port", str(port)],
                              env={**os.environ, "DQ_PYTHON": sys.executable})
    try:
        for _ in range(300):
            try:
                contracts = call(base + "/api/contracts")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("dq serve did not start")
        print(f"dq serve at {base}: {len(contracts)} contracts")
        for c in contracts:
            card = c["card"] or {}
            print(f"  {c['dataset']:28} {card.get('version', ''):7} owner {card.get('owner', {}).get('team', ''):20} "
                  f"lint {c['lint']['errors']} errors {c['lint']['warnings']} warnings  jobs {', '.join(c['jobs'])}")
        run = call(base + "/api/contracts/nyc.yellow_taxi_trips/runs", json.dumps({
            "job": "grade", "inputs": ["nyc_taxi/yellow_tripdata_sample_2019-01.csv"],
            "params": {"hub_trips": "150", "hub_fares": "1500"}}).encode())
        while run["status"] in ("queued", "running"):
            time.sleep(0.1)
            run = call(f"{base}/api/runs/{run['id']}")
        print(f"run #{run['id']} grade {run['status']}: {run['counts']['total']} records, tiers {run['counts']['tiers']}, "
              f"inputs {run['inputs'][0]['path']} sha256 {run['inputs'][0]['sha256'][:12]}..., "
              f"files {', '.join(run['artifacts'])}")
        verdict = call(base + "/api/contracts/nyc.yellow_taxi_trips/validate",
                       json.dumps({"vendor_id": 7, "fare_amount": -3}).encode())
        print("POST /api/contracts/nyc.yellow_taxi_trips/validate:", "ok" if verdict["ok"] else "rejected:",
              "; ".join(f"{v['path']}: {v['message']}" for v in verdict["violations"][:3]), "...")
    finally:
        server.terminate()
        server.wait(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
