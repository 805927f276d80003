"""Governance from Python: the checks, diffs and pages of `dq lint`, `dq diff`
and `dq docs`, through the same C++ library.

    dq.lint("contracts/orders.yaml")             # [dq.Diagnostic, ...]
    change = dq.diff("old/orders.yaml", "contracts/orders.yaml")
    change.blocks; change.changes; change.to_markdown()
    html = dq.docs("contracts/orders.yaml")      # one self-contained page
    dq.describe("contracts/orders.yaml")         # owner, params, ... as a dict
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from . import _core
from ._errors import Diagnostic
from ._types import PathLike


def lint(path: PathLike, *, params: Optional[Mapping[str, Any]] = None,
         policy: Optional[PathLike] = None) -> List[Diagnostic]:
    """Every finding about a contract: its errors and warnings, then the
    house policy's (the defaults, or a policy file), as `dq lint` reports
    them. A contract with errors is returned as findings, not raised."""
    found = _core.lint(os.fspath(path), {k: str(v) for k, v in (params or {}).items()},
                       os.fspath(policy) if policy is not None else "")
    return [Diagnostic(*finding) for finding in found]


@dataclass(frozen=True)
class ContractDiff:
    """Every change between two versions of a contract, classified under the
    new one's compatibility mode (what `dq diff` prints)."""

    old_file: str
    new_file: str
    dataset: str
    old_version: str
    new_version: str
    compatibility: str
    major_bumped: bool
    blocks: bool  # breaking changes without a major version bump
    changes: List[Dict[str, Any]] = field(default_factory=list)
    _text: str = field(default="", repr=False)
    _markdown: str = field(default="", repr=False)

    def to_text(self) -> str:
        return self._text

    def to_markdown(self) -> str:
        """The pull-request comment."""
        return self._markdown

    def _repr_markdown_(self) -> str:
        return self._markdown


def diff(old: PathLike, new: PathLike) -> ContractDiff:
    """Classifies every change from ``old`` to ``new`` (either may be ODCS)."""
    as_json, text, markdown, blocks = _core.diff(os.fspath(old), os.fspath(new))
    d = json.loads(as_json)
    return ContractDiff(old_file=d["old"]["file"], new_file=d["new"]["file"], dataset=d["dataset"],
                        old_version=d["old"]["version"], new_version=d["new"]["version"],
                        compatibility=d["compatibility"], major_bumped=d["major_bumped"], blocks=blocks,
                        changes=d["changes"], _text=text, _markdown=markdown)


def docs(path: PathLike, format: str = "html", *, previous: Optional[PathLike] = None) -> str:
    """The contract's page for reviewers (`dq docs`): self-contained HTML or
    Markdown; with ``previous``, the changes since that version."""
    return _core.docs(os.fspath(path), format, os.fspath(previous) if previous is not None else "")


def describe(path: PathLike) -> Dict[str, Any]:
    """A contract's catalog entry, read as written (any format dq reads): file,
    dataset, version, title, description, status, owner {team, contact},
    stewards, consumers, tags, classification, compatibility, params [{name,
    type, default, description, min, max, enum}] (values as the text written;
    ``default``, ``min`` and ``max`` None when absent),
    fields (how many at the top level), grading and drift (whether declared),
    drift_baseline and monitors [{metric, method, direction, settings,
    seasons}] (settings and seasons as written). Raises
    dq.ContractError when the contract does not load."""
    return json.loads(_core.describe(os.fspath(path)))
