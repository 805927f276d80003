#!/usr/bin/env python3
"""DataFrame validation: dq validate_table against vectorized pandas, polars
expressions, pandera and Great Expectations 1.x, the same 10 checks on the same
table, one core each.

    bench/table_bench.py [rows=10000000] [runs=5]

The table is bench/prepare_data.py's orders (10 columns: six numeric ranges, a
pattern, two enums, a length), read from Parquet before timing; the contract
is bench/contracts/orders_table.yaml. Every tool must find the same number of
failing rows per column (and, where it says, of valid rows), or the run fails.
Slow tools (a run over 20 s) are run once.
"""
import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core, like the others (read at import)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's BLAS threads would spin beside the tools

import contextlib  # noqa: E402
import io  # noqa: E402

import platform  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import dq  # noqa: E402
from measure import timed as timed_runs  # noqa: E402

pa.set_cpu_count(1)
ROOT = Path(__file__).resolve().parents[1]
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
STATUS = ["new", "paid", "shipped", "delivered", "refunded"]
CURRENCIES = ["USD", "EUR", "GBP", "JPY"]
CODE = r"^[A-Z]{3}-[0-9]{6}$"
RANGES = {"id": (1, None), "user_id": (1, None), "amount": (0, 100000), "quantity": (0, 1000), "score": (0, 1),
          "retries": (0, 10)}


def timed(fn):
    return timed_runs(fn, RUNS)


def dq_counts(report):
    """Failing rows per column (a value fails at most one of min and max) and valid rows."""
    failed = {}
    for rule in report.to_dict()["rules"]:
        failed[rule["path"]] = failed.get(rule["path"], 0) + rule["failed"]
    return failed, report.records["valid"]


def pandas_counts(df):
    masks = {column: df[column].between(low, high) if high is not None else df[column] >= low
             for column, (low, high) in RANGES.items()}
    masks["code"] = df["code"].str.match(CODE)
    masks["status"] = df["status"].isin(STATUS)
    masks["country"] = df["country"].str.len().between(2, 2)
    masks["currency"] = df["currency"].isin(CURRENCIES)
    ok = masks["id"]
    for mask in masks.values():
        ok = ok & mask
    return {column: int((~mask).sum()) for column, mask in masks.items()}, int(ok.sum())


def polars_counts(df):
    import polars as pl
    checks = {column: pl.col(column).is_between(low, high) if high is not None else pl.col(column) >= low
              for column, (low, high) in RANGES.items()}
    checks["code"] = pl.col("code").str.contains(CODE)
    checks["status"] = pl.col("status").is_in(STATUS)
    checks["country"] = pl.col("country").str.len_chars() == 2
    checks["currency"] = pl.col("currency").is_in(CURRENCIES)
    out = df.select([(~check).sum().alias(column) for column, check in checks.items()]
                    + [pl.all_horizontal(list(checks.values())).sum().alias("__valid")]).row(0, named=True)
    valid = out.pop("__valid")
    return out, valid


def pandera_schema():
    import pandera.pandas as pa_pd
    C, Col = pa_pd.Check, pa_pd.Column
    columns = {column: Col(None, C.in_range(low, high) if high is not None else C.ge(low))
               for column, (low, high) in RANGES.items()}
    columns.update(code=Col(None, C.str_matches(CODE)), status=Col(None, C.isin(STATUS)),
                   country=Col(None, C.str_length(2, 2)), currency=Col(None, C.isin(CURRENCIES)))
    return pa_pd.DataFrameSchema(columns)


def pandera_counts(schema, df):
    import pandera.pandas as pa_pd
    try:
        schema.validate(df, lazy=True)
        return {}, len(df)
    except pa_pd.errors.SchemaErrors as e:
        cases = e.failure_cases
        failed = cases.groupby("column")["index"].nunique().to_dict()
        return failed, len(df) - cases["index"].nunique()


def great_expectations_run(df):
    """The suite is built before timing; the timed part is the validation."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    context = gx.get_context(mode="ephemeral")
    batch = (context.data_sources.add_pandas("bench").add_dataframe_asset("orders")
             .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": df}))
    suite = gx.ExpectationSuite(name="orders")
    for column, (low, high) in RANGES.items():
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high))
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="code", regex=CODE))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=STATUS))
    suite.add_expectation(gxe.ExpectColumnValueLengthsToBeBetween(column="country", min_value=2, max_value=2))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=CURRENCIES))

    def run():
        with contextlib.redirect_stderr(io.StringIO()):  # its progress bars
            result = batch.validate(suite, result_format="BASIC")
        return {r.expectation_config.kwargs["column"]: r.result["unexpected_count"] for r in result.results}, None
    return run


def main():
    import polars as pl

    path = ROOT / f"build/bench-data/orders_{ROWS}.parquet"
    table = pq.read_table(path)
    df = table.to_pandas()
    polars_df = pl.from_arrow(table)
    contract = dq.load(ROOT / "bench/contracts/orders_table.yaml")
    print(f"python {platform.python_version()}, dq {dq.__version__}, pandas {pd.__version__}, "
          f"pyarrow {pa.__version__}, polars {pl.__version__}, pandera {version('pandera')}, "
          f"great_expectations {version('great_expectations')}; {ROWS:,} rows x 10 checks, one core, "
          f"median of {RUNS} runs")
    rows = [("dq validate_table (pandas DataFrame)", *timed(lambda: dq_counts(contract.validate_table(df)))),
            ("dq validate_table (polars DataFrame)", *timed(lambda: dq_counts(contract.validate_table(polars_df)))),
            ("dq validate_table (pyarrow Table)", *timed(lambda: dq_counts(contract.validate_table(table)))),
            ("dq validate_table (pyarrow Table, 2 threads)",
             *timed(lambda: dq_counts(contract.validate_table(table, threads=2)))),
            ("pandas, vectorized", *timed(lambda: pandas_counts(df))),
            ("polars expressions", *timed(lambda: polars_counts(polars_df)))]
    schema = pandera_schema()
    rows.append(("pandera", *timed(lambda: pandera_counts(schema, df))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows.append(("Great Expectations (pandas)", *timed(great_expectations_run(df))))

    print("\n| tool | median s | rows/s | time vs dq (pandas input) | valid rows |")
    print("|---|---:|---:|---:|---:|")
    base = rows[0][1]
    for name, seconds, (_, valid) in rows:
        print(f"| {name} | {seconds:.4f} | {ROWS / seconds:,.0f} | {seconds / base:.1f}x | "
              f"{'—' if valid is None else f'{valid:,}'} |")
    took = {name: seconds for name, seconds, _ in rows}
    one = took["dq validate_table (pyarrow Table)"]
    profiled = timed(lambda: (contract.profile(table), (None, None)))[0]
    print(f"\ndq on the pyarrow Table: 2 threads {one / took['dq validate_table (pyarrow Table, 2 threads)']:.2f}x "
          f"one thread's speed (target >= 1.8x); validation + profile (Contract.profile) {profiled:.4f} s, "
          f"{profiled / one:.2f}x validation alone (target <= 1.5x)")
    failed = {name: {c: n for c, n in counts.items() if n} for name, _, (counts, _) in rows}
    valid = {v for _, _, (_, v) in rows if v is not None}
    print(f"\nfailing rows per column: {failed[rows[0][0]]}")
    if len({tuple(sorted(f.items())) for f in failed.values()}) != 1 or len(valid) != 1:
        sys.exit(f"the tools disagree: {failed}, valid {valid}")


if __name__ == "__main__":
    main()
