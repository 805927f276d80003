"""The batch grader's run, for Python: the run report and the graded table."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from . import _core
from ._types import _deprecated


class GradeRun:
    """What ``Contract.grade`` did.

    ``summary`` is the run report (the JSON ``dq grade --report`` writes):
    rows read / valid / invalid / malformed / coerced / filtered / graded,
    entities per tier, params used, input checksums and the validation report.
    ``to_pandas()`` is the graded export as a pandas DataFrame (``columns`` and
    ``rows`` hold it without pandas)."""

    def __init__(self, native: "_core.NativeGrade"):
        self._native = native
        self.summary: Dict[str, Any] = json.loads(native.json)

    @property
    def reconciled(self) -> bool:
        """rows read = valid + invalid + malformed, valid = filtered + graded,
        and the tiers' entities add up to the entities."""
        return self._native.reconciled

    @property
    def tiers(self) -> Dict[str, int]:
        return {t["name"]: t["entities"] for t in self.summary["tiers"]}

    @property
    def columns(self) -> List[str]:
        return list(self._native.columns)

    @property
    def rows(self) -> List[tuple]:
        return list(zip(*self._native.values)) if self._native.columns else []

    def to_json(self) -> str:
        """The run report as ``dq grade --report`` writes it."""
        return self._native.json + "\n"

    def to_pandas(self):
        """The graded export as a pandas DataFrame (``columns`` in order)."""
        import pandas as pd
        return pd.DataFrame({name: values for name, values in zip(self._native.columns, self._native.values)},
                            columns=self.columns)

    @property
    def table(self):
        """Deprecated: ``to_pandas()``."""
        _deprecated("GradeRun.table", "GradeRun.to_pandas()")
        return self.to_pandas()

    def __str__(self) -> str:
        return self._native.text

    def __repr__(self) -> str:
        s = self.summary
        return (f"<dq.GradeRun {s['contract']['dataset']} {s['contract']['version']}: {s['rows']['read']} rows, "
                f"{s['entities']['total']} entities {self.tiers}>")
