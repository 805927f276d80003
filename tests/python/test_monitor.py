"""dq.monitor, dq.History and the NAB scoring the benchmark uses."""
import math
import pathlib
import sys

import pandas as pd
import pytest

import dq

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import nab_score  # noqa: E402

NAB = ROOT / "tests" / "data" / "nab"


def test_nab_scores_match_hand_computed_values():
    standard = nab_score.PROFILES["standard"]
    # 20 points: probationary 3 (floor of 15%), one window [10, 13] (width 4).
    windows = [(10, 13)]
    detections = [i in (1, 5, 10, 16) for i in range(20)]
    s = nab_score.score_series(detections, windows, standard)
    # 1 is probationary; 10 is the window's first point: +1 (tp); 5 is before
    # any window: −0.11; 16 is 3 points after a window of 4: position 3/3 = 1,
    # 0.11 · (2/(1+e^5) − 1).
    after = 0.11 * (2 / (1 + math.exp(5)) - 1)
    assert s.raw == pytest.approx(1.0 - 0.11 + after)
    assert (s.windows, s.detected, s.false_positives, s.scored_points) == (1, 1, 2, 17)
    assert nab_score.normalised(s.raw, 1, 1, standard) == pytest.approx(100 * (s.raw + 1) / 2)
    # A detection at the window's last point: position −1/4.
    late = nab_score.score_series([i == 13 for i in range(20)], windows, standard)
    assert late.raw == pytest.approx((2 / (1 + math.exp(-1.25)) - 1) / (2 / (1 + math.exp(-5)) - 1))
    # Only the earliest detection in a window counts; a miss costs fn.
    both = nab_score.score_series([i in (10, 11) for i in range(20)], windows, standard)
    assert both.raw == pytest.approx(1.0)
    low_fn = nab_score.PROFILES["reward_low_FN_rate"]
    assert nab_score.score_series([False] * 20, windows, low_fn).raw == -2.0
    assert nab_score.normalised(-2.0, 1, 1, low_fn) == 0.0
    assert nab_score.probationary_length(10000) == 750


def speeds():
    frame = pd.read_csv(NAB / "speed_7578.csv", parse_dates=["timestamp"], index_col="timestamp")
    return frame["value"]


def test_monitor_on_a_real_series_alerts_once_per_incident_inside_the_labelled_windows():
    import json

    series = speeds()
    frame = dq.monitor(series)
    assert list(frame.columns) == ["value", "expected", "lower", "upper", "score", "anomaly", "alert", "detail"]
    assert frame.index.equals(series.index)
    assert frame["anomaly"].sum() > frame["alert"].sum() > 0  # incidents, not every point of them
    outside = frame[frame["anomaly"]]
    assert ((outside["value"] > outside["upper"]) | (outside["value"] < outside["lower"])).all()
    assert (outside["score"] > 1).all()
    assert math.isnan(frame["lower"].iloc[0])  # warming up
    windows = json.loads((NAB / "windows.json").read_text())["realTraffic/speed_7578.csv"]
    stamps = [t.strftime("%Y-%m-%d %H:%M:%S") for t in series.index]
    points = nab_score.window_indices(stamps, windows)
    score = nab_score.score_series(frame["alert"].tolist(), points, nab_score.PROFILES["standard"])
    assert score.detected >= 2  # of the 4 labelled incidents
    assert score.raw > -4  # better than never alerting

    robust = dq.monitor(series, "robust", window=60, sigma=5, direction="down")
    assert not (robust["anomaly"] & (robust["value"] > robust["upper"])).any()
    with pytest.raises(dq.DqError, match="online_normal does not take 'seasons'"):
        dq.monitor(series, "online_normal", seasons=[288])
    with pytest.raises(ValueError, match="1 missing or infinite values"):
        dq.monitor(pd.Series([1.0, float("nan"), 2.0]))
    assert dq.monitor([1, 2, 3], "threshold", max=2)["anomaly"].tolist() == [False, False, True]


def test_history_round_trip_across_restarts_and_plot(tmp_path):
    path = tmp_path / "history.sqlite"
    history = dq.History(path)
    for day, rows in enumerate([100, 104, 98, 101, 99, 103, 97, 100]):
        history.append("shop.orders", {"row_count": rows}, at=f"2026-11-{day + 1:02d}")
    history.append("shop.orders", {"row_count": 102}, at="2026-11-08T12:00:00Z")  # back-filled between two days
    reopened = dq.History(path)
    assert reopened.datasets() == ["shop.orders"]
    assert reopened.metrics("shop.orders") == ["row_count"]
    series = reopened.read("shop.orders", "row_count")
    assert series.tolist() == [100, 104, 98, 101, 99, 103, 97, 100, 102]
    assert str(series.index[-1]) == "2026-11-08 12:00:00+00:00"
    assert reopened.read("shop.orders", "row_count", limit=2).tolist() == [100, 102]
    reopened.append("shop.orders", {"row_count": 20}, at="2026-11-09")
    frame = reopened.monitor("shop.orders", "row_count", "robust", window=8)
    assert frame["alert"].tolist()[-1] and frame["alert"].sum() == 1

    import matplotlib

    matplotlib.use("Agg")
    ax = reopened.plot("shop.orders", "row_count", "robust", window=8)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["expected band", "value", "anomaly", "alert"]


def test_monitor_takes_calendar_seasons_for_daily_values():
    days = pd.date_range("2026-01-01", periods=243, freq="D")
    month_end = (days + pd.Timedelta(days=1)).day == 1
    values = [(300 if end and day.month != 7 else 100) + (i * 7 % 5 - 2)
              for i, (day, end) in enumerate(zip(days, month_end))]
    series = pd.Series(values, index=days, dtype="float64")
    frame = dq.monitor(series, "robust", seasons=["month_end"], window=60, min_spread=10)
    late_alerts = frame[frame.alert & (frame.index > "2026-05-01")]
    assert list(late_alerts.index.strftime("%Y-%m-%d")) == ["2026-07-31"]  # the July peak that did not come
    assert "season month_end" in late_alerts["detail"].iloc[0]
    with pytest.raises(dq.DqError, match="not 'fortnight'"):
        dq.monitor(series, "robust", seasons=["fortnight"])
