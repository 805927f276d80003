"""One run, in its own process: ``python -m dq.web.job RUN_DIR``.

Reads ``RUN_DIR/job.json`` (job, contract, params, inputs, history, as_of,
baseline), runs the job through dq's Python API, writes its artifacts into
RUN_DIR and tells the server what happens on stdout, one JSON object per line:
``{"records": n, "bytes": b}`` as the inputs are read, then ``{"done": ...}``
or ``{"error": message}``. A process of its own means a run can be cancelled
at any moment (the server terminates it) and a crash loses only that run."""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List

import dq

def _say(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _progress(before: int) -> Callable[[int, int], None]:
    """Reports records and bytes read, counting `before` bytes of earlier inputs."""
    return lambda records, size: _say(records=records, bytes=before + size)


def _validate(contract: "dq.Contract", spec: Dict[str, Any], out: Path) -> Dict[str, Any]:
    (path,) = spec["inputs"]
    baseline = dq.Profile.load(spec["baseline"]) if spec.get("baseline") else None
    common = dict(baseline=baseline, rejects=out / "rejects.ndjson", progress=_progress(0),
                  history=spec.get("history"), as_of=spec.get("as_of") or None)
    if path.lower().endswith(".csv"):
        report = contract.validate_csv(path, **common)
    else:
        report = contract.validate_ndjson(path, **common)
    (out / "report.json").write_text(report.to_json() + "\n", encoding="utf-8")
    (out / "report.html").write_text(report._repr_html_(), encoding="utf-8")
    return {"ok": report.ok, "counts": report.records, "artifacts": ["report.json", "report.html", "rejects.ndjson"]}


def _grade(contract: "dq.Contract", spec: Dict[str, Any], out: Path) -> Dict[str, Any]:
    run = contract.grade(spec["inputs"], output=out / "export.csv", rejects=out / "rejects.ndjson",
                         progress=_progress(0))
    (out / "run.json").write_text(run.to_json(), encoding="utf-8")
    (out / "run.txt").write_text(str(run), encoding="utf-8")
    rows = run.summary["rows"]
    counts = {"total": rows["read"], "valid": rows["valid"], "invalid": rows["invalid"],
              "malformed": rows["malformed"], "graded": rows["graded"], "filtered": rows["filtered"],
              "entities": run.summary["entities"]["total"], "tiers": run.tiers}
    return {"ok": run.reconciled, "counts": counts, "artifacts": ["export.csv", "rejects.ndjson", "run.json"]}


def _profile(contract: "dq.Contract", spec: Dict[str, Any], out: Path) -> Dict[str, Any]:
    (path,) = spec["inputs"]
    profile = contract.profile(path, progress=_progress(0))
    profile.save(out / "profile.json")
    return {"ok": True, "counts": {"profiled": profile.rows, "fields": len(profile.fields)},
            "artifacts": ["profile.json"]}


def _drift(contract: "dq.Contract", spec: Dict[str, Any], out: Path) -> Dict[str, Any]:
    (path,) = spec["inputs"]
    drift = contract.drift(path, spec["baseline"], progress=_progress(0))
    (out / "drift.json").write_text(json.dumps(drift.results, indent=2) + "\n", encoding="utf-8")
    drift.current.save(out / "profile.json")
    artifacts: List[str] = ["drift.json", "profile.json"]
    artifacts += _drift_plots(drift, out)
    failed = sum(1 for r in drift.results if r.get("status") == "fail")
    return {"ok": drift.ok, "counts": {"checks": len(drift.results), "failed": failed}, "artifacts": artifacts}


def _drift_plots(drift: "dq.Drift", out: Path) -> List[str]:
    """Each drifted field's baseline and current distributions, when matplotlib is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    names = []
    for result in drift.results:
        field = result.get("field")
        if not field:
            continue
        try:
            ax = drift.plot(field)
        except Exception:  # a field without plottable bins (no numbers, no categories)
            continue
        name = "drift-" + "".join(c if c.isalnum() else "_" for c in field) + ".png"
        ax.figure.savefig(out / name, dpi=80, bbox_inches="tight")
        plt.close(ax.figure)
        names.append(name)
    return names


JOBS = {"validate": _validate, "grade": _grade, "profile": _profile, "drift": _drift}


def main(argv: List[str]) -> int:
    out = Path(argv[1])
    spec = json.loads((out / "job.json").read_text(encoding="utf-8"))
    try:
        contract = dq.load(spec["contract"], params=spec["params"])
        result = JOBS[spec["job"]](contract, spec, out)
    except dq.DqError as e:
        _say(error=str(e))
        return 1
    except Exception as e:  # anything else is a bug in dq: keep the trace with the run
        (out / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        _say(error=f"{type(e).__name__}: {e}")
        return 1
    _say(done=True, **result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
