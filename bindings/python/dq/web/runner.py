"""The background worker: a queue of runs, a few executing at a time, each in
its own process (dq.web.job) so that it can be cancelled at any moment."""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Optional

from .store import RunStore

_PROGRESS_WRITES_PER_SECOND = 5


class Runner:
    def __init__(self, store: RunStore, runs_dir: Path, workers: int = 1):
        self._store = store
        self._runs_dir = runs_dir
        self._queue: "queue.Queue[Optional[int]]" = queue.Queue()
        self._processes: Dict[int, subprocess.Popen] = {}
        self._cancelled: set = set()
        self._stopping = False
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, name=f"dq-run-{i}", daemon=True) for i in range(workers)]
        for t in self._threads:
            t.start()

    def run_dir(self, run_id: int) -> Path:
        return self._runs_dir / str(run_id)

    def submit(self, run_id: int, job: Dict[str, Any]) -> None:
        """Queues a run whose record exists: `job` is what dq.web.job reads."""
        folder = self.run_dir(run_id)
        folder.mkdir(parents=True, exist_ok=False)
        (folder / "job.json").write_text(json.dumps(job, indent=2), encoding="utf-8")
        self._queue.put(run_id)

    def cancel(self, run_id: int) -> bool:
        """Cancels a queued or running run; False when it had already ended."""
        with self._lock:
            self._cancelled.add(run_id)
            process = self._processes.get(run_id)
        ended = self._store.finish(run_id, "cancelled", error="cancelled")
        if process is not None:
            process.terminate()
        return ended

    def stop(self, timeout: float = 10) -> None:
        """Stops taking runs and terminates those executing (they stay
        `running` in the store, so the next start marks them interrupted)."""
        self._stopping = True
        for _ in self._threads:
            self._queue.put(None)
        with self._lock:
            running = list(self._processes.values())
        for process in running:
            process.terminate()
        for t in self._threads:
            t.join(timeout)

    def _work(self) -> None:
        while True:
            run_id = self._queue.get()
            if run_id is None:
                return
            record = self._store.get(run_id)
            if record is None or record["status"] != "queued":
                continue  # cancelled while it waited
            try:
                self._execute(run_id)
            except Exception as e:  # the run fails, the worker lives on
                self._store.finish(run_id, "failed", error=f"{type(e).__name__}: {e}")

    def _execute(self, run_id: int) -> None:
        folder = self.run_dir(run_id)
        with self._lock:
            if run_id in self._cancelled or self._stopping:
                return
            # No shell: the interpreter, the module and the run's folder.
            process = subprocess.Popen([sys.executable, "-m", "dq.web.job", str(folder)], stdout=subprocess.PIPE,
                                       stderr=open(folder / "stderr.txt", "wb"), stdin=subprocess.DEVNULL,
                                       cwd=str(folder))
            self._processes[run_id] = process
        self._store.update(run_id, status="running", started=time.time())
        last_write, final = 0.0, None
        assert process.stdout is not None
        for line in process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "records" in message:
                now = time.time()
                if now - last_write >= 1 / _PROGRESS_WRITES_PER_SECOND:
                    self._store.update(run_id, records=message["records"], bytes_read=message["bytes"])
                    last_write = now
            else:
                final = message
        code = process.wait()
        with self._lock:
            self._processes.pop(run_id, None)
            cancelled = run_id in self._cancelled
        if cancelled:
            return  # cancel() recorded it
        if self._stopping and not (final and final.get("done")):
            self._store.finish(run_id, "interrupted", error="the server stopped during this run")
            return
        if final and final.get("done"):
            counts = final.get("counts", {})
            read_all = (self._store.get(run_id) or {}).get("total_bytes", 0)
            self._store.finish(run_id, "succeeded", ok=final.get("ok"), counts=counts, bytes_read=read_all,
                               artifacts=final.get("artifacts", []),
                               records=counts.get("total", counts.get("profiled", 0)))
        else:
            error = (final or {}).get("error") or f"the run's process ended with code {code}"
            self._store.finish(run_id, "failed", error=error)
