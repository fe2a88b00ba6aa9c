"""What every benchmark reports: a figure, its budget, and the raw baseline from the same run."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class BenchRow:
    figure: str  # what was measured, e.g. "push ingest, batches of 500 visits over HTTP (PostgreSQL)"
    measured: float
    unit: str  # "ops/s", "s", "ms", "bytes"
    budget: float | None  # None: no budget, reported for context
    higher_is_better: bool
    baseline: str = ""  # the raw-database (or other) baseline measured in the same run
    note: str = ""  # where a budget is missed: by how much, why, what would close it

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return "—"
        ok = self.measured >= self.budget if self.higher_is_better else self.measured <= self.budget
        return "met" if ok else "MISSED"

    def budget_text(self) -> str:
        if self.budget is None:
            return "—"
        return f"{'≥' if self.higher_is_better else '≤'} {self.budget:g} {self.unit}"


@contextmanager
def stopwatch():
    """``with stopwatch() as elapsed: ...`` then ``elapsed()`` gives seconds."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def number_text(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def format_table(rows: list[BenchRow], markdown: bool = False) -> str:
    header = ("figure", "measured", "budget", "baseline (same run)", "verdict")
    body = [(row.figure, f"{number_text(row.measured)} {row.unit}", row.budget_text(),
             row.baseline or "—", row.verdict) for row in rows]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |"
                  for line in body]
        return "\n".join(lines)
    widths = [min(70, max(len(line[i]) for line in [header, *body])) for i in range(len(header))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) for line in body]
    return "\n".join(out)
