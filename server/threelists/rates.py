"""The three rates (三率) the programme is judged by, for a period, per grid, community, street,
department and representative.

* response rate (响应率): of the requests raised in the period (not withdrawn), the share
  claimed or assigned within ``KNOCKDOOR_REQUEST_RESPONSE_HOURS`` of being raised;
* resolution rate (办结率): of the requests raised in the period that were handed over with a
  deadline, and are done or past it, the share first done by the end of the deadline day;
* satisfaction rate (满意率): of the verdicts standing on requests raised in the period, the
  share "satisfied".

A rate with nothing to count is None (shown as —), never 0 %. The counting is done by the
database (one grouped query over stored facts: seconds to the first claim, the day first done),
so a year of a district is a few hundred rows to Python, not tens of thousands.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from shared import requests as r
from shared.points.requests import Rates

from ..models import Area
from .models import Department, ServiceRequest

GROUPINGS = ("grid", "community", "street", "department", "representative")


@dataclass
class RateRow:
    key: object
    name: str
    tally: Rates = field(default_factory=Rates)  # the group's counts and their rates


def _counts(response_hours: int, today: date):
    s = ServiceRequest
    due = (s.due_on.is_not(None)) & ((s.done_on.is_not(None)) | (s.due_on < today))

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (func.count(), count(s.response_seconds <= response_hours * 3600), count(due),
            count(due & (s.done_on <= s.due_on)), count(s.verdict.is_not(None)),
            count(s.verdict == r.SATISFIED))


def _tally(row) -> Rates:
    return Rates(*(int(value or 0) for value in row))


def _where(grid_ids, start: datetime, end: datetime) -> tuple:
    s = ServiceRequest
    where = (s.raised_at >= start, s.raised_at < end, s.state != r.WITHDRAWN)
    if grid_ids is not None:  # None: every grid (the whole district), no list in the query
        where += (s.grid_id.in_(sorted(grid_ids)),)
    return where


def three_rates(session: Session, grid_ids, start: datetime, end: datetime, by: str,
                today: date, zone, response_hours: int) -> tuple[list[RateRow], Rates]:
    """Rows per ``by`` (one of GROUPINGS) and the total, for requests raised in [start, end)
    in ``grid_ids`` (None: every grid). One grouped query; the total is the sum of its groups
    (every request is in exactly one, rows without an owner or department included), so the
    year is read once. (``zone``: kept for callers; the day first done is stored already.)"""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    s = ServiceRequest
    key = {"department": (s.department_id,), "representative": (s.owner_id, s.owner_name)}.get(
        by, (s.grid_id,))
    if grid_ids is not None and not grid_ids:
        return [], Rates()
    grouped = session.execute(select(*key, *_counts(response_hours, today))
                              .where(*_where(grid_ids, start, end)).group_by(*key)).all()
    total = Rates()
    rows: dict[object, RateRow] = {}
    areas = {a.id: (a.name, a.level, a.parent_id) for a in session.execute(
        select(Area.id, Area.name, Area.level, Area.parent_id))} \
        if by in ("grid", "community", "street") else {}
    names = dict(session.execute(select(Department.id, Department.name)).all()) \
        if by == "department" else {}
    width = len(key)
    for found in grouped:
        ident, counts = found[0], _tally(found[width:])
        total += counts
        if ident is None:
            continue
        if by in ("community", "street"):
            ident = _up_to(areas, ident, by)
            if ident is None:
                continue
            name = areas[ident][0]
        elif by == "grid":
            name = areas[ident][0] if ident in areas else str(ident)
        elif by == "department":
            name = names.get(ident, str(ident))
        else:
            name = found[1] or str(ident)
        row = rows.setdefault(ident, RateRow(ident, name))
        row.tally += counts
    return sorted(rows.values(), key=lambda x: x.name), total


def _up_to(areas, grid_id: int, level: str) -> int | None:
    """The id of the area of ``level`` above the grid (``areas``: id → (name, level, parent))."""
    ident = grid_id
    while ident in areas and areas[ident][1] != level:
        ident = areas[ident][2]
    return ident if ident in areas else None


def monthly_trend(session: Session, grid_ids, today: date, zone, response_hours: int,
                  months: int = 6) -> list[tuple[date, Rates]]:
    """The three rates of each of the last ``months`` calendar months (this one so far),
    oldest first: the dashboard's trend. One query, grouped by the month raised in."""
    from shared.district_day import day_start

    firsts = []
    first = today.replace(day=1)
    for _ in range(months):
        firsts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    firsts.reverse()
    totals = [Rates() for _ in firsts]
    if grid_ids is not None and not grid_ids:
        return list(zip(firsts, totals))
    starts = [day_start(start, zone) for start in firsts]
    s = ServiceRequest
    month = case(*((s.raised_at < starts[i + 1], i) for i in range(months - 1)),
                 else_=months - 1) if months > 1 else literal(0)
    for found in session.execute(
            select(month, *_counts(response_hours, today))
            .where(*_where(grid_ids, starts[0], day_start(today + timedelta(days=1), zone)))
            .group_by(month)):
        totals[found[0]] += _tally(found[1:])
    return list(zip(firsts, totals))


@dataclass
class TrendLine:
    name: str
    css: str
    points: str  # SVG polyline points


def trend_lines(trend: list[tuple[date, Rates]], width: int = 960,
                height: int = 200) -> list[TrendLine]:
    """The three rates as polylines over the months (0–100 %, a gap where a rate is —)."""
    left, right, top, bottom = 44, 8, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(trend) - 1, 1)
    lines = []
    for name, rate, css in (("response_rate", "response", "rate-response"),
                            ("resolution_rate", "resolution", "rate-resolution"),
                            ("satisfaction_rate", "satisfaction", "rate-satisfaction")):
        points = [f"{left + i * step:.1f},{top + plot_h * (1 - value):.1f}"
                  for i, (_month, rates) in enumerate(trend)
                  if (value := getattr(rates, rate)) is not None]
        lines.append(TrendLine(name, css, " ".join(points)))
    return lines
