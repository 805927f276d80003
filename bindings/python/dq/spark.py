"""dq on Spark DataFrames (PySpark): validate, profile, drift and grade with
the work on the executors (``pip install pyspark``).

    import dq.spark
    checked = dq.spark.validate(df, "contracts/nyc_taxi.yaml")
    checked.valid          # the rows that passed, as they came
    checked.dead_letters   # the rows that did not, with a dq_violations column
    checked.report         # a dq.Report over every row, as one process would give it
    dq.spark.profile(df, "contracts/nyc_taxi.yaml")                 # a dq.Profile
    dq.spark.drift(df, "contracts/nyc_taxi.yaml")                   # a dq.Drift against the contract's baseline
    graded = dq.spark.grade(df, "contracts/nyc_taxi.yaml", params={"hub_trips": 150})
    graded.rows; graded.summary          # the export as a DataFrame (None when no entity is exported)

Rows cross to dq as Arrow record batches (``mapInArrow``): no Python per row.
The contract is read and checked where the job is built (a broken contract
fails there with its file:line:col), shipped as text and compiled once per
executor process. Each partition builds its part of the report (or its
entities' grading states); Spark's ``reduce`` and ``reduceByKey`` merge them.
Reports and profiles equal a single-process run over the rows in partition
order (means and variances to floating-point rounding; docs/spark.md).
"""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, Iterator, List, Mapping, NamedTuple, Optional, Union

from . import _core
from ._api import _arrow_stream, _table_ndjson
from ._api import _options as _api_options
from ._profile import Drift, Profile
from ._report import Report
from ._source import ContractSource
from ._types import PathLike

__all__ = ["validate", "profile", "drift", "grade", "Validation", "Grading", "VIOLATIONS"]

VIOLATIONS = "dq_violations"  # the dead letters' column: one struct per violation


class Validation(NamedTuple):
    valid: Any         # DataFrame: the rows that passed (warnings allowed), columns as they came
    dead_letters: Any  # DataFrame: the rows that did not, plus dq_violations
    report: Report     # over every row of the input


class Grading(NamedTuple):
    rows: Any                # DataFrame: one row per entity of an exported tier, the export's columns
    summary: Dict[str, Any]  # rows read / valid / invalid / filtered / graded, entities and tiers


def _options(profile: bool = False, max_samples: int = 5, max_failures: int = 0,
             baseline: Optional[Profile] = None) -> "_core.RunOptions":
    """A run's options, keeping the report's state so parts merge."""
    options = _api_options(max_samples, max_failures, profile, baseline)
    options.keep_state = True
    return options


def _violation_type():
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    return ArrayType(StructType([StructField(n, StringType()) for n in ("path", "rule", "severity", "message",
                                                                       "value")]))


def _report_parts(df, source: ContractSource, options_args: Dict[str, Any]):
    """Each partition's report state, as bytes, in partition order."""

    def part(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        native = source.compiled()._native
        options = _options(**options_args)
        states = [native.validate_arrow_stream(_arrow_stream(batch), options).state for batch in batches
                  if batch.num_rows]
        if not states:  # an empty partition: an empty part, so every partition has one
            states = [native.validate_ndjson_bytes(b"", options).state]
        state = native.merge_states(states, options).state if len(states) > 1 else states[0]
        yield pa.RecordBatch.from_arrays([pa.array([state], pa.binary())], names=["state"])

    return df.mapInArrow(part, "state binary").rdd.map(lambda row: bytes(row.state))


def _report(df, source: ContractSource, **options_args: Any) -> Report:
    def append(a: bytes, b: bytes) -> bytes:  # b's rows follow a's: Spark's reduce keeps partition order
        return source.compiled()._native.merge_states([a, b], _options(**options_args)).state

    state = _report_parts(df, source, options_args).reduce(append)
    options = _options(**options_args)
    options.keep_state = False
    return Report(source.compiled()._native.merge_states([state], options))


def validate(df, contract: PathLike, params: Optional[Mapping[str, Any]] = None, *,
             max_samples: int = 5) -> Validation:
    """Validates every row: ``valid`` and ``dead_letters`` are DataFrames
    (lazy: each is validated when used; cache ``df`` to read it once), the
    report is computed now, over every row (one Spark job).

    Columns map to the contract's fields as in ``Contract.validate_table``:
    structs are objects, arrays are lists, decimals are numbers, dates are
    dates, and timestamps are instants (Spark hands them to Arrow in UTC, so
    the session time zone does not change a verdict)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructField, StructType

    source = ContractSource(contract, params)

    def annotate(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        contract_ = source.compiled()
        options = _core.RunOptions()
        options.max_failures = sys.maxsize  # every reason of every failing row
        for batch in batches:
            reasons: Dict[int, List[Dict[str, str]]] = {}
            if batch.num_rows:
                report = contract_._run(batch, "table", options)
                for f in report._native.failures:
                    reasons.setdefault(f.record - 1, []).append(
                        {"path": f.path, "rule": f.rule, "severity": f.severity, "message": f.message,
                         "value": f.value})
            column = pa.array([reasons.get(i, []) for i in range(batch.num_rows)],
                              pa.list_(pa.struct([(n, pa.string()) for n in ("path", "rule", "severity", "message",
                                                                               "value")])))
            yield pa.RecordBatch.from_arrays([*batch.columns, column], names=[*batch.schema.names, VIOLATIONS])

    schema = StructType([*df.schema.fields, StructField(VIOLATIONS, _violation_type())])
    annotated = df.mapInArrow(annotate, schema)
    valid = annotated.filter(F.size(VIOLATIONS) == 0).drop(VIOLATIONS)
    dead = annotated.filter(F.size(VIOLATIONS) > 0)
    return Validation(valid, dead, _report(df, source, max_samples=max_samples))


def profile(df, contract: PathLike, params: Optional[Mapping[str, Any]] = None) -> Profile:
    """The profile of every row, each partition profiled on its executor and
    the parts merged: equal to ``Contract.profile`` of the whole table."""
    source = ContractSource(contract, params)
    return _report(df, source, profile=True, max_samples=0).profile


def drift(df, contract: PathLike, baseline: Union[None, Profile, PathLike] = None,
          params: Optional[Mapping[str, Any]] = None) -> Drift:
    """The contract's drift checks of the rows against ``baseline`` (a
    dq.Profile or a profile file; by default the contract's drift.baseline)."""
    source = ContractSource(contract, params)
    if baseline is None:
        if not source.baseline_path:
            raise ValueError(f"{source.path} has no drift.baseline: pass a baseline profile")
        baseline = source.baseline_path
    if not isinstance(baseline, Profile):
        baseline = Profile.load(baseline)
    report = _report(df, source, profile=True, max_samples=0, baseline=baseline)
    return Drift(report.drift, baseline, report.profile)


def grade(df, contract: PathLike, params: Optional[Mapping[str, Any]] = None) -> Grading:
    """The batch grader (``dq grade``) on Spark: rows are validated, filtered
    and keyed on the executors, each entity's states merged with
    ``reduceByKey``, and each entity given its tier. ``rows`` is a DataFrame
    of the export (entities of exported tiers); ``summary`` counts rows and
    entities as the run report does. Output columns hold the value of the
    entity's last row in partition order, as ``dq grade`` keeps the last one
    read. The grader folds records, not columns: each Arrow batch becomes
    NDJSON in one call (as ``validate_table`` does for mixed columns)."""
    import pyarrow as pa
    from pyspark.sql import SparkSession

    source = ContractSource(contract, params)
    parts = _core.GradeParts(source.compiled()._native)  # no grading section: fails here, not on the executors
    columns, tier_names = list(parts.columns), list(parts.tier_names)

    def shares(batches: Iterator[Any]) -> Iterator[Any]:
        from pyspark import TaskContext

        grader = _grading_parts(source)
        first = TaskContext.get().partitionId() << 40  # each row's order: partition, then row, as dq grade reads
        read = invalid = malformed = filtered = graded_rows = 0
        keys: List[Optional[bytes]] = []
        states: List[bytes] = []
        for batch in batches:
            if not batch.num_rows:
                continue
            records = _table_ndjson(batch).splitlines()
            graded, rejected, skipped = grader.shares(records, list(range(first + read, first + read + len(records))))
            read += len(records)
            malformed += sum(1 for _, verdict in rejected if verdict.malformed)
            invalid += sum(1 for _, verdict in rejected if not verdict.malformed)
            filtered += skipped
            graded_rows += len(graded)
            keys.extend(bytes(key) for _, key, _ in graded)
            states.extend(bytes(state) for _, _, state in graded)
        keys.append(None)  # the partition's counts, in a row of their own
        states.append(json.dumps([read, invalid, malformed, filtered, graded_rows]).encode())
        yield pa.RecordBatch.from_arrays([pa.array(keys, pa.binary()), pa.array(states, pa.binary())],
                                         names=["key", "state"])

    tagged = df.mapInArrow(shares, "key binary, state binary").rdd.map(
        lambda row: (None if row.key is None else bytes(row.key), bytes(row.state))).cache()
    try:
        totals = tagged.filter(lambda kv: kv[0] is None).map(lambda kv: json.loads(kv[1])).fold(
            [0, 0, 0, 0, 0], lambda a, b: [x + y for x, y in zip(a, b)])
        entities = (tagged.filter(lambda kv: kv[0] is not None)
                    .reduceByKey(lambda a, b: _grading_parts(source).merge([a, b]))
                    .map(lambda kv: _grading_parts(source).finish(kv[0], kv[1]))
                    .cache())
        tiers = dict.fromkeys(tier_names, 0)
        for tier, count in entities.map(lambda t: (t[0], 1)).reduceByKey(lambda a, b: a + b).collect():
            tiers[tier_names[tier]] = count
        exported = entities.filter(lambda t: t[1]).map(lambda t: dict(zip(columns, t[2]))).collect()
        entities.unpersist()
    finally:
        tagged.unpersist()
    spark = SparkSession.builder.getOrCreate()
    rows = spark.createDataFrame(exported).select(*columns) if exported else None
    read, invalid, malformed, filtered, graded = totals
    summary = {"rows": {"read": read, "valid": read - invalid - malformed, "invalid": invalid,
                        "malformed": malformed, "filtered": filtered, "graded": graded},
               "entities": {"total": sum(tiers.values())}, "tiers": tiers}
    return Grading(rows, summary)


_GRADE_PARTS: Dict[Any, Any] = {}


def _grading_parts(source: ContractSource):
    """The contract's GradeParts, once per process (workers reuse it across tasks)."""
    contract = source.compiled()
    parts = _GRADE_PARTS.get(id(contract))
    if parts is None:
        parts = _GRADE_PARTS[id(contract)] = _core.GradeParts(contract._native)
    return parts
