"""dq's monitors on the Numenta Anomaly Benchmark (NAB).

    python bench/nab_eval.py [NAB dir] [method] [setting=value ...]

Runs one monitor configuration (default: `auto` with its defaults, tuned on
nothing per series) over every series of the NAB corpus in the NAB dir
(default ../shared/data/anomaly/nab: data/<category>/*.csv and
combined_windows.json), each series from its first point as a stream, and
scores its alerts (the first point of each incident) with NAB's scoring
(bench/nab_score.py). Prints one row per category and the total for NAB's
three profiles, with the windows found, the false positives per 1,000
points, the median delay from the labelled anomaly and the time per point,
next to the scores NAB publishes for its detectors on its full corpus (58
series; the shared corpus has 41 of them).
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

# NAB's scoreboard, standard profile, full corpus (58 series), each detector
# at the threshold NAB optimised for it on that corpus.
PUBLISHED = [
    ("ARTime", 74.9),
    ("Numenta HTM", 70.1),
    ("CAD OSE (contextOSE)", 69.9),
    ("earthgecko Skyline", 58.2),
    ("KNN CAD", 58.0),
    ("Relative Entropy", 54.6),
    ("Random Cut Forest", 51.7),
    ("Windowed Gaussian", 39.6),
    ("Null (never alerts)", 0.0),
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
    elapsed, all_points = 0.0, 0
    for name, series, window_points, labelled in load(root):
        started = time.perf_counter()
        frame = dq.monitor(series, method, **settings)
        elapsed += time.perf_counter() - started
        all_points += len(series)
        alerts = frame["alert"].tolist()
        category = name.split("/")[0]
        for profile_name, profile in nab_score.PROFILES.items():
            s = nab_score.score_series(alerts, window_points, profile)
            for key in (category, "all"):
                t = totals[profile_name][key]
                t[0] += s.raw
                t[1] += s.windows
                t[2] += labelled
                if profile_name != "standard":
                    continue  # detections and delays are the same under every profile
                false_positives[key] += s.false_positives
                points[key] += s.scored_points
                detected[key] += s.detected
                windows[key] += s.windows
                # NAB centres each window on its label: the delay is from the label.
                delays[key] += [d - (window_points[w][1] - window_points[w][0]) / 2 for w, d in s.delays.items()]

    print(f"dq monitor `{method}` {settings or '(defaults)'} on {root}")
    print()
    print("| category | standard | reward low FP | reward low FN | windows found | false positives "
          "(per 1,000 points) | median delay from the label (points) |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted(totals["standard"], key=lambda k: (k == "all", k)):
        scores = []
        for profile_name, profile in nab_score.PROFILES.items():
            raw, scored, labelled = totals[profile_name][key]
            scores.append(f"{nab_score.normalised(raw, scored, labelled, profile):.1f}" if labelled else "–")
        delay = f"{statistics.median(delays[key]):+.0f}" if delays[key] else "–"
        print(f"| {key} | {' | '.join(scores)} | {detected[key]} of {windows[key]} | "
              f"{false_positives[key]} ({1000 * false_positives[key] / max(points[key], 1):.2f}) | {delay} |")
    print()
    print(f"{all_points} points in {elapsed:.2f} s through dq.monitor: {1e6 * elapsed / all_points:.2f} µs per point "
          "(Python conversion included)")
    print()
    print("NAB's published scores (standard profile, full corpus of 58 series):")
    print()
    print("| detector | standard |")
    print("|---|---|")
    for name, score in PUBLISHED:
        print(f"| {name} | {score} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
