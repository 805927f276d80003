#!/usr/bin/env python3
"""Writes the benchmark inputs into build/bench-data (kept between runs):

    bench/prepare_data.py [MB=100] [table rows=10000000]

  github_events.ndjson  the 30 real GitHub API events of examples/data, repeated
                        to ~MB megabytes with a fresh decimal id each; 1% broken
                        (a login against its pattern, a repository id of 0, an
                        unknown event type, an undeclared field), in turn;
  flat_events.ndjson    synthetic ~450-byte flat events to ~MB megabytes (fixed
                        seed; 1% with a session id against its pattern);
  orders.parquet        a 10-column order table (six numeric ranges, a pattern,
                        two enums, a length; a few rows break each string check);
  flat_event_types.yaml bench/contracts/flat_event.yaml with its types and
                        required fields alone (no other check, no rule), written
                        afresh each run: record_bench times the walk apart from
                        the checks with it.
"""
import copy
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build/bench-data"
STATUS = ["new", "paid", "shipped", "delivered", "refunded"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY"]


def github_events(path, megabytes):
    events = json.loads((ROOT / "examples/data/github_events.json").read_text())
    breakages = [
        lambda e: e["actor"].update(login="-" + e["actor"]["login"]),
        lambda e: e["repo"].update(id=0),
        lambda e: e.update(type="SponsorshipEvent"),
        lambda e: e.update(received_by="mirror-7"),
    ]
    size, n = 0, 0
    with open(path, "w") as out:
        while size < megabytes * 1_000_000:
            event = copy.deepcopy(events[n % len(events)])
            event["id"] = str(1_000_000_000 + n)
            if n % 100 == 42:
                breakages[(n // 100) % len(breakages)](event)
            line = json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n"
            out.write(line)
            size += len(line.encode())
            n += 1


def flat_event(rng, n):
    bad = rng.random() < 0.01
    return json.dumps({
        "event_id": f"evt_{rng.getrandbits(64):016x}", "session_id": f"{'ab' if bad else 'ABC'}-{n % 1000000:06d}",
        "user_id": 1 + rng.randrange(10_000_000), "type": rng.choice(["view", "click", "add_to_cart", "purchase", "refund"]),
        "ts": f"2026-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:"
              f"{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z",
        "amount": rng.randrange(100000) / 100.0 + 0.01, "currency": rng.choice(["USD", "EUR", "GBP", "JPY"]),
        "quantity": rng.randrange(20), "country": rng.choice(["US", "DE", "FR", "GB", "JP", "BR", "IN"]),
        "device": rng.choice(["ios", "android", "web"]), "app_version": f"5.{rng.randrange(20)}.{rng.randrange(50)}",
        "page": f"/products/{rng.randrange(100000)}/details",
        "referrer": f"https://www.example.com/search?q=item{rng.randrange(1000)}",
        "latency_ms": rng.randrange(1000000) / 1000.0, "is_test": rng.random() < 0.02, "retries": rng.randrange(4),
        "score": rng.randrange(10000) / 10000.0, "campaign": f"spring_sale_{rng.randrange(10)}",
        "experiment": f"exp-{rng.randrange(100)}", "locale": "en-US",
    }, separators=(",", ":"))


def flat_events(path, megabytes):
    rng = random.Random(1)
    size, n = 0, 0
    with open(path, "w") as out:
        while size < megabytes * 1_000_000:
            line = flat_event(rng, n) + "\n"
            out.write(line)
            size += len(line)
            n += 1


def orders(path, rows):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    third = np.where(rng.integers(0, 500, rows) == 0, "a", letters[rng.integers(0, 26, rows)])
    digits = pc.utf8_lpad(pa.array(rng.integers(0, 1_000_000, rows)).cast(pa.string()), 6, "0")
    code = pc.binary_join_element_wise(letters[rng.integers(0, 26, rows)], letters[rng.integers(0, 26, rows)],
                                       third, "-", digits, "")
    table = pa.table({
        "id": rng.integers(1, 1_000_000_000, rows),
        "user_id": np.where(rng.integers(0, 1000, rows) == 0, 0, rng.integers(1, 10_000_000, rows)),
        "amount": rng.integers(0, 10_000_000, rows) / 100.0,
        "quantity": rng.integers(0, 1001, rows).astype("int32"),
        "score": rng.integers(0, 10_001, rows) / 10_000.0,
        "retries": rng.integers(0, 11, rows).astype("int32"),
        "code": code,
        "status": np.where(rng.integers(0, 1000, rows) == 0, "lost", np.array(STATUS)[rng.integers(0, 5, rows)]),
        "country": np.where(rng.integers(0, 200, rows) == 0, "USA",
                            np.array(["US", "DE", "FR", "GB", "JP", "BR"])[rng.integers(0, 6, rows)]),
        "currency": np.array(CURRENCIES)[rng.integers(0, 4, rows)],
    })
    pq.write_table(table, path)


def flat_event_types(path):
    import yaml

    contract = yaml.safe_load((ROOT / "bench/contracts/flat_event.yaml").read_text())
    contract.pop("rules", None)
    contract["dataset"] += "_types_only"
    contract["fields"] = {name: {k: v for k, v in field.items() if k in ("type", "required")}
                          for name, field in contract["fields"].items()}
    path.write_text(yaml.safe_dump(contract, sort_keys=False))


def main():
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    OUT.mkdir(parents=True, exist_ok=True)
    jobs = [(f"github_events_{megabytes}mb.ndjson", github_events, megabytes),
            (f"flat_events_{megabytes}mb.ndjson", flat_events, megabytes),
            (f"orders_{rows}.parquet", orders, rows)]
    for name, make, size in jobs:
        path = OUT / name
        if not path.exists():
            make(path.with_suffix(".part"), size)
            path.with_suffix(".part").rename(path)
        print(path)
    flat_event_types(OUT / "flat_event_types.yaml")
    print(OUT / "flat_event_types.yaml")


if __name__ == "__main__":
    main()
