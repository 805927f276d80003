"""Monitors over a series: tune one on the history before a contract uses it.

    frame = dq.monitor(series, method="auto")        # pandas Series in
    frame[frame.alert]                                # one row per incident
    history = dq.History()                            # .dq/history.sqlite
    history.read("shop.orders", "row_count")          # a pandas Series
    history.plot("shop.orders", "row_count", method="robust", window=30)
"""
from __future__ import annotations

import math
import os
from typing import Any, Mapping, Optional, Sequence, Union

from . import _core
from ._types import PathLike

_COLUMNS = ("value", "expected", "lower", "upper", "score", "anomaly", "alert", "detail")


def _times_of(index) -> list:
    """µs since the epoch of a DatetimeIndex (naive times are UTC), else []."""
    import pandas as pd

    if not isinstance(index, pd.DatetimeIndex):
        return []
    utc = index.tz_convert("UTC") if index.tz is not None else index
    return [int(t) // 1000 for t in utc.as_unit("ns").asi8]


def monitor(series, method: str = "auto", *, seasons: Optional[Sequence[Union[int, str]]] = None,
            direction: str = "both",
            **settings: float):
    """Runs a monitor over ``series`` as if each value were a run of
    ``dq validate``: each value judged against the values before it, with the
    contract's method and settings (docs/statistics.md). ``seasons`` are
    lengths in points, or ``"month_day"`` / ``"month_end"`` for daily values
    with times.

    ``series``: a pandas Series (a DatetimeIndex lets ``auto`` try a day and a
    week as seasons) or a sequence of numbers. Missing values are refused (a
    run without a value has no verdict; drop or fill them first).

    Returns a pandas DataFrame on the series' index: ``value``, ``expected``,
    ``lower``, ``upper`` (the band; NaN while the method warms up),
    ``score`` (distance from ``expected`` in half-widths of the band: above 1
    is outside), ``anomaly``, ``alert`` (the first point of an incident) and
    ``detail``."""
    import pandas as pd

    if not isinstance(series, pd.Series):
        series = pd.Series(list(series), dtype="float64")
    values = series.to_numpy(dtype="float64", na_value=math.nan)
    missing = [i for i, v in enumerate(values) if not math.isfinite(v)]
    if missing:
        raise ValueError(f"dq.monitor: {len(missing)} missing or infinite values (first at position {missing[0]}): "
                         "drop or fill them first")
    numbers = {key: float(value) for key, value in settings.items()}
    seasons = list(seasons or [])
    calendar = [s for s in seasons if isinstance(s, str)]
    points = [float(s) for s in seasons if not isinstance(s, str)]
    out = _core.backtest_monitor(method, numbers, points, calendar, direction, values.tolist(),
                                 _times_of(series.index))
    frame = pd.DataFrame({"value": values, **out}, index=series.index)
    return frame[list(_COLUMNS)]


def plot_monitor(frame, *, ax=None, title: Optional[str] = None):
    """The series, its expected band and its anomalies (alerts larger).
    ``frame`` is what dq.monitor returns. Returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    x = frame.index
    ax.fill_between(x, frame["lower"], frame["upper"], color="#4c72b0", alpha=0.2, label="expected band")
    ax.plot(x, frame["value"], color="#333333", linewidth=0.8, label="value")
    anomalies = frame[frame["anomaly"]]
    ax.scatter(anomalies.index, anomalies["value"], color="#dd8452", s=10, label="anomaly", zorder=3)
    alerts = frame[frame["alert"]]
    ax.scatter(alerts.index, alerts["value"], color="#c0392b", s=40, marker="v", label="alert", zorder=4)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


class History:
    """The metric history monitors read and ``dq validate`` appends to: a
    SQLite file (default ``$DQ_HISTORY``, else ``.dq/history.sqlite``)."""

    def __init__(self, path: Optional[PathLike] = None):
        self.path = os.fspath(path) if path is not None else _core.MetricHistory.default_path()
        self._native = _core.MetricHistory(self.path)

    def datasets(self) -> list[str]:
        return self._native.names("")

    def metrics(self, dataset: str) -> list[str]:
        return self._native.names(dataset)

    def read(self, dataset: str, metric: str, *, limit: Optional[int] = None):
        """The metric's values by run time (UTC), oldest first: the latest
        ``limit`` of them, or all."""
        import pandas as pd

        values, at = self._native.series(dataset, metric, limit or 0)
        index = pd.to_datetime(pd.Series(at, dtype="int64"), unit="us", utc=True)
        return pd.Series(values, index=pd.DatetimeIndex(index, name="at"), name=metric, dtype="float64")

    def append(self, dataset: str, metrics: Mapping[str, float], *, at: Any = None, version: str = "") -> None:
        """Records one run of ``dataset``: its metrics at ``at`` (a datetime
        or anything pandas.Timestamp takes; default now), so a back-filled run
        takes its place in time."""
        import pandas as pd

        stamp = pd.Timestamp.now(tz="UTC") if at is None else pd.Timestamp(at)
        if stamp.tzinfo is None:
            stamp = stamp.tz_localize("UTC")
        micros = int(stamp.as_unit("ns").value) // 1000  # Timestamp.value is in ns
        self._native.append(dataset, version, micros, {k: float(v) for k, v in metrics.items()})

    def monitor(self, dataset: str, metric: str, method: str = "auto", **settings):
        """dq.monitor over the metric's whole history."""
        return monitor(self.read(dataset, metric), method, **settings)

    def plot(self, dataset: str, metric: str, method: str = "auto", *, ax=None, **settings):
        """The metric's history with a monitor's band and anomalies."""
        return plot_monitor(self.monitor(dataset, metric, method, **settings), ax=ax,
                            title=f"{dataset} {metric} ({method})")

    def __repr__(self) -> str:
        return f"dq.History({self.path!r})"
