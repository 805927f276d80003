#!/usr/bin/env python3
"""Per-record JSON validation: dq against pydantic v2, jsonschema-rs,
fastjsonschema and jsonschema, on the same NDJSON, with equivalent schemas.

    bench/records_bench.py [MB=100] [runs=5]

Inputs come from bench/prepare_data.py (real GitHub events and synthetic flat
events, ~MB megabytes each); the C++ rows from bench/record_bench's results
(build/bench-data/record_bench.json), which bench/run writes first.

Every tool starts from the line's bytes and ends with a valid/invalid verdict:
pydantic parses them itself (model_validate_json); the JSON Schema validators
are handed orjson.loads(line), the fastest parse Python has. Each tool must
count the same valid and invalid records, or the run fails. Slow tools (a run
over 20 s) are run once.
"""
import json
import platform
import sys
from importlib.metadata import version
from pathlib import Path

import orjson

import dq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import peer_models  # noqa: E402
from measure import timed as timed_runs  # noqa: E402

MB = int(sys.argv[1]) if len(sys.argv) > 1 else 100
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
DATA = ROOT / "build/bench-data"
DATASETS = [
    ("github_events", "github_events", peer_models.GithubEvent),
    ("flat_events", "flat_event", peer_models.FlatEvent),
]


def timed(fn):
    return timed_runs(fn, RUNS)


def count(lines, is_valid):
    valid = sum(1 for line in lines if is_valid(line))
    return valid, len(lines) - valid


def count_verdicts(verdicts):
    valid = sum(1 for v in verdicts if v.ok)
    return valid, len(verdicts) - valid


def pydantic_valid(model, method="model_validate_json"):
    from pydantic import ValidationError
    validate = getattr(model, method)

    def check(line):
        try:
            validate(line)
            return True
        except ValidationError:
            return False
    return check


def fastjsonschema_valid(schema):
    import fastjsonschema
    validate = fastjsonschema.compile(schema)

    def check(line):
        try:
            validate(orjson.loads(line))
            return True
        except fastjsonschema.JsonSchemaException:
            return False
    return check


def main():
    import fastjsonschema  # noqa: F401 (versions below)
    import jsonschema
    import jsonschema_rs

    engine = json.loads((DATA / "record_bench.json").read_text())
    targets = []
    print(f"python {platform.python_version()}, dq {dq.__version__}, pydantic {version('pydantic')}, "
          f"jsonschema-rs {version('jsonschema-rs')}, fastjsonschema {version('fastjsonschema')}, "
          f"jsonschema {version('jsonschema')}, orjson {version('orjson')}; median of {RUNS} runs")
    for name, contract_name, model in DATASETS:
        path = DATA / f"{name}_{MB}mb.ndjson"
        lines = path.read_bytes().splitlines()
        contract = dq.load(ROOT / f"bench/contracts/{contract_name}.yaml")
        schema = json.loads((ROOT / f"bench/contracts/{contract_name}.schema.json").read_text())
        c = engine[name]
        rows = [
            ("dq C++ record engine (1 core)", c["engine_s"], (c["valid"], c["invalid"])),
            (f"dq C++ validate_file ({c['threads']} threads)", c["threads_s"], (c["valid"], c["invalid"])),
        ]
        by_file = timed(lambda: contract.validate_ndjson(path).records)
        rows.append(("dq Python validate_ndjson (1 core)", by_file[0], (by_file[1]["valid"], by_file[1]["invalid"])))
        rows.append(("dq Python validate_json, per record",
                     *timed(lambda: count(lines, lambda line: contract.validate_json(line).ok))))
        rows.append(("pydantic v2 model_validate_json", *timed(lambda: count(lines, pydantic_valid(model)))))
        rs = jsonschema_rs.validator_for(schema)
        rows.append(("jsonschema-rs (orjson.loads + is_valid)",
                     *timed(lambda: count(lines, lambda line: rs.is_valid(orjson.loads(line))))))
        rows.append(("fastjsonschema (orjson.loads + compiled)",
                     *timed(lambda: count(lines, fastjsonschema_valid(schema)))))
        js = jsonschema.Draft202012Validator(schema)
        rows.append(("jsonschema (orjson.loads + is_valid)",
                     *timed(lambda: count(lines, lambda line: js.is_valid(orjson.loads(line))))))

        # From Python objects: the same records as dicts (orjson.loads, not timed).
        dicts = [orjson.loads(line) for line in lines]
        dict_rows = [
            ("dq Python Contract.validate(dict)", *timed(lambda: count(dicts, lambda d: contract.validate(d).ok))),
            ("dq Python Contract.validate_many(dicts)",
             *timed(lambda: count_verdicts(contract.validate_many(dicts)))),
            ("pydantic v2 model_validate(dict)", *timed(lambda: count(dicts, pydantic_valid(model, "model_validate")))),
        ]

        megabytes = path.stat().st_size / 1e6
        print(f"\n### {name}: {len(lines):,} records, {megabytes:.0f} MB\n")
        print("| tool | records/s | MB/s | time vs dq C++ engine | valid | invalid |")
        print("|---|---:|---:|---:|---:|---:|")
        base = rows[0][1]
        for tool, seconds, (valid, invalid) in rows:
            print(f"| {tool} | {len(lines) / seconds:,.0f} | {megabytes / seconds:,.0f} | "
                  f"{seconds / base:.1f}x | {valid:,} | {invalid:,} |")
        print("\nFrom dicts (the records already in Python objects):\n")
        print("| tool | records/s | time vs dq validate(dict) |")
        print("|---|---:|---:|")
        for tool, seconds, _ in dict_rows:
            print(f"| {tool} | {len(lines) / seconds:,.0f} | {seconds / dict_rows[0][1]:.2f}x |")
        if len({verdicts for _, _, verdicts in rows + dict_rows}) != 1:
            sys.exit(f"the tools disagree on the counts: {[(t, v) for t, _, v in rows + dict_rows]}")
        took = {tool: seconds for tool, seconds, _ in rows + dict_rows}
        targets.append((name, took["pydantic v2 model_validate_json"] / took["dq Python validate_ndjson (1 core)"],
                        took["pydantic v2 model_validate(dict)"] / took["dq Python Contract.validate(dict)"]))
    print("\n### Against pydantic v2 (targets: validate_ndjson >= 12x model_validate_json; "
          "validate(dict) >= 3x model_validate(dict))\n")
    print("| data | validate_ndjson vs model_validate_json | validate(dict) vs model_validate(dict) |")
    print("|---|---:|---:|")
    for name, ndjson, per_dict in targets:
        print(f"| {name} | {ndjson:.1f}x | {per_dict:.2f}x |")


if __name__ == "__main__":
    main()
