"""Charts drawn on the server as inline SVG: no script, nothing fetched from elsewhere."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class Bar:
    day: date
    count: int
    x: float
    y: float
    height: float
    width: float


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    top: int  # the value of the top grid line
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    baseline: float
    total: int


def _nice_top(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000,
                 50000, 100000):
        if peak <= step * 4:
            return step * 4
    return peak


def bar_chart(series: list[tuple[date, int]], width: int = 960, height: int = 240) -> BarChart:
    left, right, top_pad, bottom = 44, 8, 10, 26
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = _nice_top(max((count for _, count in series), default=0) or 1)
    slot = plot_w / max(len(series), 1)
    bars = []
    for index, (day, count) in enumerate(series):
        bar_h = plot_h * count / top
        bars.append(Bar(day, count, left + index * slot + slot * 0.15,
                        top_pad + plot_h - bar_h, bar_h, slot * 0.7))
    ticks = [(top_pad + plot_h - plot_h * i / 4, top * i // 4) for i in range(5)]
    return BarChart(bars, width, height, top, ticks, top_pad + plot_h,
                    sum(count for _, count in series))
