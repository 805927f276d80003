"""Apache Beam transforms over a dq contract (``pip install 'dq[beam]'``).

    import apache_beam as beam
    import dq.beam

    checked = records | dq.beam.Validate("contracts/tweets.yaml")
    checked.valid    # the elements that passed, as they came
    checked.invalid  # {"element", "malformed", "violations"}: the dead letters

    profile = records | beam.CombineGlobally(dq.beam.Profile("contracts/tweets.yaml"))
    profile | dq.beam.CheckDrift("contracts/tweets.yaml", baseline="baseline.profile.json")

    out = records | dq.beam.Grade("contracts/agent_sales.yaml", params={...})
    out.graded       # a row (dict) per entity of an exported tier
    out.invalid      # dead letters, as Validate's

Elements are records as JSON bytes or str (as Pub/Sub and text sources give
them), dicts (as BigQuery gives them), or Arrow record batches (pyarrow
RecordBatch or Table, as ``ReadFromParquetBatched`` gives them), which are
validated a column at a time. The contract file is read where the pipeline is built and
compiled once per worker (``DoFn.setup``): workers need the dq package, not
the file. See docs/beam.md.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Union

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.windowed_value import WindowedValue

from . import _core
from ._api import _arrow_stream
from ._source import ContractSource as _ContractSource
from ._profile import Profile as _Profile
from ._types import PathLike

__all__ = ["Validate", "Profile", "CheckDrift", "Grade", "GradeOutputs", "VALID", "INVALID", "METRICS_NAMESPACE"]

VALID, INVALID = "valid", "invalid"
METRICS_NAMESPACE = "dq"


# Records validated per native call. Bundles are cut into batches of this
# size: one call per batch instead of one per element (docs/performance.md
# has the measurement), while an unbounded bundle never buffers unbounded.
DEFAULT_BATCH_SIZE = 512


def _is_arrow(element: Any) -> bool:
    return type(element).__module__.startswith("pyarrow") and hasattr(element, "num_rows")


def _reason(v) -> Dict[str, str]:
    return {"path": v.path, "rule": v.rule, "severity": v.severity, "message": v.message, "value": v.value}


def _rejection(element: Any, verdict) -> Dict[str, Any]:
    """A dead letter: the element as it came and why, in the shape of a line
    of a dq rejects file."""
    return {
        "element": element,
        "malformed": {"message": verdict.error, "offset": verdict.error_offset} if verdict.malformed else None,
        "violations": [_reason(v) for v in verdict.violations],
    }


class _Counters:
    """Beam metrics of one transform: records, valid, invalid, malformed, and
    `failed:<check id>` per check (a record counts once per check, as in
    reports)."""

    def __init__(self):
        self._counters: Dict[str, Any] = {}

    def inc(self, name: str, n: int = 1) -> None:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = Metrics.counter(METRICS_NAMESPACE, name)
        counter.inc(n)


class _BatchingFn(beam.DoFn):
    """Hands a bundle's records on in batches (``_batch``), each record with
    its own timestamp, window and pane, so outputs keep them; Arrow batches
    go to ``_arrow`` as they come."""

    def __init__(self, source: _ContractSource, batch_size: int):
        self._source = source
        self._batch_size = batch_size

    def setup(self):
        self._contract = self._source.compile()
        self._native = self._contract._native
        self._counters = _Counters()

    def start_bundle(self):
        self._pending: List[WindowedValue] = []

    def process(self, element, item=beam.DoFn.WindowedValueParam):
        # `item`: the element in one window (Beam calls once per window), to
        # be output later with its own timestamp, window and pane.
        if _is_arrow(element):
            yield from self._arrow(item)
            return
        self._pending.append(item)
        if len(self._pending) >= self._batch_size:
            yield from self._flush()

    def finish_bundle(self):
        yield from self._flush()

    def _flush(self) -> Iterable[Any]:
        pending, self._pending = self._pending, []
        if pending:
            yield from self._batch(pending)

    def _batch(self, pending: List[WindowedValue]) -> Iterable[Any]:
        raise NotImplementedError

    def _arrow(self, item: WindowedValue) -> Iterable[Any]:
        raise NotImplementedError

    def _count(self, records: int, invalid: int, malformed: int) -> None:
        self._counters.inc("records", records)
        self._counters.inc("valid", records - invalid - malformed)
        self._counters.inc("invalid", invalid)
        self._counters.inc("malformed", malformed)


class _ValidateFn(_BatchingFn):
    def _batch(self, pending: List[WindowedValue]) -> Iterable[Any]:
        flagged = dict(self._native.validate_batch([w.value for w in pending]))
        counts = {"invalid": 0, "malformed": 0}
        for i, item in enumerate(pending):
            verdict = flagged.get(i)
            if verdict is None:
                yield item
                continue
            for rule in {v.rule for v in verdict.violations}:
                self._counters.inc("failed:" + rule)
            if verdict.ok:  # warnings only
                yield item
                continue
            counts["malformed" if verdict.malformed else "invalid"] += 1
            yield beam.pvalue.TaggedOutput(INVALID, item.with_value(_rejection(item.value, verdict)))
        self._count(len(pending), counts["invalid"], counts["malformed"])

    def _arrow(self, item: WindowedValue) -> Iterable[Any]:
        """A record batch, validated a column at a time: the valid rows go on
        as one batch of the same type, each invalid row as a dead letter."""
        import pyarrow as pa

        batch = item.value
        options = _core.RunOptions()
        options.max_failures = sys.maxsize  # every reason of every invalid row: each is a dead letter
        report = self._contract._run(batch, "table", options)
        records = report.records
        for rule in report.rules:
            self._counters.inc("failed:" + rule["id"], rule["failed"])
        self._count(records["total"], records["invalid"], records["malformed"])
        reasons: Dict[int, List[Dict[str, str]]] = {}
        for f in report._native.failures:
            reasons.setdefault(f.record - 1, []).append(
                {"path": f.path, "rule": f.rule, "severity": f.severity, "message": f.message, "value": f.value})
        if not reasons:
            yield item
            return
        keep = [True] * batch.num_rows
        for row in reasons:
            keep[row] = False
        yield item.with_value(batch.filter(pa.array(keep)))
        rows = sorted(reasons)
        for row, values in zip(rows, batch.take(pa.array(rows)).to_pylist()):
            dead = {"element": values, "malformed": None, "violations": reasons[row]}
            yield beam.pvalue.TaggedOutput(INVALID, item.with_value(dead))


class Validate(beam.PTransform):
    """Validates every element against the contract, into two outputs:
    ``valid`` (the elements that passed, unchanged, with their timestamps
    and windows) and ``invalid`` (dead letters: ``{"element": the element
    as it came, "malformed": {"message", "offset"} or None, "violations":
    [{"path", "rule", "severity", "message", "value"}]}``). Records with
    warnings only are valid.

    Elements: JSON bytes or str, dicts, or Arrow record batches (the valid
    rows go on as one batch; each invalid row becomes a dead letter holding
    the row as a dict). Anything else is a malformed dead letter, never a
    failed pipeline. Counts reconcile: records = valid + invalid + malformed
    (Beam metrics in namespace "dq", with ``failed:<check id>`` per check).

    ``batch_size``: records per native call (bundles are validated in
    batches; 1 gives one call per element)."""

    def __init__(self, contract_path: PathLike, params: Optional[Mapping[str, Any]] = None, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, label: Optional[str] = None):
        super().__init__(label)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._source = _ContractSource(contract_path, params)
        self._batch_size = batch_size

    def expand(self, pcoll):
        return pcoll | "Validate" >> beam.ParDo(_ValidateFn(self._source, self._batch_size)).with_outputs(
            INVALID, main=VALID)


class _PartialProfile:
    """A Profile accumulator: the profile of the records folded so far, and
    records not yet folded (profiled a batch at a time)."""

    __slots__ = ("profile", "pending")

    def __init__(self):
        self.profile: Optional[_Profile] = None
        self.pending: List[Any] = []

    def __getstate__(self):
        return {"profile": self.profile, "pending": self.pending}

    def __setstate__(self, state):
        self.profile, self.pending = state["profile"], state["pending"]


class Profile(beam.CombineFn):
    """A CombineFn whose accumulator is a dq profile: each worker profiles its
    share of the records, the runner merges the partial profiles (counts,
    sketches and value tables merge exactly; mean and variance up to
    floating-point rounding) and the output is a ``dq.Profile``, equal to the
    profile of all the records in one process.

        records | beam.CombineGlobally(dq.beam.Profile(path))           # one profile
        windowed | beam.CombineGlobally(dq.beam.Profile(path)).without_defaults()  # one per window
        keyed | beam.CombinePerKey(dq.beam.Profile(path))               # one per key

    Elements as for ``Validate``; malformed records count in no field."""

    def __init__(self, contract_path: PathLike, params: Optional[Mapping[str, Any]] = None, *,
                 batch_size: int = 4096):
        self._source = _ContractSource(contract_path, params)
        self._batch_size = batch_size
        self._native = None

    def setup(self):
        self._native = self._source.compile()._native

    def _contract(self):
        if self._native is None:  # runners that combine without setup()
            self.setup()
        return self._native

    def _fold(self, acc: _PartialProfile) -> _PartialProfile:
        """Profiles the pending records into the accumulator's profile."""
        if acc.profile is not None and not acc.pending:
            return acc
        parts = [] if acc.profile is None else [acc.profile]
        records = [e for e in acc.pending if not _is_arrow(e)]
        if records or not parts:
            parts.append(_Profile(self._contract().profile_batch(records)))
        for batch in (e for e in acc.pending if _is_arrow(e)):
            options = _core.RunOptions()
            options.profile = True
            options.max_failures = 0
            parts.append(_Profile(self._contract().validate_arrow_stream(_arrow_stream(batch), options).profile))
        acc.profile = parts[0].merge(*parts[1:]) if len(parts) > 1 else parts[0]
        acc.pending = []
        return acc

    def create_accumulator(self) -> _PartialProfile:
        return _PartialProfile()

    def add_input(self, acc: _PartialProfile, element: Any) -> _PartialProfile:
        acc.pending.append(element)
        if len(acc.pending) >= self._batch_size or _is_arrow(element):
            self._fold(acc)
        return acc

    def merge_accumulators(self, accumulators: Iterable[_PartialProfile]) -> _PartialProfile:
        accumulators = iter(accumulators)
        merged = next(accumulators)
        profiles = []
        for acc in accumulators:
            merged.pending.extend(acc.pending)
            if acc.profile is not None:
                profiles.append(acc.profile)
        self._fold(merged)
        if profiles:
            merged.profile = merged.profile.merge(*profiles)
        return merged

    def compact(self, acc: _PartialProfile) -> _PartialProfile:
        return self._fold(acc)  # what crosses workers is the profile, not the records

    def extract_output(self, acc: _PartialProfile) -> _Profile:
        return self._fold(acc).profile


def _window(window) -> Optional[Dict[str, str]]:
    if isinstance(window, GlobalWindow) or not hasattr(window, "start"):
        return None
    return {"start": window.start.to_rfc3339(), "end": window.end.to_rfc3339()}


class _DriftFn(beam.DoFn):
    def __init__(self, source: _ContractSource, baseline_json: str):
        self._source = source
        self._baseline_json = baseline_json

    def setup(self):
        self._native = self._source.compile()._native
        self._baseline = _core.Profile.from_json(self._baseline_json)
        self._checks = Metrics.counter(METRICS_NAMESPACE, "drift_checks")
        self._failed = Metrics.counter(METRICS_NAMESPACE, "drift_failed")

    def process(self, profile: _Profile, window=beam.DoFn.WindowParam):
        if not isinstance(profile, _Profile):
            raise TypeError(f"CheckDrift takes dq.Profile elements (from dq.beam.Profile), not {type(profile).__name__}")
        results = json.loads(self._native.check_drift(self._baseline, profile._native))
        failed = sum(r["status"] == "fail" for r in results)
        self._checks.inc(len(results))
        self._failed.inc(failed)
        yield {
            "dataset": self._source.dataset,
            "version": self._source.version,
            "window": _window(window),
            "rows": profile.rows,
            "baseline_rows": self._baseline.rows,
            "ok": failed == 0,
            "drift": results,
        }


class CheckDrift(beam.PTransform):
    """Compares each profile of the input (one per window, or one global)
    with a baseline by the contract's drift checks, emitting one drift report
    per profile: ``{"dataset", "version", "window": {"start", "end"} or None,
    "rows", "baseline_rows", "ok", "drift": [...]}`` where ``drift`` holds
    the same results as a dq report's (field, method, value, status, warn,
    fail, detail, movers). ``ok`` is false when a check reached its fail
    level.

    ``baseline``: a dq.Profile or a profile file; by default the contract's
    ``drift.baseline``. It is read where the pipeline is built."""

    def __init__(self, contract_path: PathLike, baseline: Union[None, _Profile, PathLike] = None,
                 params: Optional[Mapping[str, Any]] = None, *, label: Optional[str] = None):
        super().__init__(label)
        self._source = _ContractSource(contract_path, params)
        if baseline is None:
            if not self._source.baseline_path:
                raise ValueError(f"{self._source.path} has no drift.baseline: pass a baseline profile")
            baseline = self._source.baseline_path
        if not isinstance(baseline, _Profile):
            baseline = _Profile.load(baseline)
        self._baseline_json = baseline.to_json()

    def expand(self, profiles):
        return profiles | "CheckDrift" >> beam.ParDo(_DriftFn(self._source, self._baseline_json))


class _ShareFn(_BatchingFn):
    """Validates records and cuts each graded one into (entity key, its share
    of the entity's state); the rest are dead letters or filtered out."""

    def setup(self):
        super().setup()
        self._parts = _core.GradeParts(self._native)

    def _batch(self, pending: List[WindowedValue]) -> Iterable[Any]:
        graded, rejected, filtered = self._parts.shares([w.value for w in pending],
                                                        [w.timestamp.micros for w in pending])
        malformed = 0
        for i, verdict in rejected:
            for rule in {v.rule for v in verdict.violations}:
                self._counters.inc("failed:" + rule)
            malformed += verdict.malformed
            yield beam.pvalue.TaggedOutput(INVALID, pending[i].with_value(_rejection(pending[i].value, verdict)))
        for i, key, state in graded:
            yield pending[i].with_value((key, state))
        self._count(len(pending), len(rejected) - malformed, malformed)
        self._counters.inc("filtered", filtered)
        self._counters.inc("graded", len(graded))

    def _arrow(self, item: WindowedValue) -> Iterable[Any]:
        # Graded a row at a time, as dicts: the grader folds rows, not columns.
        yield from self._batch([item.with_value(row) for row in item.value.to_pylist()])


class _EntityStates(beam.CombineFn):
    """Merges the shares of one entity. The accumulator is a list of states
    (bytes), merged into one when it grows and before it crosses workers."""

    def __init__(self, source: _ContractSource, fan_in: int = 64):
        self._source = source
        self._fan_in = fan_in
        self._parts = None

    def setup(self):
        self._parts = _core.GradeParts(self._source.compile()._native)

    def _merge(self, states: List[bytes]) -> List[bytes]:
        if len(states) <= 1:
            return states
        if self._parts is None:  # runners that combine without setup()
            self.setup()
        return [self._parts.merge(states)]

    def create_accumulator(self) -> List[bytes]:
        return []

    def add_input(self, acc: List[bytes], state: bytes) -> List[bytes]:
        acc.append(state)
        return self._merge(acc) if len(acc) >= self._fan_in else acc

    def merge_accumulators(self, accumulators: Iterable[List[bytes]]) -> List[bytes]:
        return self._merge([state for acc in accumulators for state in acc])

    def compact(self, acc: List[bytes]) -> List[bytes]:
        return self._merge(acc)

    def extract_output(self, acc: List[bytes]) -> bytes:
        return self._merge(acc)[0]  # an entity has at least one share


class _TierFn(beam.DoFn):
    def __init__(self, source: _ContractSource):
        self._source = source

    def setup(self):
        self._parts = _core.GradeParts(self._source.compile()._native)
        self._columns = list(self._parts.columns)
        self._tiers = [Metrics.counter(METRICS_NAMESPACE, "tier:" + name) for name in self._parts.tier_names]
        self._entities = Metrics.counter(METRICS_NAMESPACE, "entities")

    def process(self, entity):
        key, state = entity
        tier, exported, row = self._parts.finish(key, state)
        self._entities.inc()
        self._tiers[tier].inc()
        if exported:
            yield dict(zip(self._columns, row))


class GradeOutputs(NamedTuple):
    graded: Any   # PCollection of dicts: one row per entity of an exported tier
    invalid: Any  # PCollection of dead letters, as Validate's


class Grade(beam.PTransform):
    """The batch grader's aggregation (``dq grade``) as a Beam combine per
    key: records are validated, filtered and keyed by the contract's
    ``grading`` section on the workers, each entity's measures are merged by
    ``CombinePerKey`` (partial merges on every worker, then across), and each
    entity gets its tier. Returns ``GradeOutputs(graded, invalid)``:
    ``graded`` holds one dict per entity of an exported tier, with the
    export's columns (key columns, "tier", measures, output columns);
    ``invalid`` the dead letters, as ``Validate`` gives them.

    Per window: entities are graded within each window of the input. Output
    columns hold the value of the entity's record with the latest event
    timestamp (ties, as in bounded data: the greater value), where ``dq
    grade`` keeps the last one read. Metrics: records, valid, invalid,
    malformed, filtered, graded, entities, ``tier:<name>``, ``failed:<check>``.

    Elements as for ``Validate``; Arrow batches are graded a row at a time."""

    def __init__(self, contract_path: PathLike, params: Optional[Mapping[str, Any]] = None, *,
                 batch_size: int = DEFAULT_BATCH_SIZE, label: Optional[str] = None):
        super().__init__(label)
        self._source = _ContractSource(contract_path, params)
        _core.GradeParts(self._source.compile()._native)  # no grading section: fails here, not on the workers
        self._batch_size = batch_size

    def expand(self, records):
        shares = records | "Share" >> beam.ParDo(_ShareFn(self._source, self._batch_size)).with_outputs(
            INVALID, main="shares")
        graded = (shares.shares
                  | "MergePerEntity" >> beam.CombinePerKey(_EntityStates(self._source))
                  | "Tier" >> beam.ParDo(_TierFn(self._source)))
        return GradeOutputs(graded, shares[INVALID])
