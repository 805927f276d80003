"""The stream gate: a decision per message, a circuit breaker, window reports.

    gate = contract.gate(window_messages=10_000, max_consecutive_failures=100)
    j = gate.judge(message_bytes)          # Judgement: .decision, .reasons, .probe
    if j.decision == "accept": ...         # hand on, then ack
    elif j.decision == "dead_letter": ...  # publish the bytes with j.reasons as attributes, then ack
    else: ...                              # "pause": the breaker is open; nack

The gate is thread-safe: share one across a consumer's callback threads.
See docs/streaming.md.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Dict, NamedTuple, Optional, Union

from . import _core
from ._report import Report

ACCEPT, DEAD_LETTER, PAUSE = "accept", "dead_letter", "pause"


class Judgement(NamedTuple):
    decision: str              # "accept", "dead_letter" or "pause"
    reasons: Dict[str, str]    # for dead letters: dq.error, dq.rules, dq.paths, dq.violations, dq.reason, dq.contract
    probe: bool                # the half-open breaker's probe


def _micros(when: Union[None, int, float, _dt.datetime]) -> int:
    """µs since the epoch for a datetime (naive means UTC) or seconds."""
    if when is None:
        return 0
    if isinstance(when, _dt.datetime):
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        return int(when.timestamp() * 1_000_000)
    return int(float(when) * 1_000_000)


def _datetime(micros: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(micros / 1_000_000, tz=_dt.timezone.utc)


class Window:
    """A closed window: its report and the gate's decisions in it."""

    def __init__(self, native: Any):
        self.index: int = native.index
        self.opened_at: _dt.datetime = _datetime(native.opened_at)
        self.closed_at: _dt.datetime = _datetime(native.closed_at)
        c = native.counts
        self.counts: Dict[str, int] = {"received": c.received, "accepted": c.accepted,
                                       "dead_lettered": c.dead_lettered, "paused": c.paused}
        self.breaker_opened: int = native.breaker_opened
        # Seconds from publish to decision, the largest in the window (None: unknown).
        self.max_lag: Optional[float] = native.max_lag / 1e6 if native.max_lag >= 0 else None
        self.report: Report = Report(native.report)

    def to_dict(self) -> Dict[str, Any]:
        return {"window": self.index, "opened_at": self.opened_at.isoformat(),
                "closed_at": self.closed_at.isoformat(), "counts": self.counts,
                "breaker_opened": self.breaker_opened, "max_lag_seconds": self.max_lag,
                "report": self.report.to_dict()}

    def __repr__(self) -> str:
        return f"<dq.Window {self.index}: {self.counts}>"


class Gate:
    """A StreamGate over a contract (see Contract.gate)."""

    def __init__(self, contract: Any, *, window_messages: int = 0, window_seconds: float = 0,
                 max_consecutive_failures: int = 100, rate_window: int = 1000,
                 max_failure_rate: float = 0.5, open_seconds: float = 10.0,
                 baseline: Any = None, history: Optional[str] = None,
                 on_window: Optional[Callable[[Window], None]] = None,
                 max_samples: int = 5, max_reason_bytes: int = 1024):
        options = _core.RunOptions()
        options.max_samples = max_samples
        options.baseline = baseline._native if baseline is not None else None
        self._native = _core.StreamGate(
            contract._native, options, window_messages, float(window_seconds),
            max_consecutive_failures, rate_window, float(max_failure_rate), float(open_seconds),
            history or "", max_reason_bytes)
        self._on_window = on_window

    def judge(self, data: Union[bytes, bytearray, memoryview, str],
              publish_time: Union[None, int, float, _dt.datetime] = None) -> Judgement:
        """Decides one message. ``publish_time`` (a datetime, or seconds
        since the epoch) measures the window's lag."""
        if isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, bytes):
            data = bytes(data)
        decision, reasons, probe = self._native.judge(data, _micros(publish_time))
        self._deliver_windows()
        return Judgement(decision, dict(reasons), probe)

    def close_window(self) -> None:
        """Closes the current window now (when it holds any message)."""
        self._native.close_window()
        self._deliver_windows()

    def tick(self) -> None:
        """Closes a time window whose time is up, even if no message came."""
        self._native.tick()
        self._deliver_windows()

    def windows(self) -> list:
        """Closed windows not yet handed to ``on_window`` (without one, call
        this to collect them)."""
        return [Window(w) for w in self._native.take_windows()]

    def _deliver_windows(self) -> None:
        if self._on_window is None:
            return
        for window in self._native.take_windows():
            self._on_window(Window(window))

    @property
    def counts(self) -> Dict[str, int]:
        c = self._native.counts
        return {"received": c.received, "accepted": c.accepted, "dead_lettered": c.dead_lettered,
                "paused": c.paused}

    @property
    def breaker(self) -> str:
        """"closed", "open" or "half_open"."""
        return self._native.breaker

    @property
    def breaker_opened(self) -> int:
        return self._native.breaker_opened

    @property
    def windows_dropped(self) -> int:
        """Closed windows dropped because nobody took them (the queue keeps 256)."""
        return self._native.windows_dropped

    def metrics(self) -> str:
        """The Prometheus text exposition of the gate and its last window."""
        return self._native.metrics()
