"""dq's monitors on the Numenta Anomaly Benchmark (NAB).

    python bench/nab_eval.py [NAB dir] [method] [setting=value ...]

Runs one monitor configuration (default: `auto` with its defaults, tuned on
nothing per series) over every series of the NAB corpus in the NAB dir
(default ../shared/data/anomaly/nab: data/<category>/*.csv and
combined_windows.json), each series from its first point as a stream, and
scores its alerts (the first point of each incident) with NAB's scoring
(bench/nab_score.py). Prints one row per category and the total for NAB's
three profiles, with detection delay, false positives per 1,000 points and
the time per point, next to the scores NAB publishes for its detectors on
its full corpus (58 series; the shared corpus has 41 of them).
"""
from __future__ import annotations

import collections
import csv
import json
import pathlib
import statistics
import sys
import time

import pandas as pd

import dq

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import nab_score  # noqa: E402

# NAB's scoreboard (README of numenta/NAB, v1.1, standard / low FP / low FN),
# full corpus, each detector at the threshold NAB optimised for it.
PUBLISHED = [
    ("Perfect", 100.0, 100.0, 100.0),
    ("ARTime", 74.9, 65.1, 80.4),
    ("Numenta HTM", 70.5, 62.6, 75.2),
    ("CAD OSE", 69.9, 67.0, 73.2),
    ("earthgecko Skyline", 58.2, 46.2, 63.9),
    ("KNN CAD", 58.0, 43.4, 64.8),
    ("Relative Entropy", 54.6, 47.6, 58.8),
    ("Random Cut Forest", 51.7, 38.4, 59.7),
    ("Twitter ADVec", 47.1, 33.6, 53.5),
    ("Windowed Gaussian", 39.6, 20.9, 47.4),
    ("Etsy Skyline", 35.7, 27.1, 44.5),
    ("Bayesian Changepoint", 17.7, 3.2, 32.2),
    ("Null", 0.0, 0.0, 0.0),
]


def load(root: pathlib.Path):
    windows = json.loads((root / "combined_windows.json").read_text())
    for name in sorted(windows):
        with open(root / "data" / name, newline="") as f:
            rows = list(csv.DictReader(f))
        stamps = [r["timestamp"] for r in rows]
        series = pd.Series([float(r["value"]) for r in rows], index=pd.to_datetime(stamps), dtype="float64")
        yield name, series, nab_score.window_indices(stamps, windows[name]), len(windows[name])


def setting(text: str):
    key, _, value = text.partition("=")
    if key == "seasons":
        return key, [int(v) for v in value.split(",") if v]
    if key == "direction":
        return key, value
    return key, float(value)


def main() -> int:
    args = sys.argv[1:]
    root = pathlib.Path(args.pop(0)) if args and "=" not in args[0] and pathlib.Path(args[0]).is_dir() else \
        pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "anomaly" / "nab"
    method = args.pop(0) if args and "=" not in args[0] else "auto"
    settings = dict(setting(a) for a in args)

    totals = {p: collections.defaultdict(lambda: [0.0, 0, 0]) for p in nab_score.PROFILES}
    delays, false_positives, points, detected, windows = (collections.defaultdict(list), collections.Counter(),
                                                          collections.Counter(), collections.Counter(),
                                                          collections.Counter())
    elapsed = 0.0
    for name, series, window_points, labelled in load(root):
        started = time.perf_counter()
        frame = dq.monitor(series, method, **settings)
        elapsed += time.perf_counter() - started
        alerts = frame["alert"].tolist()
        category = name.split("/")[0]
        for profile_name, profile in nab_score.PROFILES.items():
            s = nab_score.score_series(alerts, window_points, profile)
            for key in (category, "all"):
                t = totals[profile_name][key]
                t[0] += s.raw
                t[1] += s.windows
                t[2] += labelled
            if profile_name == "standard":
                for key in (category, "all"):
                    false_positives[key] += s.false_positives
                    points[key] += s.scored_points
                    detected[key] += s.detected
                    windows[key] += s.windows
                    delays[key] += [d / (w[1] - w[0] + 1) for d, w in
                                    zip(s.delays, [w for w in window_points])]

    all_points = sum(len(s) for _, s, _, _ in load(root))
    print(f"dq monitor `{method}` {settings or '(defaults)'} on {root}")
    print()
    print("| category | standard | reward low FP | reward low FN | windows found | false positives "
          "(per 1,000 points) | median delay (share of window) |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted(totals["standard"], key=lambda k: (k == "all", k)):
        scores = []
        for profile_name, profile in nab_score.PROFILES.items():
            raw, scored, labelled = totals[profile_name][key]
            scores.append(f"{nab_score.normalised(raw, scored, labelled, profile):.1f}" if labelled else "–")
        delay = f"{statistics.median(delays[key]):.2f}" if delays[key] else "–"
        print(f"| {key} | {' | '.join(scores)} | {detected[key]} of {windows[key]} | "
              f"{false_positives[key]} ({1000 * false_positives[key] / max(points[key], 1):.2f}) | {delay} |")
    print()
    print(f"{all_points} points in {elapsed:.2f} s through dq.monitor: {1e6 * elapsed / all_points:.2f} µs per point "
          "(Python conversion included)")
    print()
    print("NAB's published scores (full corpus of 58 series):")
    print()
    print("| detector | standard | reward low FP | reward low FN |")
    print("|---|---|---|---|")
    for row in PUBLISHED:
        print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
