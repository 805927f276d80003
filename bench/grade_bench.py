#!/usr/bin/env python3
"""Grading benchmark: dq grade vs the same grading in pandas (chunked groupby) and DuckDB (SQL).

    bench/grade_bench.py [rows=10000000] [runs=3]

The data is examples/generate_listings.py's (seed 7), NDJSON, cached in
build/bench-data. Every tool does the same work, its grading on one core: read
the records, recover "$1,250,000" prices and 03/14/2025 dates, drop the records
that break the contract (patterns, enum, ranges, the sale rule, lines cut
short), filter, aggregate per agent (sum, counts, mean, max, distinct) and
assign tiers. dq also computes the input's SHA-256 for its run report, on a
second thread that reads the file ahead. Each run is a fresh process: time is
wall clock, CPU the user and system time of every thread (the bench's own
Python included), memory the peak RSS. The table says whether each peer's
entities per tier equal dq's.

The peers are given the benefit of the doubt: pandas skips cut lines with a
cheap test (a complete line ends with '}') instead of parsing each line in
Python, and neither peer writes a rejects file.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DQ = ROOT / "build/release/dq"
CONTRACT = ROOT / "contracts/agent_sales.yaml"
PLATINUM, GOLD, GOLD_DEALS, SILVER, SINCE = 40_000_000, 15_000_000, 10, 5_000_000, "2025-01-01"


def tiers_from(volume, deals):
    import numpy as np
    return np.select([volume >= PLATINUM, (volume >= GOLD) & (deals >= GOLD_DEALS), volume >= SILVER],
                     ["platinum", "gold", "silver"], "bronze")


def grading_only_contract(out_dir):
    """agent_sales.yaml without its dataset expectation (duplicate listing ids), which profiles
    every field and keeps every id: the grading work alone, as the peers do it."""
    path = Path(out_dir) / "agent_sales_grading_only.yaml"
    text = CONTRACT.read_text().replace("unique: true, ", "").replace(", unique: true}", "}")
    assert "unique: true" not in text, "the grading-only contract still asks for unique keys"
    text = "\n".join(l for l in text.splitlines() if "listing_ids_unique" not in l and l != "expectations:")
    path.write_text(text + "\n")
    return path


def run_dq_grading_only(path, out_dir):
    return run_dq(path, out_dir, grading_only_contract(out_dir))


def run_dq(path, out_dir, contract=CONTRACT):
    report = Path(out_dir) / "dq-run.json"
    subprocess.run([DQ, "grade", "-c", contract, path, "-o", Path(out_dir) / "dq.csv", "--rejects",
                    Path(out_dir) / "dq.rejects.ndjson", "--report", report, "-q"], check=True, stdout=subprocess.DEVNULL)
    run = json.loads(report.read_text())
    return {t["name"]: t["entities"] for t in run["tiers"]}, run["state"]["bytes"], run["rows"]


def pandas_chunk(lines):
    import io
    import pandas as pd
    complete = [line for line in lines if line.endswith("}")]
    df = pd.read_json(io.StringIO("\n".join(complete)), lines=True, dtype=False)
    price_text = df["price"].astype("string").str.replace(r"[$,]", "", regex=True)
    price = pd.to_numeric(price_text, errors="coerce")

    def date(column):
        text = df[column].astype("string")
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        return iso.fillna(pd.to_datetime(text, format="%m/%d/%Y", errors="coerce"))

    listed, closed = date("list_date"), date("close_date")
    state = df["state"].astype("string")
    ok = (df["listing_id"].astype("string").str.fullmatch(r"L[0-9]{9}").fillna(False)
          & df["agent_id"].astype("string").str.fullmatch(r"A[0-9]{6}").fillna(False)
          & (df["agent_name"].astype("string").str.len() >= 1).fillna(False)
          & df["status"].isin(["active", "pending", "sold", "withdrawn"])
          & (df["price"].isna() | price.between(1000, 500_000_000))
          & listed.notna() & (df["close_date"].isna() | closed.notna())
          & (state.isna() | state.str.fullmatch(r"[A-Z]{2}").fillna(False))
          & (df["bedrooms"].isna() | df["bedrooms"].between(0, 50)))
    sold = df["status"] == "sold"
    ok &= ~sold | (price.notna() & closed.notna() & (closed >= listed))
    keep = ok & sold & (closed >= pd.Timestamp(SINCE))
    g = pd.DataFrame({"agent_id": df["agent_id"], "price": price, "city": df["city"]})[keep]
    return g.groupby("agent_id").agg(volume=("price", "sum"), deals=("price", "size"), largest=("price", "max")), \
        g[["agent_id", "city"]].drop_duplicates()


def run_pandas(path, _out_dir):
    import pandas as pd
    parts, cities = [], []
    with open(path) as f:
        while True:
            lines = [line.rstrip("\n") for _, line in zip(range(500_000), f)]
            if not lines:
                break
            agg, c = pandas_chunk(lines)
            parts.append(agg)
            cities.append(c)
    all_parts = pd.concat(parts)
    agents = all_parts.groupby(level=0).agg(volume=("volume", "sum"), deals=("deals", "sum"), largest=("largest", "max"))
    agents["cities"] = pd.concat(cities).drop_duplicates().groupby("agent_id").size()
    agents["tier"] = tiers_from(agents["volume"], agents["deals"])
    return agents["tier"].value_counts().to_dict(), 0, None


DUCKDB_SQL = """
WITH raw AS (
  SELECT * FROM read_json('{path}', format = 'newline_delimited', ignore_errors = true,
    columns = {{listing_id: 'VARCHAR', agent_id: 'VARCHAR', agent_name: 'VARCHAR', brokerage: 'VARCHAR',
               status: 'VARCHAR', price: 'VARCHAR', list_date: 'VARCHAR', close_date: 'VARCHAR',
               city: 'VARCHAR', state: 'VARCHAR', bedrooms: 'BIGINT'}})
), typed AS (
  SELECT *, TRY_CAST(replace(replace(price, '$', ''), ',', '') AS DOUBLE) AS amount,
         COALESCE(TRY_STRPTIME(list_date, '%Y-%m-%d'), TRY_STRPTIME(list_date, '%m/%d/%Y')) AS listed,
         COALESCE(TRY_STRPTIME(close_date, '%Y-%m-%d'), TRY_STRPTIME(close_date, '%m/%d/%Y')) AS closed
  FROM raw
), valid AS (
  SELECT * FROM typed
  WHERE regexp_full_match(listing_id, 'L[0-9]{{9}}') AND regexp_full_match(agent_id, 'A[0-9]{{6}}')
    AND length(agent_name) >= 1 AND status IN ('active', 'pending', 'sold', 'withdrawn')
    AND (price IS NULL OR amount BETWEEN 1000 AND 500000000)
    AND listed IS NOT NULL AND (close_date IS NULL OR closed IS NOT NULL)
    AND (state IS NULL OR regexp_full_match(state, '[A-Z]{{2}}'))
    AND (bedrooms IS NULL OR bedrooms BETWEEN 0 AND 50)
    AND (status <> 'sold' OR (amount IS NOT NULL AND closed IS NOT NULL AND closed >= listed))
), agents AS (
  SELECT agent_id, sum(amount) AS volume, count(*) AS deals, max(amount) AS largest,
         count(DISTINCT city) AS cities, max(closed) AS last_close
  FROM valid WHERE status = 'sold' AND closed >= DATE '{since}' GROUP BY agent_id
)
SELECT CASE WHEN volume >= {platinum} THEN 'platinum'
            WHEN volume >= {gold} AND deals >= {gold_deals} THEN 'gold'
            WHEN volume >= {silver} THEN 'silver' ELSE 'bronze' END AS tier, count(*)
FROM agents GROUP BY tier
"""


def run_duckdb(path, _out_dir):
    import duckdb
    con = duckdb.connect()
    con.execute("SET threads = 1")
    sql = DUCKDB_SQL.format(path=path, since=SINCE, platinum=PLATINUM, gold=GOLD, gold_deals=GOLD_DEALS, silver=SILVER)
    return dict(con.execute(sql).fetchall()), 0, None


TOOLS = {"dq grade": run_dq, "dq grade, grading only": run_dq_grading_only, "pandas (chunked groupby)": run_pandas, "DuckDB (SQL, 1 thread)": run_duckdb}


def cpu_seconds():
    """User and system time of this process and its children: the bench's own Python included."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def one(tool, path, out_dir):
    start, cpu_start = time.perf_counter(), cpu_seconds()
    tiers, state, rows = TOOLS[tool](path, out_dir)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    rss_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": rss_kb / 1024, "tiers": tiers, "state": state,
                      "rows": rows}))


def measure(tool, path, runs, out_dir):
    results = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, __file__, "--one", tool, str(path), str(out_dir)], check=True,
                             capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        return one(sys.argv[2], sys.argv[3], sys.argv[4])
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    data_dir = ROOT / "build/bench-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"listings-{rows}.ndjson"
    if not path.exists():
        subprocess.run([sys.executable, ROOT / "examples/generate_listings.py", "--rows", str(rows), "--seed", "7",
                        "-o", path], check=True)
    size = path.stat().st_size
    print(f"grade {rows:,} listing records ({size / 1e9:.2f} GB NDJSON), median of {runs} runs, grading on one core")
    print(f"{'tool':<26}{'seconds':>9}{'CPU s':>7}{'MB/s':>8}{'M rec/s':>9}{'peak RSS MB':>13}{'ratio':>8}  tiers equal dq's")
    dq_median, dq_tiers = None, None
    for tool in TOOLS:
        results = measure(tool, path, runs if tool.startswith("dq") else max(1, runs - 2), data_dir)
        seconds = statistics.median(r["seconds"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        rss = max(r["rss_mb"] for r in results)
        tiers = results[0]["tiers"]
        if dq_median is None:
            dq_median, dq_tiers, state = seconds, tiers, results[0]["state"]
        same = "yes" if {k: v for k, v in tiers.items() if v} == {k: v for k, v in dq_tiers.items() if v} else f"NO {tiers}"
        print(f"{tool:<26}{seconds:>9.2f}{cpu:>7.2f}{size / seconds / 1e6:>8.0f}{rows / seconds / 1e6:>9.2f}{rss:>13.0f}"
              f"{seconds / dq_median:>7.1f}x  {same}")
    print(f"dq tiers: {dq_tiers}; per-entity state {state / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
