"""Loading contracts and running them: the implementation behind `dq`'s
functions and the Contract class (the package re-exports them)."""
from __future__ import annotations

import contextlib
import datetime as _dt
import json as _json
import os
from typing import Any, Callable, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Union

from . import _core
from ._errors import Diagnostic, DqError
from ._gate import Gate, Judgement, Window
from ._grade import GradeRun
from ._profile import Drift, Profile
from ._report import Report
from ._types import PathLike

Verdict = _core.Verdict
Violation = _core.Violation
Progress = Callable[[int, int], Any]  # called (records read, bytes read) as a file is read
_PROGRESS_EVERY = 10_000  # records between progress calls: a few a second on a slow file, none on a tiny one


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        text = value.isoformat()
        return text if value.tzinfo else text + "Z"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def _params(params: Optional[Mapping[str, Any]]) -> dict:
    return {str(k): _param_text(v) for k, v in (params or {}).items()}


def load(path: PathLike, params: Optional[Mapping[str, Any]] = None) -> "Contract":
    """Loads, checks and compiles a contract file. ``params`` override the
    contract's ``params`` (numbers, strings, booleans, datetimes). Raises
    ContractError with every diagnostic, or OSError when unreadable."""
    return Contract(_core.Contract.load(os.fspath(path), _params(params)), path=os.fspath(path))


def loads(yaml: str, params: Optional[Mapping[str, Any]] = None, name: str = "<string>") -> "Contract":
    """As load(), from YAML text; ``name`` stands for the file in messages."""
    return Contract(_core.Contract.loads(yaml, name, _params(params)))


def from_json_schema(schema: Union[Mapping[str, Any], PathLike], *, dataset: Optional[str] = None) -> "Contract":
    """A contract from a JSON Schema (draft 2020-12, 2019-09, draft-07 and
    earlier), given as a dict or a file path; the root describes the records.
    What dq cannot say (``not``, ``if``, ``patternProperties``...) is in the
    contract's ``warnings`` with its JSON pointer; a recursive ``$ref`` raises
    ContractError. ``dataset`` overrides the name taken from ``title``."""
    if isinstance(schema, (str, os.PathLike)):
        name = os.fspath(schema)
        with open(name, "rb") as f:
            schema = _json.loads(f.read())
    else:
        name = "<json schema>"
    schema = dict(schema)
    # Say the format explicitly: a schema without `$schema` (pydantic's) is still one.
    schema.setdefault("$schema", "https://json-schema.org/draft/2020-12/schema")
    if dataset is not None:
        schema["title"] = dataset
    return loads(_json.dumps(schema), name=name)


class Converted(NamedTuple):
    """A contract written in another format (``dq import`` / ``dq export``):
    the text, the warnings reading the source gave (constructs not carried,
    with their place) and what the target format cannot say."""
    text: str
    warnings: List[str]
    not_carried: List[str]


def import_contract(path: PathLike, from_format: str) -> Converted:
    """A schema file in ``from_format`` (jsonschema, avro, protobuf, dbt, dcs,
    odcs, dq; ``file#name`` chooses a model or message) written as a dq
    contract, as ``dq import`` does. Formats dq tells apart by content need no
    import to be used: ``dq.load`` takes them directly."""
    return Converted(*_core.convert_contract(os.fspath(path), from_format, True))


def export_contract(path: PathLike, to_format: str) -> Converted:
    """A contract (any format dq reads) written as ``to_format`` (odcs,
    jsonschema, avro, dq), as ``dq export`` does."""
    return Converted(*_core.convert_contract(os.fspath(path), to_format, False))


def from_pydantic(model: Any, *, dataset: Optional[str] = None) -> "Contract":
    """A contract from a pydantic v2 model class, through its
    ``model_json_schema()`` (so ``Field`` bounds, ``Literal``, enums, optional
    fields, ``extra="forbid"`` and nested models carry over); see
    from_json_schema for what does not."""
    schema = model.model_json_schema()
    return from_json_schema(schema, dataset=dataset or schema.get("title", model.__name__))


class Contract:
    """A compiled contract. Immutable and thread-safe."""

    def __init__(self, native: "_core.Contract", path: Optional[str] = None):
        self._native = native
        self.path: Optional[str] = path  # the file it was loaded from (dq.load), else None
        # The per-record call goes straight to the native method: a Python
        # frame in between was a fifth of validate(dict)'s fixed cost. The
        # method below documents it.
        self.validate = native.validate  # type: ignore[method-assign]

    dataset = property(lambda self: self._native.dataset)
    version = property(lambda self: self._native.version)
    title = property(lambda self: self._native.title)
    drift_baseline = property(lambda self: self._native.drift_baseline,
                              doc="The contract's drift.baseline as written, relative to the contract file.")
    checks = property(lambda self: list(self._native.checks), doc="Every check id, as reports name them.")
    warnings = property(lambda self: list(self._native.warnings), doc="Warnings found while loading.")

    def __repr__(self) -> str:
        return f"<dq.Contract {self.dataset} {self.version}: {len(self.checks)} checks>"

    def _file(self, what: str) -> str:
        if self.path is None:
            raise DqError(f"Contract.{what} reads the contract's file, and this one was not loaded from a file "
                          "(use dq.load)")
        return self.path

    def docs(self, format: str = "html") -> str:
        """The contract's review page (``dq docs``): HTML or Markdown."""
        from ._governance import docs

        return docs(self._file("docs"), format)

    def export(self, to_format: str) -> Converted:
        """The contract written as ``to_format`` (odcs, jsonschema, avro, dq)."""
        return export_contract(self._file("export"), to_format)

    def lint(self, *, policy: Optional[PathLike] = None) -> List[Diagnostic]:
        """The contract's findings, the house policy's included (``dq lint``)."""
        from ._governance import lint

        return lint(self._file("lint"), policy=policy)

    def validate(self, record: Mapping[str, Any]) -> Verdict:
        """Validates one record given as a dict (nested dicts and lists), read
        in place: the verdict is that of the same record as JSON text (its
        violations in the dict's order). Values JSON has no type for are read
        as a JSON encoder writes them: ``isoformat()`` for datetimes, dates and
        times, ``str()`` otherwise (Decimal, UUID); tuples are arrays."""
        return self._native.validate(record)

    def validate_many(self, records: Iterable[Mapping[str, Any]]) -> List[Verdict]:
        """Validates each record as ``validate`` does, in one call (a verdict
        per record, in order). The GIL stays held: the dicts are read in place,
        not copied."""
        return self._native.validate_many(records)

    def validate_json(self, data: Union[bytes, bytearray, memoryview, str]) -> Verdict:
        """Validates one JSON document; a malformed one gives a Verdict with
        ``malformed`` set and the byte offset of the error."""
        if isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        if not isinstance(data, (bytes, str)):
            raise TypeError(f"validate_json takes bytes or str, not {type(data).__name__}")
        return self._native.validate_json(data)

    def validate_ndjson(self, source: Union[PathLike, bytes], *, max_samples: int = 5,
                        max_failures: int = 100_000, baseline: Optional[Profile] = None,
                        threads: int = 1, rejects: Optional[PathLike] = None,
                        progress: Optional[Progress] = None, history: Optional[PathLike] = None,
                        as_of: Any = None) -> Report:
        """Validates NDJSON from a file path (a .json array file works too) or
        from bytes. Malformed lines are counted with their line and offset.
        ``threads`` (0: one per core) validate blocks of lines in parallel; the
        report is the same as with one thread.

        From a file: ``rejects`` is written with every failing record and its
        reasons (as ``dq validate --rejects``), ``progress(records, bytes)``
        is called as the file is read. ``history`` (a metric-history path)
        runs the contract's monitors and records this run at ``as_of`` (the
        data's time; default now), as ``dq validate --history --as-of``."""
        if threads < 0:
            raise ValueError(f"threads must be >= 0, not {threads}")
        return self._run(source, "auto", _options(max_samples, max_failures, False, baseline, threads,
                                                  rejects=rejects, progress=progress, history=history, as_of=as_of))

    def validate_csv(self, path: PathLike, *, max_samples: int = 5, max_failures: int = 100_000,
                     baseline: Optional[Profile] = None, rejects: Optional[PathLike] = None,
                     progress: Optional[Progress] = None, history: Optional[PathLike] = None,
                     as_of: Any = None) -> Report:
        """Validates a CSV file with a header row; cells are typed by the
        contract. ``rejects``, ``progress``, ``history`` and ``as_of`` as for
        ``validate_ndjson``."""
        return self._run(path, "csv", _options(max_samples, max_failures, False, baseline, rejects=rejects,
                                               progress=progress, history=history, as_of=as_of))

    def validate_table(self, table: Any, *, max_samples: int = 5, max_failures: int = 100_000,
                       baseline: Optional[Profile] = None, history: Optional[PathLike] = None,
                       as_of: Any = None, threads: int = 1) -> Report:
        """Validates a table: anything with ``__arrow_c_stream__`` (pyarrow
        Table or RecordBatchReader, polars DataFrame, ...), a pandas
        DataFrame, or the path of a Parquet or Arrow IPC (Feather) file. Data is read in place through the Arrow C interface.

        Reports carry the contract's expectations, drift (against
        ``baseline``, a Profile) and freshness SLA; ``history`` and ``as_of``
        run the monitors as for ``validate_ndjson``. ``threads`` (0: one per
        core) validate consecutive slices of the table at once, their
        reports appended in order: the report of one thread (docs/python.md
        says the one exception)."""
        if threads < 0:
            raise ValueError(f"threads must be >= 0, not {threads}")
        options = _options(max_samples, max_failures, False, baseline, history=history, as_of=as_of)
        table, slices = _table_slices(table, threads or os.cpu_count() or 1)
        if slices is None:
            return self._run(table, "table", options)
        return Report(self._native.validate_arrow_slices([s.__arrow_c_stream__() for s in slices], options))

    def profile(self, data: Any, *, progress: Optional[Progress] = None) -> Profile:
        """Profiles data in the same pass as validating it: a table (pandas,
        pyarrow, polars), an NDJSON/JSON/CSV file path, or NDJSON bytes.
        ``progress(records, bytes)`` is called as a file is read."""
        return Profile(self._run(data, _kind(data), _options(5, 0, True, None, progress=progress))._native.profile)

    def drift(self, data: Any, baseline: Union[Profile, PathLike], *,
              progress: Optional[Progress] = None) -> Drift:
        """Compares data (as for ``profile``) with a baseline Profile (or the
        path of a profile file) by the contract's drift checks."""
        if not isinstance(baseline, Profile):
            baseline = Profile.load(baseline)
        report = self._run(data, _kind(data), _options(5, 0, True, baseline, progress=progress))
        return Drift(report.to_dict()["drift"], baseline, Profile(report._native.profile))

    def gate(self, *, window_messages: int = 0, window_seconds: float = 0,
             max_consecutive_failures: int = 100, rate_window: int = 1000,
             max_failure_rate: float = 0.5, open_seconds: float = 10.0,
             baseline: Optional[Profile] = None, history: Optional[PathLike] = None,
             on_window: Optional[Callable[[Window], None]] = None,
             max_samples: int = 5, max_reason_bytes: int = 1024) -> Gate:
        """A stream gate over this contract: ``judge(message_bytes)`` gives
        accept / dead_letter / pause. A window closes after
        ``window_messages`` messages or ``window_seconds`` (0: never by
        that); the breaker opens after ``max_consecutive_failures`` failures
        in a row or a failure rate above ``max_failure_rate`` over the last
        ``rate_window`` messages, for ``open_seconds``. ``baseline`` (a
        Profile) measures each window's drift, ``history`` (a metric-history
        path) runs its monitors, ``on_window`` is called with each closed
        dq.Window; ``max_samples`` failing examples are kept per check and
        a dead-letter reason is cut to ``max_reason_bytes``."""
        return Gate(self, window_messages=window_messages, window_seconds=window_seconds,
                    max_consecutive_failures=max_consecutive_failures, rate_window=rate_window,
                    max_failure_rate=max_failure_rate, open_seconds=open_seconds, baseline=baseline,
                    history=None if history is None else os.fspath(history), on_window=on_window,
                    max_samples=max_samples, max_reason_bytes=max_reason_bytes)

    def grade(self, paths: Union[PathLike, "list[PathLike]"], *, output: Optional[PathLike] = None,
              rejects: Optional[PathLike] = None, input_format: str = "auto",
              max_state_mb: int = 4096, progress: Optional[Progress] = None) -> GradeRun:
        """Grades entities by the contract's ``grading`` section (``dq grade``):
        reads NDJSON, JSON or CSV files (``input_format="rejects"`` reads a
        rejects file again), writes every rejected record with its reasons to
        ``rejects``, the export to ``output`` (.csv or NDJSON) when given, and
        returns the run. Params are the contract's (``dq.load(..., params=)``).
        ``progress(records, bytes)`` is called as the files are read (bytes
        over all of them)."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if input_format not in ("auto", "ndjson", "csv", "rejects"):
            raise ValueError(f"input_format must be auto, ndjson, csv or rejects, not {input_format!r}")
        return GradeRun(self._native.grade([os.fspath(p) for p in paths], input_format,
                                           os.fspath(output) if output else "", os.fspath(rejects) if rejects else "",
                                           max_state_mb, progress, _PROGRESS_EVERY))

    def _run(self, data: Any, kind: str, options: "_core.RunOptions") -> Report:
        if _is_arrow_file(data):  # Parquet and Arrow files are tables that live on disk
            data, kind = _read_arrow_file(data), "table"
        if kind == "table":
            stream = _arrow_stream(data)
            if stream is None:
                # A pandas column Arrow cannot type (Python objects of mixed
                # types): the rows as JSON records instead, each value judged
                # as the record engine judges it.
                return Report(self._native.validate_ndjson_bytes(_pandas_ndjson(data), options))
            return Report(self._native.validate_arrow_stream(stream, options))
        if isinstance(data, (bytes, bytearray, memoryview)):
            return Report(self._native.validate_ndjson_bytes(bytes(data), options))
        return Report(self._native.validate_file(os.fspath(data), kind, options))


def infer(data: Any, *, dataset: Optional[str] = None, sample: int = 0, strictness: str = "normal",
          input_format: str = "auto") -> "tuple[str, Contract]":
    """Infers a commented contract from sample data (``dq infer``): a path or
    a list of paths (NDJSON, JSON arrays, CSV, Parquet, Arrow IPC/Feather), or
    a table (pandas, polars, pyarrow). Returns the contract's YAML text and the
    loaded Contract. ``strictness`` is ``loose``, ``normal`` or ``strict``;
    ``sample`` reads at most that many records (0: all). Every choice in the
    text states its evidence, for review (docs/inference.md)."""
    _check_strictness(strictness)
    name = dataset or "inferred.dataset"
    with _sample_paths(data) as paths:
        text = _core.infer(paths, name, sample, strictness, input_format, "")[0]
    return text, loads(text, name="<inferred>")


class ContractUpdate(NamedTuple):
    """What new data asks of an existing contract (``dq infer --update``):
    the proposed text (the old one when nothing changes), one line per change
    with its evidence, and the records read and refused as malformed."""
    text: str
    changes: List[str]
    records: int
    malformed: int


def update_contract(contract: PathLike, data: Any, *, sample: int = 0, strictness: str = "normal",
                    input_format: str = "auto") -> ContractUpdate:
    """Proposes the changes ``data`` asks of the contract at ``contract``: a
    widened range, a new enum value, a new optional field, a field no longer
    present. Nothing is written; review ``changes`` and ``dq diff`` the text."""
    _check_strictness(strictness)
    with _sample_paths(data) as paths:
        text, changes, records, malformed = _core.update_contract(os.fspath(contract), paths, sample, strictness,
                                                                  input_format)
    return ContractUpdate(text, list(changes), records, malformed)


def _check_strictness(strictness: str) -> None:
    if strictness not in ("loose", "normal", "strict"):
        raise ValueError(f"strictness is loose, normal or strict, not {strictness!r}")


_ARROW_FILES = (".parquet", ".arrow", ".feather")


@contextlib.contextmanager
def _sample_paths(data: Any) -> Iterator[List[str]]:
    """The files inference reads: paths as given, while tables and Parquet or
    Arrow files (which the C++ readers do not take) are written once as NDJSON
    into a temporary folder that lives as long as the block."""
    items = data if isinstance(data, (list, tuple)) else [data]
    if all(_kind(item) == "auto" and not _is_arrow_file(item) for item in items):
        yield [os.fspath(item) for item in items]
        return
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, item in enumerate(items):
            if _kind(item) == "auto" and not _is_arrow_file(item):
                paths.append(os.fspath(item))
                continue
            path = os.path.join(tmp, f"sample{i}.ndjson")
            with open(path, "wb") as out:
                out.write(_table_ndjson(_read_arrow_file(item) if _kind(item) == "auto" else item))
            paths.append(path)
        yield paths


def _is_arrow_file(item: Any) -> bool:
    return isinstance(item, (str, os.PathLike)) and os.fspath(item).lower().endswith(_ARROW_FILES)


# Below this many rows a second thread costs more than it saves.
_MIN_ROWS_PER_THREAD = 100_000


def _table_slices(table: Any, threads: int) -> "tuple[Any, Optional[List[Any]]]":
    """The table as read or converted for slicing, with its consecutive
    pyarrow slices, one per thread (no copy); no slices when one thread is
    all there is to use (the table then runs as it is, not read twice)."""
    if threads < 2:
        return table, None
    import pyarrow as pa

    if _is_arrow_file(table):
        table = _read_arrow_file(table)
    elif type(table).__module__.startswith("pandas"):
        try:
            table = pa.Table.from_pandas(table, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return table, None  # a column of mixed Python types: the one-thread path reads it as records
    elif isinstance(table, pa.RecordBatchReader) or not hasattr(table, "__arrow_c_stream__"):
        return table, None  # read once, as it comes
    else:
        table = pa.table(table)
    threads = min(threads, table.num_rows // _MIN_ROWS_PER_THREAD)
    if threads < 2:
        return table, None
    cuts = [table.num_rows * k // threads for k in range(threads + 1)]
    return table, [table.slice(cuts[k], cuts[k + 1] - cuts[k]) for k in range(threads)]


def _read_arrow_file(path: Any) -> Any:
    path = os.fspath(path)
    if path.lower().endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(path)
    import pyarrow.feather as feather

    return feather.read_table(path)


def _table_ndjson(table: Any) -> bytes:
    """A pandas, polars or pyarrow table as NDJSON, one record per row."""
    module = type(table).__module__
    if module.startswith("polars"):
        return table.write_ndjson().encode("utf-8")
    if module.startswith("pyarrow"):
        table = table.to_pandas()
    return _pandas_ndjson(table)


def _options(max_samples: int, max_failures: int, profile: bool, baseline: Optional[Profile],
             threads: int = 1, *, rejects: Optional[PathLike] = None, progress: Optional[Progress] = None,
             history: Optional[PathLike] = None, as_of: Any = None) -> "_core.RunOptions":
    options = _core.RunOptions()
    options.max_samples = max_samples
    options.max_failures = max_failures
    options.profile = profile
    options.threads = threads
    options.baseline = baseline._native if baseline is not None else None
    options.rejects = os.fspath(rejects) if rejects is not None else ""
    options.progress = progress
    options.progress_every = _PROGRESS_EVERY
    options.history = os.fspath(history) if history is not None else ""
    options.as_of_micros = _micros(as_of) if as_of is not None else 0
    return options


def _micros(when: Any) -> int:
    """A datetime, a date or an ISO 8601 text (UTC when naive) as µs since 1970."""
    if isinstance(when, str):
        when = _dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
    if isinstance(when, _dt.date) and not isinstance(when, _dt.datetime):
        when = _dt.datetime(when.year, when.month, when.day)
    if not isinstance(when, _dt.datetime):
        raise TypeError(f"as_of takes a datetime, a date or an ISO 8601 text, not {type(when).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    delta = when - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _kind(data: Any) -> str:
    if isinstance(data, (str, os.PathLike, bytes, bytearray, memoryview)):
        return "auto"
    return "table"


def _pandas_ndjson(frame: Any) -> bytes:
    """A pandas DataFrame as NDJSON: NaN and None as null, timestamps in ISO
    8601 (without a zone when the column has none), floats to 15 digits."""
    text = frame.to_json(orient="records", lines=True, date_format="iso", date_unit="us", double_precision=15)
    return text.encode("utf-8")


def _arrow_stream(table: Any):
    """An 'arrow_array_stream' PyCapsule for a table-like object."""
    if type(table).__module__.startswith("pandas"):
        # Through pyarrow without the index: a DataFrame's index is not a field.
        import pyarrow as pa

        try:
            return pa.Table.from_pandas(table, preserve_index=False).__arrow_c_stream__()
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None  # a column of mixed Python types: see _pandas_ndjson
    if hasattr(table, "__arrow_c_stream__"):
        return table.__arrow_c_stream__()
    if hasattr(table, "__arrow_c_array__"):  # one record batch
        import pyarrow as pa

        return pa.table(table).__arrow_c_stream__()
    raise TypeError(
        f"validate_table takes a pyarrow, polars or pandas table (anything with __arrow_c_stream__), "
        f"not {type(table).__name__}"
    )
