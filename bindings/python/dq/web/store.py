"""Every run as a record in an embedded SQLite database (``runs.sqlite`` under
the state folder): who started it, when, the contract and its version, the
job, the params as used, the inputs with their sizes and SHA-256, its status,
duration, counts and artifacts. Records outlive the server; a run that was
queued or running when the server stopped is marked interrupted at the next
start."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")
FINAL = ("succeeded", "failed", "cancelled", "interrupted")
# A run's JSON fields; the others are plain columns.
_JSON = ("params", "inputs", "counts", "artifacts")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dataset TEXT NOT NULL,
  contract_file TEXT NOT NULL,
  contract_version TEXT NOT NULL,
  contract_sha256 TEXT NOT NULL,
  job TEXT NOT NULL,
  params TEXT NOT NULL,
  inputs TEXT NOT NULL,
  who TEXT NOT NULL,
  status TEXT NOT NULL,
  created REAL NOT NULL,
  started REAL,
  finished REAL,
  records INTEGER NOT NULL DEFAULT 0,
  bytes_read INTEGER NOT NULL DEFAULT 0,
  total_bytes INTEGER NOT NULL DEFAULT 0,
  ok INTEGER,
  counts TEXT NOT NULL DEFAULT '{}',
  artifacts TEXT NOT NULL DEFAULT '[]',
  error TEXT NOT NULL DEFAULT '',
  rerun_of INTEGER
);
CREATE INDEX IF NOT EXISTS runs_by_dataset ON runs (dataset, id);
"""
CSV_COLUMNS = ["id", "dataset", "contract_version", "job", "status", "ok", "who", "created", "started", "finished",
               "duration_s", "records", "total_bytes", "params", "inputs", "error", "rerun_of"]


def _iso(stamp: Optional[float]) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp)) if stamp else ""


class RunStore:
    """The runs table. Thread-safe: one connection, one lock."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def mark_interrupted(self) -> List[int]:
        """Runs left queued or running by a server that stopped: interrupted."""
        with self._lock:
            ids = [r["id"] for r in self._db.execute("SELECT id FROM runs WHERE status IN ('queued', 'running')")]
            self._db.execute("UPDATE runs SET status = 'interrupted', finished = ?, "
                             "error = 'the server stopped while this run was ' || status "
                             "WHERE status IN ('queued', 'running')", (time.time(),))
        return ids

    def create(self, *, dataset: str, contract_file: str, contract_version: str, contract_sha256: str, job: str,
               params: Dict[str, str], inputs: List[Dict[str, Any]], who: str, rerun_of: Optional[int] = None) -> int:
        total = sum(int(i["bytes"]) for i in inputs)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO runs (dataset, contract_file, contract_version, contract_sha256, job, params, inputs, "
                "who, status, created, total_bytes, rerun_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
                (dataset, contract_file, contract_version, contract_sha256, job, json.dumps(params),
                 json.dumps(inputs), who, time.time(), total, rerun_of))
            return int(cursor.lastrowid)

    def update(self, run_id: int, **values: Any) -> None:
        for key in _JSON:
            if key in values:
                values[key] = json.dumps(values[key])
        if "ok" in values and values["ok"] is not None:
            values["ok"] = int(bool(values["ok"]))
        columns = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            self._db.execute(f"UPDATE runs SET {columns} WHERE id = ?", (*values.values(), run_id))

    def finish(self, run_id: int, status: str, **values: Any) -> bool:
        """Sets a final status unless the run already has one (a cancel that
        raced the end keeps whichever came first). True when it was set."""
        assert status in FINAL
        for key in _JSON:
            if key in values:
                values[key] = json.dumps(values[key])
        if "ok" in values and values["ok"] is not None:
            values["ok"] = int(bool(values["ok"]))
        values = {"status": status, "finished": time.time(), **values}
        columns = ", ".join(f"{k} = ?" for k in values)
        with self._lock:
            cursor = self._db.execute(f"UPDATE runs SET {columns} WHERE id = ? AND status IN ('queued', 'running')",
                                      (*values.values(), run_id))
            return cursor.rowcount == 1

    def get(self, run_id: int) -> Optional[Dict[str, Any]]:
        with self._lock:
            row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _record(row) if row else None

    def list(self, *, dataset: Optional[str] = None, status: Optional[str] = None, job: Optional[str] = None,
             who: Optional[str] = None, limit: int = 200) -> List[Dict[str, Any]]:
        where, args = [], []
        for column, value in (("dataset", dataset), ("status", status), ("job", job), ("who", who)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        sql = "SELECT * FROM runs" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*args, limit)).fetchall()
        return [_record(r) for r in rows]

    def last_runs(self) -> Dict[str, Dict[str, Any]]:
        """Each dataset's latest run."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM runs WHERE id IN (SELECT MAX(id) FROM runs GROUP BY dataset)")
            return {r["dataset"]: _record(r) for r in rows.fetchall()}


def _record(row: sqlite3.Row) -> Dict[str, Any]:
    record = dict(row)
    for key in _JSON:
        record[key] = json.loads(record[key])
    if record["ok"] is not None:
        record["ok"] = bool(record["ok"])
    end = record["finished"] or (time.time() if record["status"] == "running" else None)
    record["duration_s"] = round(end - record["started"], 3) if end and record["started"] else None
    return record


def to_csv(runs: Iterable[Dict[str, Any]]) -> str:
    """Runs as CSV, one row each (params and inputs as JSON)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in runs:
        row = {**r, "created": _iso(r["created"]), "started": _iso(r["started"]), "finished": _iso(r["finished"]),
               "params": json.dumps(r["params"], sort_keys=True), "inputs": json.dumps(r["inputs"])}
        writer.writerow(["" if row.get(c) is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()
