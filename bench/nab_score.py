"""The Numenta Anomaly Benchmark's scoring, written from its documentation.

NAB (github.com/numenta/NAB, MIT; Lavin & Ahmad, "Evaluating Real-time
Anomaly Detection Algorithms", 2015) scores a detector on labelled series:

- each labelled anomaly has a *window* around it (in combined_windows.json);
- the first 15% of a series (at most 750 points) is *probationary*: a
  detector learns there and nothing it says counts;
- inside a window, only the best (the earliest) detection counts, rewarded
  by a scaled sigmoid of its position: A·tp at the window's left edge,
  falling to 0 at its right edge; a window without a detection costs fn;
- every detection outside a window costs fp·σ(position): -fp far from any
  window, less just after a window ends (a late detection of it);
- a corpus's raw score is the sum over its series; the reported score is
  normalised, 100·(raw − null) / (perfect − null), where the null detector
  never alerts (−fn per window) and the perfect one hits every window's
  first point (+tp per window).

Three application profiles weigh the outcomes (NAB's config/profiles.json).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

PROFILES = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
PROBATIONARY_PERCENT = 0.15


def scaled_sigmoid(position: float) -> float:
    """NAB's reward by relative position: −1 at a window's left edge, 0 at
    its right edge, > 0 after it (3 and beyond: a plain false positive)."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def probationary_length(points: int) -> float:
    return min(math.floor(PROBATIONARY_PERCENT * points), PROBATIONARY_PERCENT * 5000)


@dataclass
class SeriesScore:
    raw: float = 0.0                 # the series' contribution to the corpus's raw score
    windows: int = 0                 # windows outside the probationary period
    detected: int = 0                # windows with at least one detection
    false_positives: int = 0         # detections outside every window (after probation)
    scored_points: int = 0           # points after the probationary period
    delays: dict = field(default_factory=dict)  # detected window's index -> points from its first point


def point_weights(points: int, windows: list[tuple[int, int]], profile: dict) -> list[tuple[float, int | None]]:
    """Each point's sweep score (what a detection there would add) and its
    window (an index into `windows`), or None outside every window, or -1 in
    the probationary period. `windows` are inclusive [first, last] point
    indices, in order."""
    max_tp = scaled_sigmoid(-1.0)
    probation = probationary_length(points)
    out = []
    upcoming = list(enumerate(windows))
    current = None  # (index, first, last)
    previous_last = previous_width = None
    for i in range(points):
        if upcoming and i == upcoming[0][1][0]:
            w, (first, last) = upcoming.pop(0)
            current = (w, first, last)
        if current is not None:
            w, first, last = current
            width = last - first + 1
            weight = scaled_sigmoid(-(last - i + 1) / width) * profile["tp"] / max_tp
            name = w
        else:
            if previous_last is None:
                position = 3.0
            else:
                position = abs(previous_last - i) / (previous_width - 1)
            weight = scaled_sigmoid(position) * profile["fp"]
            name = None
        out.append((weight, name if i >= probation else -1))
        if current is not None and i == current[2]:
            previous_last, previous_width = i, current[2] - current[1] + 1
            current = None
    return out


def score_series(detections: list[bool], windows: list[tuple[int, int]], profile: dict) -> SeriesScore:
    """The raw NAB score of a series' binary detections (a detector's
    anomaly scores after its threshold)."""
    weights = point_weights(len(detections), windows, profile)
    result = SeriesScore()
    window_scores = {}
    detected = set()
    for i, (weight, name) in enumerate(weights):
        if name == -1:
            continue
        result.scored_points += 1
        if name is not None and name not in window_scores:
            window_scores[name] = -profile["fn"]
        if not detections[i]:
            continue
        if name is None:
            result.raw += weight
            result.false_positives += 1
        else:
            if name not in detected:  # the earliest detection: the best reward
                detected.add(name)
                result.delays[name] = i - windows[name][0]
            window_scores[name] = max(window_scores[name], weight)
    result.windows = len(window_scores)
    result.detected = len(detected)
    result.raw += sum(window_scores.values())
    return result


def normalised(raw: float, scored_windows: int, labelled_windows: int, profile: dict) -> float:
    """100·(raw − null) / (perfect − null) over a set of series. As in NAB,
    the null detector's score is what scoring gives it (−fn for each window
    after the probationary period) and the perfect score counts every
    labelled window."""
    null = -profile["fn"] * scored_windows
    perfect = profile["tp"] * labelled_windows
    return 100.0 * (raw - null) / (perfect - null) if perfect != null else float("nan")


def window_indices(timestamps: list[str], windows: list[list[str]]) -> list[tuple[int, int]]:
    """NAB's windows (timestamps 'YYYY-mm-dd HH:MM:SS.ffffff') as point
    indices into a series whose timestamps are 'YYYY-mm-dd HH:MM:SS'."""
    position = {t: i for i, t in enumerate(timestamps)}
    return [(position[first[:19]], position[last[:19]]) for first, last in windows]
