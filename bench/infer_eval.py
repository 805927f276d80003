"""How good is an inferred contract? Infers from one half of a real dataset and
measures, per strictness level:
- acceptance: the share of the held-back half's clean records the contract accepts;
- detection: the share of corrupted copies of held-back records it rejects, each
  copy with one field broken one way (type changed, id or shape malformed, enum
  misspelled, range broken, timestamp garbled, field emptied);
- for the taxi data, what the January contract says about February 2019.

Prints a Markdown table (docs/inference.md quotes it). Deterministic (seeded).
Run: build/venv/bin/python3 bench/infer_eval.py
"""
import copy
import json
import pathlib
import random
import sys
import tempfile

import dq

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = 2019


def corruptions(value, rng):
    """The ways one value can be broken, for its type."""
    out = []
    if isinstance(value, bool):
        out.append(("type changed", "yes"))
    elif isinstance(value, int):
        out += [("type changed", str(value) + "x"), ("range broken", value + 10**9), ("range broken", -(10**9))]
    elif isinstance(value, float):
        out += [("type changed", "n/a"), ("range broken", value * 1e6 + 1e6), ("range broken", -1e6)]
    elif isinstance(value, str):
        out += [("type changed", 12345), ("enum misspelled / shape malformed", value[::-1] + "#x")]
        if value[:4].isdigit() and value[4:5] == "-":
            out.append(("timestamp garbled", "2019-13-45 99:99:99"))
    if value is not None:
        out.append(("field emptied", None))
    return out


def corrupt(record, rng):
    """A copy of a flat record with one field broken; (kind, copy)."""
    keys = [k for k, v in record.items() if not isinstance(v, (dict, list))]
    rng.shuffle(keys)
    for key in keys:
        options = corruptions(record[key], rng)
        if options:
            kind, value = rng.choice(options)
            broken = copy.deepcopy(record)
            broken[key] = value
            return kind, broken
    return None, None


def ndjson(records):
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def evaluate(name, records, later=None):
    rng = random.Random(SEED)
    records = list(records)
    rng.shuffle(records)
    half = len(records) // 2
    train, held = records[:half], records[half:]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "train.ndjson"
        path.write_bytes(ndjson(train))
        corrupted = [corrupt(r, random.Random(SEED + i)) for i, r in enumerate(held)]
        corrupted = [(k, r) for k, r in corrupted if r is not None]
        for strictness in ("loose", "normal", "strict"):
            _, contract = dq.infer(path, strictness=strictness)
            clean = contract.validate_ndjson(ndjson(held)).records
            accepted = clean["valid"] / clean["total"]
            caught = 0
            by_kind = {}
            for kind, record in corrupted:
                rejected = not contract.validate(record).ok
                caught += rejected
                seen, hit = by_kind.get(kind, (0, 0))
                by_kind[kind] = (seen + 1, hit + rejected)
            row = {"dataset": name, "strictness": strictness, "train": len(train), "held back": len(held),
                   "accepted": accepted, "detected": caught / len(corrupted),
                   "by kind": {k: h / s for k, (s, h) in sorted(by_kind.items())}}
            if later is not None:
                report = contract.validate_ndjson(ndjson(later))
                row["later"] = report.records["valid"] / report.records["total"]
                row["later failed"] = [r["id"] for r in report.rules][:6]
            rows.append(row)
    return rows


def taxi_records(month):
    return csv_records(ROOT / f"examples/data/nyc_taxi/yellow_tripdata_sample_{month}.csv")


def header_rows(path):
    """Records from NDJSON arrays whose first line names the columns."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def csv_records(path):
    import pandas as pd

    return json.loads(pd.read_csv(path).to_json(orient="records"))


def json_records(path):
    text = path.read_text()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    rows = []
    rows += evaluate("NYC taxi 2019-01 (CSV, 10,000 trips)", taxi_records("2019-01"), later=taxi_records("2019-02"))
    rows += evaluate("Twitter statuses (nested JSON, 100)", json_records(ROOT / "examples/data/tweets.ndjson"))
    rows += evaluate("GitHub events (nested JSON, 30)", json_records(ROOT / "examples/data/github_events.json"))
    rows += evaluate("Amazon phone listings (flat JSON, 792)", header_rows(ROOT / "examples/data/amazon_cellphones.ndjson"))
    rows += evaluate("Titanic passengers (CSV, 1,313)", csv_records(ROOT / "examples/data/titanic.csv"))
    print("| data | strictness | inferred from | clean held-back accepted | corrupted caught |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['dataset']} | {r['strictness']} | {r['train']} | {r['accepted']:.2%} | {r['detected']:.2%} |")
    print()
    print("Corrupted records caught, by kind (normal strictness):")
    for r in rows:
        if r["strictness"] == "normal":
            print(f"- {r['dataset']}: " + ", ".join(f"{k} {v:.0%}" for k, v in r["by kind"].items()))
    for r in rows:
        if "later" in r:
            print(f"- January contract ({r['strictness']}) on February 2019: {r['later']:.2%} accepted; "
                  f"failing: {', '.join(r['later failed'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
