"""dq.Gate from Python: decisions, reasons, windows, breaker and metrics."""
import datetime as dt
import json
from pathlib import Path

import dq

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "github_events.yaml"
EVENTS = json.loads((ROOT / "examples" / "data" / "github_events.json").read_text())


def test_judge_gives_a_decision_and_reasons_for_dead_letters():
    gate = dq.load(CONTRACT).gate()
    assert gate.judge(json.dumps(EVENTS[0])) == dq.Judgement("accept", {}, False)
    bad = dict(EVENTS[0], id="evt-1")
    j = gate.judge(json.dumps(bad).encode())
    assert j.decision == "dead_letter"
    assert j.reasons["dq.rules"] == "id.pattern"
    assert j.reasons["dq.reason"] == 'id: must match /^[0-9]+$/ ("evt-1")'
    assert gate.judge(memoryview(b"{not json")).reasons["dq.error"] == "malformed"
    assert gate.counts == {"received": 3, "accepted": 1, "dead_lettered": 2, "paused": 0}


def test_windows_reach_on_window_with_their_report_and_lag():
    windows = []
    gate = dq.load(CONTRACT).gate(window_messages=10, on_window=windows.append)
    published = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    for i in range(25):
        gate.judge(json.dumps(EVENTS[i % len(EVENTS)]), publish_time=published)
    gate.close_window()
    assert [w.counts["received"] for w in windows] == [10, 10, 5]
    assert [w.report.records["total"] for w in windows] == [10, 10, 5]
    # EVENTS[5] breaks a record rule: it is in the first window.
    assert windows[0].counts["dead_lettered"] == 1 and not windows[0].report.ok
    assert all(4.5 < w.max_lag < 60 for w in windows)
    assert windows[0].to_dict()["report"]["records"]["invalid"] == 1


def test_the_breaker_pauses_after_a_run_of_failures():
    gate = dq.load(CONTRACT).gate(max_consecutive_failures=3, rate_window=0, open_seconds=60)
    decisions = [gate.judge(b'{"id": 1}').decision for _ in range(5)]
    assert decisions == ["dead_letter"] * 3 + ["pause"] * 2
    assert gate.breaker == "open" and gate.breaker_opened == 1
    assert gate.judge(json.dumps(EVENTS[0])).decision == "pause"
    assert 'dq_gate_breaker_state{dataset="github.public_events",state="open"} 1' in gate.metrics()
