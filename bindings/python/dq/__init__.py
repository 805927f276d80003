"""dq: data contracts made executable.

    import dq
    contract = dq.load("contracts/tweets.yaml", params={"max_amount": 5000})
    contract.validate({"id": 1, ...})          # -> Verdict (.ok, .violations)
    contract.validate_json(b'{"id": 1}')       # bytes or str
    report = contract.validate_ndjson("tweets.ndjson")
    report = contract.validate_table(df)       # pandas, pyarrow or polars
    report.ok; report.to_dict(); report.to_pandas()
    profile = contract.profile(df)             # a dq.Profile; .merge(), .save(), .plot()
    contract.drift(df, baseline=profile)       # a dq.Drift: .ok, .results, .plot(field)
    gate = contract.gate(window_messages=10_000)  # a dq.Gate for message consumers
    gate.judge(message_bytes).decision         # "accept", "dead_letter" or "pause"
    run = contract.grade(["sales.csv"], rejects="rejects.ndjson")  # a dq.GradeRun
    run.to_pandas(); run.tiers; run.summary["rows"]
    frame = dq.monitor(series, method="auto")  # a monitor over a pandas Series
    dq.History().read("shop.orders", "row_count")  # the metric history
    dq.lint(path); dq.diff(old, new).to_markdown(); dq.docs(path)  # governance
    dq.describe(path)                          # the catalog entry: owner, params, ...

A Contract is immutable and safe to share across threads; validation
releases the GIL, so threads validate in parallel.
"""
from . import _core
from ._api import (Contract, ContractUpdate, Converted, PathLike, Verdict, Violation, export_contract,
                   from_json_schema, from_pydantic, import_contract, infer, load, loads, update_contract)
from ._errors import ContractError, DataError, Diagnostic, DqError
from ._gate import Gate, Judgement, Window
from ._governance import ContractDiff, describe, diff, docs, lint
from ._grade import GradeRun
from ._monitor import History, monitor, plot_monitor
from ._profile import Drift, Profile
from ._report import Report

__all__ = [
    "load", "loads", "from_json_schema", "from_pydantic", "import_contract", "export_contract", "Converted",
    "infer", "update_contract", "ContractUpdate", "Contract", "Report", "Verdict", "Violation", "Profile", "Drift",
    "Gate", "Judgement", "Window", "GradeRun", "monitor", "plot_monitor", "History",
    "lint", "diff", "docs", "describe", "ContractDiff",
    "ContractError", "DataError", "DqError", "Diagnostic", "PathLike",
]
__version__: str = _core.__version__  # project()'s version in CMakeLists.txt

# Public classes say where users find them: dq.Contract, not dq._api.Contract.
for _name in ("Contract", "ContractUpdate", "Converted", "Report", "Profile", "Drift", "Gate", "Judgement", "Window", "GradeRun",
              "History", "ContractDiff", "ContractError", "DataError", "DqError", "Diagnostic"):
    globals()[_name].__module__ = __name__
del _name
