"""Routes: the pages (server-rendered, no script needed) and the JSON API
(documented at /api/openapi.json), with authentication, CSRF and security
headers in one middleware."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

import dq

from .app import HERE, App, ParamError, Settings
from .catalog import file_at, versions
from .security import Forbidden, csrf_ok, new_csrf_token, user_for
from .store import FINAL, to_csv

_API_CONTENT_TYPES = ("application/json", "application/x-ndjson", "application/octet-stream")
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-src 'self'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'")


class RunRequest(BaseModel):
    job: str = Field(description="validate, grade, profile or drift (what the contract can run)")
    inputs: List[str] = Field(description="paths under --data, or upload:ID/NAME from POST /api/uploads")
    params: Dict[str, str] = Field(default_factory=dict, description="the contract's params, as text")
    as_of: str = Field(default="", description="validate: the data's time in the metric history (default now)")


def create_app(settings: Settings) -> FastAPI:
    state = App(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_):
        yield
        state.runner.stop()  # runs still executing are recorded as interrupted

    api = FastAPI(title="dq serve", version=dq.__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  openapi_url="/api/openapi.json",
                  description="Contracts, runs and monitors of a dq server; see docs/serve.md.")
    api.state.dq = state
    api.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @api.middleware("http")
    async def guard(request: Request, call_next):
        request.state.csrf = request.cookies.get("dq_csrf") or new_csrf_token()
        request.state.user = "local"
        if settings.users:
            bearer = request.headers.get("authorization", "")
            offered = bearer[7:] if bearer.lower().startswith("bearer ") else request.cookies.get("dq_token")
            request.state.user = user_for(settings.users, offered)
            open_paths = ("/login", "/static/")
            if request.state.user is None and not request.url.path.startswith(open_paths):
                if request.url.path.startswith("/api/"):
                    return JSONResponse({"error": "authentication required"}, status_code=401,
                                        headers={"WWW-Authenticate": "Bearer"})
                return RedirectResponse("/login", status_code=303)
        if (request.method == "POST" and request.url.path.startswith("/api/")
                and request.headers.get("content-type", "").split(";")[0].strip() not in _API_CONTENT_TYPES):
            # A cross-site form can only send form or text bodies: API calls must be JSON, NDJSON or bytes.
            return JSONResponse({"error": "send JSON (application/json), NDJSON (application/x-ndjson) or bytes "
                                          "(application/octet-stream)"}, status_code=415)
        response = await call_next(request)
        if "dq_csrf" not in request.cookies:
            response.set_cookie("dq_csrf", request.state.csrf, httponly=True, samesite="strict")
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @api.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden):
        return _error(request, state, 403, str(error))

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        return _error(request, state, error.status_code, str(error.detail))

    async def form(request: Request):
        """The posted form, after its CSRF field was checked (403 otherwise)."""
        length = int(request.headers.get("content-length") or 0)
        if length > settings.max_upload_bytes + (1 << 20):
            raise HTTPException(413, "the upload is larger than the server's limit")
        data = await request.form(max_files=1, max_fields=200)
        if not csrf_ok(request.cookies.get("dq_csrf"), str(data.get("csrf") or "")):
            raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page and try again")
        return data

    # ---- pages ----

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    def catalog(request: Request, q: str = "", owner: str = "", tag: str = "", classification: str = ""):
        entries = state.catalog.entries()
        last = state.store.last_runs()

        def shown(e) -> bool:
            card = e.card or {}
            text = " ".join([e.name, card.get("dataset", ""), card.get("title", ""), card.get("description", "")])
            return ((not q or q.lower() in text.lower()) and (not owner or card.get("owner", {}).get("team") == owner)
                    and (not tag or tag in card.get("tags", []))
                    and (not classification or card.get("classification") == classification))

        cards = [e.card for e in entries if e.card]
        return state.page(request, "catalog.html", entries=[e for e in entries if shown(e)], last=last, q=q,
                          owner=owner, tag=tag, classification=classification,
                          owners=sorted({c["owner"]["team"] for c in cards if c["owner"]["team"]}),
                          tags=sorted({t for c in cards for t in c["tags"]}),
                          classifications=sorted({c["classification"] for c in cards if c["classification"]}))

    @api.get("/contracts/{dataset}", response_class=HTMLResponse, include_in_schema=False)
    def contract_page(request: Request, dataset: str):
        entry = state.entry(dataset)
        return state.page(request, "contract.html", entry=entry, runs=state.store.list(dataset=dataset, limit=20),
                          monitors=state.monitors(entry), versions=versions(entry))

    @api.get("/contracts/{dataset}/docs", response_class=HTMLResponse, include_in_schema=False)
    def contract_docs(dataset: str):
        # dq docs' own self-contained page, in a frame that may run nothing.
        return HTMLResponse(dq.docs(state.entry(dataset).file),
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                                "img-src data:; frame-ancestors 'self'; sandbox"})

    @api.get("/contracts/{dataset}/diff", response_class=HTMLResponse, include_in_schema=False)
    def contract_diff(request: Request, dataset: str, old: str, new: str = "current"):
        entry = state.entry(dataset)
        with tempfile.TemporaryDirectory() as folder:
            try:
                old_file = file_at(entry, old, Path(folder))
                new_file = entry.file if new == "current" else file_at(entry, new, Path(folder))
            except ValueError as e:
                raise HTTPException(400, str(e)) from None
            try:
                change = dq.diff(old_file, new_file)
            except dq.DqError as e:  # a version that does not load: its messages, not a server error
                raise HTTPException(400, str(e)) from None
        return state.page(request, "diff.html", entry=entry, change=change, old=old, new=new)

    @api.get("/contracts/{dataset}/monitors", response_class=HTMLResponse, include_in_schema=False)
    def monitors_page(request: Request, dataset: str):
        entry = state.entry(dataset)
        return state.page(request, "monitors.html", entry=entry, monitors=state.monitors(entry),
                          drift=state.drift_values(dataset))

    @api.get("/contracts/{dataset}/run", response_class=HTMLResponse, include_in_schema=False)
    def run_form(request: Request, dataset: str, job: str = ""):
        entry = state.entry(dataset)
        return state.page(request, "run_form.html", entry=entry, job=job or (entry.jobs or [""])[0], values={},
                          chosen=[], files=state.data_files(), error="", error_param="",
                          max_upload=settings.max_upload_bytes)

    @api.post("/contracts/{dataset}/run", include_in_schema=False)
    async def run_submit(request: Request, dataset: str):
        entry = state.entry(dataset)
        data = await form(request)
        job = str(data.get("job") or "")
        values = {p["name"]: str(data.get("param." + p["name"]) or "") for p in (entry.card or {}).get("params", [])}
        chosen = [str(v) for v in data.getlist("inputs") if v]
        upload = data.get("upload")
        error, error_param, status = "", "", 400

        def submit() -> int:  # in a worker thread: hashing inputs and storing an upload block
            uploaded = None
            try:
                if isinstance(upload, UploadFile) and upload.filename:
                    # Params are checked before the upload is kept: an invalid value stores nothing.
                    state.contract(entry, {k: v for k, v in values.items() if v != ""})
                    uploaded = state.save_upload(upload.filename, iter(lambda: upload.file.read(1 << 20), b""))
                    chosen.append(uploaded)
                return state.start_run(entry, job, chosen, values, request.state.user, str(data.get("as_of") or ""))
            except BaseException:
                if uploaded:
                    chosen.remove(uploaded)
                    state.discard_upload(uploaded)  # the run did not start: keep nothing
                raise

        try:
            run_id = await run_in_threadpool(submit)
        except ParamError as e:
            error, error_param = str(e), e.param
        except HTTPException as e:
            if e.status_code not in (400, 413):
                raise
            error, status = str(e.detail), e.status_code
        if error:
            return state.page(request, "run_form.html", status_code=status, entry=entry, job=job, values=values,
                              chosen=chosen, files=state.data_files(), error=error, error_param=error_param,
                              max_upload=settings.max_upload_bytes)
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    @api.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(request: Request, dataset: str = "", status: str = "", job: str = "", who: str = ""):
        runs = state.store.list(dataset=dataset, status=status, job=job, who=who)
        return state.page(request, "runs.html", runs=runs, dataset=dataset, status=status, job=job, who=who)

    @api.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(request: Request, run_id: int):
        record = state.run(run_id)
        folder = state.runner.run_dir(run_id)

        def text(name: str) -> str:
            return (folder / name).read_text(encoding="utf-8") if name in record["artifacts"] else ""

        report = json.loads(text("report.json") or "{}")
        drift = json.loads(text("drift.json") or "[]") or report.get("drift", [])
        return state.page(request, "run.html", run=record, report_html=text("report.html"), run_text=text("run.txt"),
                          monitors=report.get("monitors", []),
                          drift=[d for d in drift if d.get("status") != "skipped"],
                          plots=[a for a in record["artifacts"] if a.endswith(".png")], final=record["status"] in FINAL)

    @api.post("/runs/{run_id}/cancel", include_in_schema=False)
    async def run_cancel(request: Request, run_id: int):
        await form(request)
        state.run(run_id)
        state.runner.cancel(run_id)
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    @api.post("/runs/{run_id}/rerun", include_in_schema=False)
    async def run_rerun(request: Request, run_id: int):
        await form(request)
        try:
            new_id = state.rerun(run_id, request.state.user)
        except ParamError as e:
            raise HTTPException(400, str(e)) from None
        return RedirectResponse(f"/runs/{new_id}", status_code=303)

    @api.get("/runs/{run_id}/files/{name}", include_in_schema=False)
    def run_file(run_id: int, name: str):
        path = state.artifact(run_id, name)
        inline = name.endswith((".png", ".html"))
        return FileResponse(path, filename=None if inline else f"run-{run_id}-{name}",
                            media_type=_media_type(name))

    @api.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request):
        return state.page(request, "login.html", error="")

    @api.post("/login", include_in_schema=False)
    async def login(request: Request):
        data = await form(request)
        token = str(data.get("token") or "")
        if not settings.users or user_for(settings.users, token) is None:
            return state.page(request, "login.html", status_code=401, error="That token is not valid here.")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie("dq_token", token, httponly=True, samesite="strict")
        return response

    @api.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request):
        return state.page(request, "api.html", schema=api.openapi())

    # ---- JSON API ----

    @api.get("/api/contracts", tags=["contracts"])
    def api_contracts() -> List[Dict[str, Any]]:
        """Every contract in the folder: its catalog entry, lint counts and last run."""
        last = state.store.last_runs()
        return [_contract_json(e, last.get(e.dataset)) for e in state.catalog.entries()]

    @api.get("/api/contracts/{dataset}", tags=["contracts"])
    def api_contract(dataset: str) -> Dict[str, Any]:
        """One contract: its entry, lint findings, jobs, versions and latest runs."""
        entry = state.entry(dataset)
        out = _contract_json(entry, None)
        out["findings"] = [dataclasses.asdict(d) for d in entry.findings]
        out["versions"] = versions(entry)
        out["runs"] = state.store.list(dataset=dataset, limit=20)
        return out

    @api.post("/api/contracts/{dataset}/runs", status_code=202, tags=["runs"])
    def api_start(dataset: str, body: RunRequest, request: Request) -> Dict[str, Any]:
        """Starts a run (queued; poll GET /api/runs/{id}). 400 with dq's message when a param is refused."""
        entry = state.entry(dataset)
        try:
            run_id = state.start_run(entry, body.job, body.inputs, body.params, request.state.user, body.as_of)
        except ParamError as e:
            raise HTTPException(400, str(e)) from None
        return state.run(run_id)

    @api.post("/api/contracts/{dataset}/validate", tags=["contracts"])
    async def api_validate(dataset: str, request: Request) -> Dict[str, Any]:
        """Validates one JSON record (application/json: its verdict) or an NDJSON
        batch (application/x-ndjson: the report and each failure). Params as
        repeated ``param=name=value`` query arguments."""
        entry = state.entry(dataset)
        params = {}
        for item in request.query_params.getlist("param"):
            name, sep, value = item.partition("=")
            if not sep:
                raise HTTPException(400, f"param needs name=value, not {item!r}")
            params[name] = value
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_upload_bytes:
                raise HTTPException(413, "the body is larger than the server's limit")
        try:
            contract = state.contract(entry, params)
        except ParamError as e:
            raise HTTPException(400, str(e)) from None
        if request.headers.get("content-type", "").startswith("application/json"):
            verdict = contract.validate_json(bytes(body))
            return {"ok": verdict.ok, "malformed": verdict.malformed, "error": verdict.error,
                    "violations": [{"path": v.path, "rule": v.rule, "severity": v.severity, "message": v.message,
                                    "value": v.value} for v in verdict.violations]}
        report = contract.validate_ndjson(bytes(body))
        return {"report": report.to_dict(), "failures": report.failure_rows()}

    @api.post("/api/uploads", status_code=201, tags=["runs"])
    async def api_upload(request: Request, name: str) -> Dict[str, str]:
        """Stores the body (application/octet-stream) as an input named `name`;
        returns the input name to give a run."""
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise HTTPException(413, "the upload is larger than the server's limit")
            chunks.append(chunk)
        return {"input": state.save_upload(name, chunks)}

    @api.get("/api/data", tags=["runs"])
    def api_data() -> List[Dict[str, Any]]:
        """The files under --data a run can read."""
        return state.data_files()

    @api.get("/api/runs", tags=["runs"])
    def api_runs(dataset: str = "", status: str = "", job: str = "", who: str = "", limit: int = 200):
        """Runs, newest first, filtered."""
        return state.store.list(dataset=dataset, status=status, job=job, who=who, limit=min(limit, 10_000))

    @api.get("/api/runs.csv", tags=["runs"], response_class=PlainTextResponse)
    def api_runs_csv(dataset: str = "", status: str = "", job: str = "", who: str = ""):
        """The same runs as CSV."""
        runs = state.store.list(dataset=dataset, status=status, job=job, who=who, limit=1_000_000)
        return Response(to_csv(runs), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="runs.csv"'})

    @api.get("/api/runs/{run_id}", tags=["runs"])
    def api_run(run_id: int) -> Dict[str, Any]:
        """One run: status, progress (records, bytes_read of total_bytes), counts, artifacts."""
        return state.run(run_id)

    @api.post("/api/runs/{run_id}/cancel", tags=["runs"])
    def api_cancel(run_id: int) -> Dict[str, Any]:
        """Cancels a queued or running run."""
        state.run(run_id)
        state.runner.cancel(run_id)
        return state.run(run_id)

    @api.post("/api/runs/{run_id}/rerun", status_code=202, tags=["runs"])
    def api_rerun(run_id: int, request: Request) -> Dict[str, Any]:
        """A new run with the same job, inputs and params."""
        try:
            return state.run(state.rerun(run_id, request.state.user))
        except ParamError as e:
            raise HTTPException(400, str(e)) from None

    @api.get("/api/runs/{run_id}/artifacts/{name}", tags=["runs"])
    def api_artifact(run_id: int, name: str):
        """A run's file: export.csv, rejects.ndjson, report.json, run.json, profile.json, drift.json, ..."""
        return FileResponse(state.artifact(run_id, name), media_type=_media_type(name))

    @api.get("/api/monitors/{dataset}", tags=["contracts"])
    def api_monitors(dataset: str) -> Dict[str, Any]:
        """Each monitored metric's history with its band and anomalies, and drift values per run."""
        entry = state.entry(dataset)
        return {"monitors": [{k: v for k, v in m.items() if k != "svg"} for m in state.monitors(entry)],
                "drift": state.drift_values(dataset)}

    return api


def _contract_json(entry, last: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return {"file": entry.name, "dataset": entry.dataset, "card": entry.card, "error": entry.error,
            "lint": {"errors": entry.errors, "warnings": entry.warnings}, "jobs": entry.jobs,
            "last_run": last}


def _media_type(name: str) -> str:
    return {".csv": "text/csv", ".json": "application/json", ".ndjson": "application/x-ndjson",
            ".html": "text/html", ".png": "image/png", ".txt": "text/plain"}.get(Path(name).suffix, "text/plain")


def _error(request: Request, state: App, status: int, message: str):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    try:
        return state.page(request, "error.html", status_code=status, status=status, message=message)
    except AttributeError:  # before the middleware ran
        return PlainTextResponse(message, status_code=status)
