"""dq from Python against the peers, in one run, same checks, same counts.

  python bench/python_bench.py [rows=1000000] [runs=5]

Tasks:
  1. validate_table on a pandas DataFrame (10 numeric and string checks) vs
     the same checks as idiomatic vectorized pandas, and pandera;
  2. validate_json per call on a ~600-byte event vs pydantic v2
     model_validate_json with an equivalent model;
  3. validate_ndjson on a file vs pydantic v2 line by line.
Every peer must agree with dq on the number of valid rows, or the run fails.
"""
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal, Optional

import numpy as np
import pandas as pd

import dq

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5

STATUS = ["new", "paid", "shipped", "delivered", "refunded"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY"]


def timed(fn):
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def table(title, unit, amount, rows):
    """rows: (name, seconds, valid); the first is dq."""
    print(f"\n### {title}\n")
    print(f"| tool | median s | {unit}/s | time vs dq | valid |")
    print("|---|---:|---:|---:|---:|")
    base = rows[0][1]
    for name, seconds, valid in rows:
        print(f"| {name} | {seconds:.4f} | {amount / seconds:,.0f} | {seconds / base:.1f}x | {valid} |")
    counts = {valid for _, _, valid in rows}
    if len(counts) != 1:
        sys.exit(f"the tools disagree on the valid count: {rows}")


def make_frame(n):
    rng = np.random.default_rng(7)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    code = (pd.Series(letters[rng.integers(0, 26, n)]) + letters[rng.integers(0, 26, n)]
            + np.where(rng.integers(0, 500, n) == 0, "a", letters[rng.integers(0, 26, n)]) + "-"
            + pd.Series(rng.integers(0, 1_000_000, n)).astype(str).str.zfill(6))
    return pd.DataFrame({
        "id": rng.integers(1, 1_000_000_000, n),
        "user_id": np.where(rng.integers(0, 1000, n) == 0, 0, rng.integers(1, 10_000_000, n)),
        "amount": rng.integers(0, 10_000_000, n) / 100.0,
        "quantity": rng.integers(0, 1001, n).astype("int32"),
        "score": rng.integers(0, 10_001, n) / 10_000.0,
        "retries": rng.integers(0, 11, n).astype("int32"),
        "code": code,
        "status": np.array(STATUS)[rng.integers(0, 5, n)],
        "country": np.where(rng.integers(0, 200, n) == 0, "USA",
                            np.array(["US", "DE", "FR", "GB", "JP", "BR"])[rng.integers(0, 6, n)]),
        "currency": np.array(CURRENCIES)[rng.integers(0, 4, n)],
    })


def pandas_valid(df):
    ok = ((df["id"] >= 1) & (df["user_id"] >= 1) & df["amount"].between(0, 100000) & df["quantity"].between(0, 1000)
          & df["score"].between(0, 1) & df["retries"].between(0, 10)
          & df["code"].str.fullmatch(r"[A-Z]{3}-[0-9]{6}") & df["status"].isin(STATUS)
          & df["country"].str.len().between(2, 2) & df["currency"].isin(CURRENCIES))
    return int(ok.sum())


def pandera_valid(df, schema):
    import pandera.pandas as pa_pd
    try:
        schema.validate(df, lazy=True)
        return len(df)
    except pa_pd.errors.SchemaErrors as e:
        bad = e.failure_cases["index"].dropna().unique()
        return len(df) - len(bad)


def pandera_schema():
    import pandera.pandas as pa_pd
    C, Col = pa_pd.Check, pa_pd.Column
    return pa_pd.DataFrameSchema({
        "id": Col(int, C.ge(1)), "user_id": Col(int, C.ge(1)), "amount": Col(float, C.in_range(0, 100000)),
        "quantity": Col("int32", C.in_range(0, 1000)), "score": Col(float, C.in_range(0, 1)),
        "retries": Col("int32", C.in_range(0, 10)), "code": Col(str, C.str_matches(r"^[A-Z]{3}-[0-9]{6}$")),
        "status": Col(str, C.isin(STATUS)), "country": Col(str, C.str_length(2, 2)),
        "currency": Col(str, C.isin(CURRENCIES)),
    })


def make_event(rng, n):
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


def pydantic_model():
    from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator, model_validator

    class Event(BaseModel):
        model_config = ConfigDict(extra="forbid")
        event_id: str = Field(pattern=r"^evt_[0-9a-f]{16}$")
        session_id: str = Field(pattern=r"^[A-Z]{3}-[0-9]{6}$")
        user_id: StrictInt = Field(ge=1)
        type: Literal["view", "click", "add_to_cart", "purchase", "refund"]
        ts: dt.datetime
        amount: Optional[float] = Field(None, ge=0, le=100000)
        currency: Optional[Literal["USD", "EUR", "GBP", "JPY"]] = None
        quantity: Optional[StrictInt] = Field(None, ge=0, le=1000)
        country: Optional[str] = Field(None, min_length=2, max_length=2)
        device: Optional[Literal["ios", "android", "web"]] = None
        app_version: Optional[str] = Field(None, max_length=16)
        page: Optional[str] = Field(None, max_length=200)
        referrer: Optional[str] = Field(None, max_length=200)
        latency_ms: Optional[float] = Field(None, ge=0)
        is_test: Optional[StrictBool] = None
        retries: Optional[StrictInt] = Field(None, ge=0, le=10)
        score: Optional[float] = Field(None, ge=0, le=1)
        campaign: Optional[str] = None
        experiment: Optional[str] = None
        locale: Optional[str] = Field(None, max_length=10)

        @field_validator("ts")
        @classmethod
        def recent(cls, v):
            if v < dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc):
                raise ValueError("before 2020")
            return v

        @model_validator(mode="after")
        def purchase_has_amount(self):
            if self.type == "purchase" and not (self.amount is not None and self.amount > 0):
                raise ValueError("purchase without amount")
            return self

    return Event


def pydantic_count(model, lines):
    from pydantic import ValidationError
    valid = 0
    for line in lines:
        try:
            model.model_validate_json(line)
            valid += 1
        except ValidationError:
            pass
    return valid


def main():
    import platform
    print(f"python {platform.python_version()}, dq {dq.__version__}, pandas {pd.__version__}, "
          f"{ROWS:,} rows, median of {RUNS} runs")

    # 1. DataFrames
    contract = dq.load(ROOT / "bench/contracts/orders_table.yaml")
    df = make_frame(ROWS)
    rows = [("dq validate_table", *timed(lambda: contract.validate_table(df).records["valid"]))]
    rows.append(("pandas, vectorized", *timed(lambda: pandas_valid(df))))
    try:
        schema = pandera_schema()
        rows.append(("pandera", *timed(lambda: pandera_valid(df, schema))))
    except ImportError:
        print("(pandera is not installed: bench/run installs it)")
    table(f"DataFrame validation, {ROWS:,} rows x 10 checks", "rows", ROWS, rows)

    # 2. and 3. JSON events
    events = dq.load(ROOT / "bench/contracts/flat_event.yaml")
    rng = random.Random(1)
    lines = [make_event(rng, i) for i in range(200_000)]
    one = lines[0].encode()
    print(f"\n(event size: {len(one)} bytes)")
    try:
        model = pydantic_model()
    except ImportError:
        print("(pydantic is not installed: bench/run installs it)")
        return
    calls = 200_000
    dq_one = timed(lambda: sum(events.validate_json(one).ok for _ in range(calls)))
    py_one = timed(lambda: sum(1 for _ in range(calls) if model.model_validate_json(one)))
    table(f"One event per call, {calls:,} calls", "calls", calls,
          [("dq validate_json", *dq_one), ("pydantic v2 model_validate_json", *py_one)])

    with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    dq_file = timed(lambda: events.validate_ndjson(path).records["valid"])
    py_file = timed(lambda: pydantic_count(model, open(path, "rb")))
    table(f"An NDJSON file of {len(lines):,} events", "events", len(lines),
          [("dq validate_ndjson", *dq_file), ("pydantic v2, line by line", *py_file)])


if __name__ == "__main__":
    main()
