"""The contracts folder as a catalog: each contract's entry (dq.describe), its
lint findings (dq.lint) and, when the folder is in a git repository, its
versions from history."""
from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import dq

# Files a contracts folder holds contracts in; profiles (*.profile.json) are baselines, not contracts.
CONTRACT_SUFFIXES = (".yaml", ".yml", ".json", ".avsc", ".proto")
_REVISION = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass
class Entry:
    file: Path
    name: str  # the path under the contracts folder
    card: Optional[Dict[str, Any]]  # dq.describe, or None when the contract does not load
    error: str = ""
    findings: List[dq.Diagnostic] = field(default_factory=list)
    sha256: str = ""

    @property
    def dataset(self) -> str:
        return self.card["dataset"] if self.card else ""

    @property
    def errors(self) -> int:
        return sum(1 for d in self.findings if d.severity == "error") + (1 if self.error else 0)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.findings if d.severity != "error")

    @property
    def jobs(self) -> List[str]:
        """The jobs this contract can run."""
        if not self.card:
            return []
        jobs = ["validate", "profile"]
        if self.card["grading"]:
            jobs.insert(1, "grade")
        if self.card["drift"] and self.card["drift_baseline"]:
            jobs.append("drift")
        return jobs

    def baseline(self) -> Optional[Path]:
        """The declared drift baseline, relative to the contract file."""
        if not self.card or not self.card["drift_baseline"]:
            return None
        return (self.file.parent / self.card["drift_baseline"]).resolve()


class Catalog:
    """Rescanned on each call; an unchanged file is not read again."""

    def __init__(self, folder: Path):
        self.folder = folder.resolve()
        self._cache: Dict[Path, Tuple[float, int, Entry]] = {}
        self._lock = threading.Lock()

    def entries(self) -> List[Entry]:
        out = []
        for path in sorted(self.folder.rglob("*")):
            if (not path.is_file() or path.suffix.lower() not in CONTRACT_SUFFIXES
                    or path.name.endswith(".profile.json") or any(p.startswith(".") for p in path.parts)):
                continue
            out.append(self._entry(path))
        return out

    def find(self, dataset: str) -> Optional[Entry]:
        """The first file (by path) that declares `dataset`."""
        return next((e for e in self.entries() if e.dataset == dataset), None)

    def _entry(self, path: Path) -> Entry:
        stat = path.stat()
        with self._lock:
            cached = self._cache.get(path)
        if cached and cached[0] == stat.st_mtime and cached[1] == stat.st_size:
            return cached[2]
        name = str(path.relative_to(self.folder))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            entry = Entry(path, name, dq.describe(path), sha256=digest)
        except dq.DqError as e:
            entry = Entry(path, name, None, error=str(e), sha256=digest)
        try:
            entry.findings = dq.lint(path)
        except dq.DqError as e:
            entry.error = entry.error or str(e)
        with self._lock:
            self._cache[path] = (stat.st_mtime, stat.st_size, entry)
        return entry


def _git(folder: Path, *args: str) -> Optional[bytes]:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def versions(entry: Entry) -> List[Dict[str, str]]:
    """The commits that changed the contract file, newest first ([] outside git)."""
    out = _git(entry.file.parent, "log", "--follow", "--format=%H%x1f%an%x1f%aI%x1f%s", "--", entry.file.name)
    if not out:
        return []
    rows = []
    for line in out.decode("utf-8", "replace").splitlines():
        commit, author, when, subject = (line.split("\x1f") + ["", "", ""])[:4]
        rows.append({"commit": commit, "author": author, "date": when, "subject": subject})
    return rows


def file_at(entry: Entry, revision: str, into: Path) -> Path:
    """The contract as it was at `revision`, written under `into` with its name
    (so its format is read as the file's own). ValueError for an unknown
    revision."""
    if not _REVISION.match(revision):
        raise ValueError(f"not a commit id: {revision!r}")
    prefix = _git(entry.file.parent, "rev-parse", "--show-prefix")
    if prefix is None:
        raise ValueError("the contracts folder is not in a git repository")
    relative = prefix.decode().strip() + entry.file.name
    text = _git(entry.file.parent, "show", f"{revision}:{relative}")
    if text is None:
        raise ValueError(f"{entry.name} does not exist at {revision}")
    target = into / revision / entry.file.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text)
    return target
