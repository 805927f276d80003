"""Profiles (per-field statistics) and drift results, for notebooks."""
from __future__ import annotations

import html
import json
import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._types import PathLike, _deprecated



class Profile:
    """Per-field statistics of a dataset: counts, nulls, min/max/mean/variance,
    a value sketch (quantiles, histograms), top values, a distinct estimate.

    Profiles of parts (files, threads, Beam workers, windows) merge into the
    profile of the whole with ``merge``; ``save``/``load`` use the JSON form of
    ``schemas/profile.schema.json`` that ``dq profile`` writes.
    """

    def __init__(self, native: "_core.Profile"):
        self._native = native
        self._dict: Optional[Dict[str, Any]] = None

    @classmethod
    def load(cls, path: PathLike) -> "Profile":
        with open(os.fspath(path), encoding="utf-8") as f:
            return cls.from_json(f.read())

    @classmethod
    def from_json(cls, text: str) -> "Profile":
        """Raises dq.DataError when the text is not a dq profile."""
        return cls(_core.Profile.from_json(text))

    def save(self, path: PathLike) -> None:
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self._native.to_json(1) + "\n")

    def to_json(self, indent: int = -1) -> str:
        return self._native.to_json(indent)

    def to_dict(self) -> Dict[str, Any]:
        if self._dict is None:
            self._dict = json.loads(self._native.to_json(-1))
        return json.loads(json.dumps(self._dict))

    rows = property(lambda self: self._native.rows, doc="Records profiled (well-formed objects).")
    dataset = property(lambda self: self._native.dataset)
    version = property(lambda self: self._native.version)

    @property
    def fields(self) -> List[str]:
        return [f["path"] for f in self.to_dict()["fields"]]

    def field(self, path: str) -> Dict[str, Any]:
        """One field's statistics as a dict (see the profile schema)."""
        for f in self.to_dict()["fields"]:
            if f["path"] == path:
                return f
        raise KeyError(f"no field '{path}' in the profile (fields: {', '.join(self.fields)})")

    def merge(self, *others: "Profile") -> "Profile":
        """A new profile of this one and ``others`` together (same contract).
        Counts, sketches and value tables merge exactly, in any order."""
        return Profile(self._native.merge([o._native for o in others]))

    def summary(self):
        """One row per field: count, nulls, values, min, max, mean, stddev,
        distinct estimate, top value (a pandas DataFrame)."""
        import pandas as pd

        rows = []
        for f in self.to_dict()["fields"]:
            n = f["values"]
            top = sorted(f.get("value_counts", {}).items(), key=lambda kv: -kv[1])[:1]
            rows.append({
                "field": f["path"], "type": f["type"], "count": f["count"], "nulls": f["nulls"],
                "invalid": f["invalid"], "values": n, "min": f.get("min"), "max": f.get("max"),
                "mean": f.get("mean"),
                "stddev": (f["m2"] / (n - 1)) ** 0.5 if n > 1 and "m2" in f else None,
                "distinct": f.get("distinct", {}).get("estimate"),
                "top": top[0][0] if top else None,
            })
        return pd.DataFrame(rows)

    def plot(self, field: str, current: Optional["Profile"] = None, *, bins: int = 10, ax=None):
        """A bar chart of the field's distribution: the baseline (this
        profile) beside ``current`` when given, over the bins drift uses.
        Returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        other = current if current is not None else self
        labels, base, now = self._native.bins(other._native, field, bins)
        if ax is None:
            _, ax = plt.subplots(figsize=(max(6, 0.5 * len(labels)), 3.5))
        x = range(len(labels))
        if current is None:
            ax.bar(list(x), base, color="#4c72b0", label="profile")
        else:
            width = 0.4
            ax.bar([i - width / 2 for i in x], base, width, color="#4c72b0", label="baseline")
            ax.bar([i + width / 2 for i in x], now, width, color="#dd8452", label="current")
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center")
        ax.set_ylabel("share of values")
        ax.set_title(field)
        ax.legend()
        return ax

    def __reduce__(self):  # pickled as its JSON form (Beam accumulators cross workers)
        return (Profile.from_json, (self.to_json(),))

    def __repr__(self) -> str:
        return f"<dq.Profile {self.dataset} {self.version}: {self.rows} rows, {len(self.fields)} fields>"


def _figure(value: Optional[float]) -> str:
    return "" if value is None else format(value, ".4g")


class Drift:
    """Drift of data against a baseline profile: one result per drift check
    of the contract ({field, method, value, status, movers, ...}); ``ok`` is
    false when any check reached its fail level."""

    def __init__(self, results: List[Dict[str, Any]], baseline: Profile, current: Profile):
        self.results = results
        self.baseline = baseline
        self.current = current

    @property
    def ok(self) -> bool:
        return not any(r["status"] == "fail" for r in self.results)

    def __getitem__(self, field: str) -> Dict[str, Any]:
        for r in self.results:
            if r["field"] == field:
                return r
        raise KeyError(field)

    def to_frame(self):
        """Deprecated: ``to_pandas()``."""
        _deprecated("Drift.to_frame()", "Drift.to_pandas()")
        return self.to_pandas()

    def to_pandas(self):
        """The drift checks as a pandas DataFrame: field, method, value,
        status, warn, fail, detail."""
        import pandas as pd

        return pd.DataFrame([{k: r[k] for k in ("field", "method", "value", "status", "warn", "fail", "detail")}
                             for r in self.results])

    def plot(self, field: str, *, bins: int = 10, ax=None):
        """The field's baseline and current distributions side by side."""
        return self.baseline.plot(field, self.current, bins=bins, ax=ax)

    def _repr_html_(self) -> str:
        colour = {"fail": "#c0392b", "warn": "#d68910", "ok": "#1e8449", "skipped": "#7f8c8d"}
        rows = "".join(
            f"<tr><td>{html.escape(r['field'])}</td><td>{r['method']}</td><td>{_figure(r['value'])}</td>"
            f"<td style='color:{colour[r['status']]}'><b>{r['status']}</b></td>"
            f"<td>{html.escape(r['detail'])}</td></tr>"
            for r in self.results
        )
        head = "DRIFT" if not self.ok else "stable"
        return (f"<p><b>{head}</b>: {self.current.rows} rows against a baseline of {self.baseline.rows}</p>"
                f"<table><tr><th>field</th><th>method</th><th>value</th><th>status</th><th>detail</th></tr>{rows}</table>")

    def __repr__(self) -> str:
        lines = [f"{r['status']:8} {r['field']} {r['method']} {_figure(r['value'])}" for r in self.results]
        return "<dq.Drift " + ("ok" if self.ok else "FAIL") + ">\n" + "\n".join(lines)
