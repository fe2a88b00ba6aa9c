"""The three rates (三率) the programme is judged by, for a period, per grid, community, street,
department and representative.

* response rate (响应率): of the requests raised in the period (not withdrawn), the share
  claimed or assigned within ``KNOCKDOOR_REQUEST_RESPONSE_HOURS`` of being raised;
* resolution rate (办结率): of the requests raised in the period that were handed over with a
  deadline, and are done or past it, the share first done by the end of the deadline day;
* satisfaction rate (满意率): of the verdicts standing on requests raised in the period, the
  share "satisfied".

A rate with nothing to count is None (shown as —), never 0 %.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import requests as r
from shared.district_day import local_date

from ..models import Area
from .models import Department, ServiceRequest

GROUPINGS = ("grid", "community", "street", "department", "representative")


@dataclass
class Tally:
    raised: int = 0
    responded: int = 0
    due: int = 0
    resolved: int = 0
    verdicts: int = 0
    satisfied: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def response_rate(self):
        return self._rate(self.responded, self.raised)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved, self.due)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.verdicts)


@dataclass
class RateRow:
    key: object
    name: str
    tally: Tally = field(default_factory=Tally)


def _columns():
    return (ServiceRequest.grid_id, ServiceRequest.owner_id, ServiceRequest.owner_name,
            ServiceRequest.department_id, ServiceRequest.raised_at, ServiceRequest.claimed_at,
            ServiceRequest.due_on, ServiceRequest.first_done_at, ServiceRequest.verdict,
            ServiceRequest.state)


def three_rates(session: Session, grid_ids, start: datetime, end: datetime, by: str,
                today: date, zone, response_hours: int) -> tuple[list[RateRow], Tally]:
    """Rows per ``by`` (one of GROUPINGS) and the total, for requests raised in [start, end)."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    areas = {a.id: a for a in session.scalars(select(Area))}
    names = {d.id: d.name for d in session.scalars(select(Department))} \
        if by == "department" else {}
    window = timedelta(hours=response_hours)
    rows: dict[object, RateRow] = {}
    total = Tally()
    grid_list = sorted(grid_ids)
    for start_at in range(0, len(grid_list), 500):
        chunk = grid_list[start_at:start_at + 500]
        for row in session.execute(select(*_columns()).where(
                ServiceRequest.grid_id.in_(chunk), ServiceRequest.raised_at >= start,
                ServiceRequest.raised_at < end)):
            if row.state == r.WITHDRAWN:
                continue
            key, name = _group(by, row, areas, names)
            if key is None:
                continue
            tally = rows.setdefault(key, RateRow(key, name)).tally
            for t in (tally, total):
                _count(t, row, window, today, zone)
    ordered = sorted(rows.values(), key=lambda x: x.name)
    return ordered, total


def _count(t: Tally, row, window, today: date, zone) -> None:
    t.raised += 1
    if row.claimed_at is not None and row.claimed_at - row.raised_at <= window:
        t.responded += 1
    if row.due_on is not None:
        done_day = local_date(row.first_done_at, zone) if row.first_done_at else None
        if done_day is not None or row.due_on < today:
            t.due += 1
            if done_day is not None and done_day <= row.due_on:
                t.resolved += 1
    if row.verdict:
        t.verdicts += 1
        if row.verdict == r.SATISFIED:
            t.satisfied += 1


def _up_to(areas, grid_id: int, level: str):
    area = areas.get(grid_id)
    while area is not None and area.level != level:
        area = areas.get(area.parent_id)
    return area


def _group(by: str, row, areas, names):
    if by == "grid":
        area = areas.get(row.grid_id)
        return (row.grid_id, area.name if area else str(row.grid_id))
    if by in ("community", "street"):
        area = _up_to(areas, row.grid_id, by)
        return (area.id, area.name) if area else (None, "")
    if by == "department":
        if row.department_id is None:
            return None, ""
        return row.department_id, names.get(row.department_id, str(row.department_id))
    if row.owner_id is None:
        return None, ""
    return row.owner_id, row.owner_name or str(row.owner_id)
