"""A monitor's history as an inline SVG chart: the values, the detector's band
and the anomalies marked. Drawn on the server so the page needs no script."""
from __future__ import annotations

import math
from html import escape
from typing import List, Optional, Sequence

WIDTH, HEIGHT, PAD = 720, 220, 40


def _finite(values: Sequence[float]) -> List[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def monitor_svg(title: str, labels: Sequence[str], values: Sequence[float], lower: Sequence[Optional[float]],
                upper: Sequence[Optional[float]], anomaly: Sequence[bool]) -> str:
    """`labels` name the points (run times) in hover titles."""
    n = len(values)
    if n == 0:
        return f"<p>No runs of {escape(title)} yet.</p>"
    seen = _finite(list(values) + list(lower) + list(upper))
    low, high = min(seen), max(seen)
    if high == low:
        low, high = low - 1, high + 1

    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - low) / (high - low)

    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
           f'aria-label="{escape(title)}">', f"<title>{escape(title)}</title>"]
    band = [i for i in range(n) if lower[i] is not None and upper[i] is not None
            and math.isfinite(lower[i]) and math.isfinite(upper[i])]
    if band:
        top = " ".join(f"{x(i):.1f},{y(upper[i]):.1f}" for i in band)
        bottom = " ".join(f"{x(i):.1f},{y(lower[i]):.1f}" for i in reversed(band))
        out.append(f'<polygon class="band" points="{top} {bottom}" fill="#cfe3ff" stroke="none"/>')
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    out.append(f'<polyline points="{line}" fill="none" stroke="#24292f" stroke-width="1.5"/>')
    for i, v in enumerate(values):
        if anomaly[i]:
            out.append(f'<circle class="anomaly" cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="#cf222e">'
                       f"<title>{escape(labels[i])}: {v:g} (anomaly)</title></circle>")
    for v in (low, high):
        out.append(f'<text x="4" y="{y(v) + 4:.1f}" font-size="11">{v:g}</text>')
    out.append(f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11">{escape(labels[0])}</text>')
    out.append(f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">{escape(labels[-1])}</text>')
    out.append("</svg>")
    return "".join(out)
