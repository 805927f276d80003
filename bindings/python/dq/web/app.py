"""The web application: pages for people and a JSON API for programs, both thin
over dq's Python API (every check, statistic and grade is the library's)."""
from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

import dq

from . import charts
from .catalog import Catalog, Entry
from .runner import Runner
from .security import Forbidden, confine
from .store import RunStore

HERE = Path(__file__).parent
DATA_SUFFIXES = (".csv", ".ndjson", ".jsonl", ".json")
SINGLE_INPUT_JOBS = ("validate", "profile", "drift")


@dataclass
class Settings:
    contracts: Path
    data: Path
    state: Path
    users: Dict[str, str] = field(default_factory=dict)  # token -> name; empty: no authentication (loopback)
    workers: int = 1
    max_upload_bytes: int = 100 << 20


class ParamError(Exception):
    """Params the contract refuses: dq's message, and the param it names."""

    def __init__(self, message: str, param: str = ""):
        super().__init__(message)
        self.param = param


class App:
    """The server's state: settings, catalog, run store and worker."""

    def __init__(self, settings: Settings):
        self.settings = settings
        settings.state.mkdir(parents=True, exist_ok=True)
        self.uploads = settings.state / "uploads"
        self.history = settings.state / "history.sqlite"
        self.catalog = Catalog(settings.contracts)
        self.store = RunStore(settings.state / "runs.sqlite")
        self.interrupted = self.store.mark_interrupted()
        self.runner = Runner(self.store, settings.state / "runs", settings.workers)
        self._loaded: Dict[Tuple[str, str, Tuple[Tuple[str, str], ...]], dq.Contract] = {}
        self._lock = threading.Lock()
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"]))
        self.templates.filters["size"] = _size
        self.templates.filters["when"] = _when

    # ---- contracts ----

    def entry(self, dataset: str) -> Entry:
        entry = self.catalog.find(dataset)
        if entry is None:
            raise HTTPException(404, f"no contract for dataset {dataset!r}")
        return entry

    def contract(self, entry: Entry, params: Dict[str, str]) -> dq.Contract:
        """The contract compiled with `params` (cached per file version); ParamError when it refuses them."""
        if entry.card is None:
            raise ParamError(entry.error)
        declared = {p["name"] for p in entry.card["params"]}
        key = (str(entry.file), entry.sha256, tuple(sorted(params.items())))
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
        try:
            contract = dq.load(entry.file, params=params)
        except dq.ContractError as e:
            message = str(e)
            named = _first_named(message, declared)
            raise ParamError(message, named) from None
        with self._lock:
            if len(self._loaded) > 64:
                self._loaded.clear()
            self._loaded[key] = contract
        return contract

    # ---- runs ----

    def data_files(self) -> List[Dict[str, Any]]:
        root = self.settings.data.resolve()
        out = []
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() in DATA_SUFFIXES and not any(
                    p.startswith(".") for p in path.relative_to(root).parts):
                try:
                    confine(root, str(path.relative_to(root)))  # symlinks out of the folder are not offered
                except Forbidden:
                    continue
                out.append({"path": str(path.relative_to(root)), "bytes": path.stat().st_size})
        return out

    def input_file(self, name: str) -> Tuple[Path, str]:
        """(file, how the run record names it) for a path under --data or an upload id."""
        if name.startswith("upload:"):
            return confine(self.uploads, name[len("upload:"):]), name
        return confine(self.settings.data, name), name

    def save_upload(self, filename: str, chunks) -> str:
        """Stores an upload under its own new folder (never overwriting) and
        returns its input name; refuses more than max_upload_bytes."""
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in os.path.basename(filename or ""))[:100]
        if not safe or safe.startswith(".") or Path(safe).suffix.lower() not in DATA_SUFFIXES:
            raise HTTPException(400, f"an upload must be a {', '.join(DATA_SUFFIXES)} file, not {filename!r}")
        folder = self.uploads / uuid.uuid4().hex
        folder.mkdir(parents=True)
        target = folder / safe
        size = 0
        with open(target, "xb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > self.settings.max_upload_bytes:
                    out.close()
                    target.unlink()
                    folder.rmdir()
                    raise HTTPException(413, f"the upload is larger than {_size(self.settings.max_upload_bytes)}")
                out.write(chunk)
        return f"upload:{folder.name}/{safe}"

    def discard_upload(self, name: str) -> None:
        """Removes an upload no run uses (one whose run was refused)."""
        path = confine(self.uploads, name[len("upload:"):])
        path.unlink(missing_ok=True)
        path.parent.rmdir()

    def start_run(self, entry: Entry, job: str, inputs: List[str], params: Dict[str, str], who: str,
                  as_of: str = "", rerun_of: Optional[int] = None) -> int:
        """Checks everything, records the run and queues it. ParamError,
        Forbidden or HTTPException(400) before anything starts."""
        if job not in entry.jobs:
            raise HTTPException(400, f"{entry.dataset} cannot run {job!r}: it can run {', '.join(entry.jobs)}")
        if not inputs:
            raise HTTPException(400, "choose an input: a file under the data folder or an upload")
        if job in SINGLE_INPUT_JOBS and len(inputs) > 1:
            raise HTTPException(400, f"{job} reads one input; only grade reads several")
        params = {k: v for k, v in params.items() if v != ""}
        contract = self.contract(entry, params)
        files = []
        for name in inputs:
            path, shown = self.input_file(name)
            if not path.is_file():
                raise HTTPException(400, f"no such input: {name}")
            files.append((path, {"path": shown, "bytes": path.stat().st_size, "sha256": _sha256(path)}))
        if as_of:
            try:
                dq._api._micros(as_of)
            except (ValueError, TypeError):
                raise ParamError(f"as of: not a date or time: {as_of!r}", "as_of") from None
        run_id = self.store.create(dataset=entry.dataset, contract_file=entry.name, contract_version=contract.version,
                                   contract_sha256=entry.sha256, job=job, params=params,
                                   inputs=[record for _, record in files], who=who, rerun_of=rerun_of)
        baseline = entry.baseline()
        self.runner.submit(run_id, {
            "job": job, "contract": str(entry.file), "params": params, "inputs": [str(p) for p, _ in files],
            "history": str(self.history), "as_of": as_of,
            "baseline": str(baseline) if baseline and baseline.is_file() else None})
        return run_id

    def rerun(self, run_id: int, who: str) -> int:
        old = self.run(run_id)
        entry = self.entry(old["dataset"])
        return self.start_run(entry, old["job"], [i["path"] for i in old["inputs"]], old["params"], who,
                              rerun_of=run_id)

    def run(self, run_id: int) -> Dict[str, Any]:
        record = self.store.get(run_id)
        if record is None:
            raise HTTPException(404, f"no run {run_id}")
        return record

    def artifact(self, run_id: int, name: str) -> Path:
        record = self.run(run_id)
        if name not in record["artifacts"]:
            raise HTTPException(404, f"run {run_id} has no {name!r}")
        return self.runner.run_dir(run_id) / name

    # ---- monitors ----

    def monitors(self, entry: Entry) -> List[Dict[str, Any]]:
        """Each monitored metric's history with the detector's verdicts."""
        if not self.history.exists() or entry.card is None:
            return []
        history = dq.History(self.history)
        declared = {m["metric"]: m for m in entry.card["monitors"]}
        metrics = history.metrics(entry.dataset) if entry.dataset in history.datasets() else []
        out = []
        for metric in list(declared) + [m for m in metrics if m not in declared]:
            series = history.read(entry.dataset, metric) if metric in metrics else None
            spec = declared.get(metric, {"method": "auto", "settings": {}, "seasons": [], "direction": "both"})
            item = {"metric": metric, "method": spec["method"], "points": [], "svg": ""}
            if series is not None and len(series):
                seasons = [int(s) if s.isdigit() else s for s in spec["seasons"]]
                frame = dq.monitor(series, spec["method"], seasons=seasons or None, direction=spec["direction"],
                                   **{k: float(v) for k, v in spec["settings"].items()})
                labels = [str(t)[:19] for t in frame.index]
                item["points"] = [{"at": labels[i], "value": _num(r.value), "lower": _num(r.lower),
                                   "upper": _num(r.upper), "anomaly": bool(r.anomaly)}
                                  for i, r in enumerate(frame.itertuples())]
                item["svg"] = charts.monitor_svg(metric, labels, list(frame["value"]),
                                                 [_num(v) for v in frame["lower"]], [_num(v) for v in frame["upper"]],
                                                 list(frame["anomaly"]))
            out.append(item)
        return out

    def drift_values(self, dataset: str, limit: int = 20) -> List[Dict[str, Any]]:
        """Drift results of the latest runs that measured drift."""
        out = []
        for record in self.store.list(dataset=dataset, status="succeeded", limit=200):
            folder = self.runner.run_dir(record["id"])
            results = []
            if "drift.json" in record["artifacts"]:
                results = json.loads((folder / "drift.json").read_text())
            elif "report.json" in record["artifacts"]:
                results = json.loads((folder / "report.json").read_text()).get("drift", [])
            results = [r for r in results if r.get("status") != "skipped"]
            if results:
                out.append({"run": record["id"], "created": record["created"], "results": results})
            if len(out) >= limit:
                break
        return out

    # ---- pages ----

    def page(self, request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(request=request, csrf=request.state.csrf,
                                                            user=request.state.user, **values)
        return HTMLResponse(html, status_code=status_code)


def _first_named(message: str, names) -> str:
    """The param a refusal names first ("param 'x' is an integer, ..."), or ""."""
    found = [(message.find(f"'{n}'"), n) for n in names if f"'{n}'" in message]
    return min(found)[1] if found else ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _num(value: Any) -> Optional[float]:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _size(n: Any) -> str:
    n = float(n or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def _when(stamp: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp)) if stamp else ""
