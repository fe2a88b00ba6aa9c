"""Trend charts drawn on the server as inline SVG (no script, no CDN), each with the numbers
behind it for its text alternative: a resident's blood pressure with the normal range marked,
and weekly series (visits per week, residents met per week)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

#: The normal adult range, mmHg, marked as a band behind each line.
NORMAL_SYSTOLIC = (90, 139)
NORMAL_DIASTOLIC = (60, 89)


@dataclass
class Point:
    when: datetime
    x: float
    y: float
    value: int


@dataclass
class Line:
    name: str  # systolic, diastolic
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Band:
    name: str
    y: float
    height: float
    low: int
    high: int


@dataclass
class TrendChart:
    lines: list[Line]
    bands: list[Band]
    ticks: list[tuple[float, int]]  # (y, value)
    labels: list[tuple[float, datetime]]  # (x, when) under the axis
    rows: list[tuple[datetime, int | None, int | None]]  # the text alternative, newest first
    width: int
    height: int
    left: int
    right: int


def blood_pressure_trend(readings: list[tuple[datetime, dict]], width: int = 720,
                         height: int = 220) -> TrendChart | None:
    """``readings``: (when, the visit's readings) of the visits that still count, any order.
    None when no visit measured the blood pressure."""
    measured = sorted((when, r.get("systolic"), r.get("diastolic")) for when, r in readings
                      if r.get("systolic") is not None or r.get("diastolic") is not None)
    if not measured:
        return None
    left, right, top_pad, bottom = 40, 12, 10, 26
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    values = [v for _, s, d in measured for v in (s, d) if v is not None]
    low, high = min(40, min(values) // 20 * 20), max(200, -(-max(values) // 20) * 20)

    def y_of(value: float) -> float:
        return top_pad + plot_h * (high - value) / (high - low)

    first, last = measured[0][0], measured[-1][0]
    span = (last - first).total_seconds() or 1.0

    def x_of(when: datetime) -> float:
        if len(measured) == 1:
            return left + plot_w / 2
        return left + plot_w * (when - first).total_seconds() / span

    lines = [Line("systolic"), Line("diastolic")]
    for when, systolic, diastolic in measured:
        for line, value in zip(lines, (systolic, diastolic)):
            if value is not None:
                line.points.append(Point(when, x_of(when), y_of(value), value))
    bands = [Band(name, y_of(hi), y_of(lo) - y_of(hi), lo, hi)
             for name, (lo, hi) in (("systolic", NORMAL_SYSTOLIC),
                                    ("diastolic", NORMAL_DIASTOLIC))]
    ticks = [(y_of(v), v) for v in range(low, high + 1, 40)]
    picks = measured if len(measured) <= 6 else \
        [measured[round(i * (len(measured) - 1) / 5)] for i in range(6)]
    labels = [(x_of(when), when) for when, _s, _d in picks]
    rows = [(when, s, d) for when, s, d in reversed(measured)]
    return TrendChart(lines, bands, ticks, labels, rows, width, height, left, right)


def weekly_series(per_day: dict[date, int], weeks: list[date]) -> list[tuple[date, int]]:
    """Counts per day summed into the weeks starting on ``weeks`` (Mondays)."""
    totals = dict.fromkeys(weeks, 0)
    for day, count in per_day.items():
        monday = date.fromordinal(day.toordinal() - day.weekday())
        if monday in totals:
            totals[monday] += count
    return [(week, totals[week]) for week in weeks]
