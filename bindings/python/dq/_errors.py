"""dq's exceptions: a contract that does not load, data that cannot be read."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a contract, at ``file:line:column`` (1-based)."""

    file: str
    line: int
    column: int
    severity: str  # "error" or "warn"
    message: str
    rule: str = ""  # a policy finding's rule id (dq.lint), which a comment can silence

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{text} [{self.rule}]" if self.rule else text


class DqError(Exception):
    """The base of dq's exceptions."""


class ContractError(DqError):
    """A contract with errors. ``diagnostics`` lists every finding; ``file``,
    ``line`` and ``column`` locate the first error."""

    def __init__(self, message: str, diagnostics: Optional[List[Diagnostic]] = None):
        super().__init__(message)
        self.diagnostics: List[Diagnostic] = list(diagnostics or [])
        first = next((d for d in self.diagnostics if d.severity == "error"), None)
        self.file: Optional[str] = first.file if first else None
        self.line: Optional[int] = first.line if first else None
        self.column: Optional[int] = first.column if first else None


class DataError(DqError, ValueError):
    """Data that cannot be validated at all: an Arrow batch whose layout is
    inconsistent, a column whose type cannot hold the contract's type, a CSV
    header that does not parse. Bad *records* are never errors: they are
    counted in the report."""
