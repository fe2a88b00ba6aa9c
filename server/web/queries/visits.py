"""Visits: knocks per day, one day's visits, and the readings a supervisor must see."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import utcnow

from ...models import Person, Resident, Visit
from ..timeutil import local_midnight_utc, local_today
from ..trends import weekly_series
from .filters import in_grids, local_day

#: Readings a supervisor must see at once (hypertensive crisis thresholds).
SYSTOLIC_FLAG = 180
DIASTOLIC_FLAG = 110
HEALTH_WINDOW_DAYS = 14
CHART_DAYS = 30


def voided_visit_ids(session: Session, grid_ids: set[int] | None, since: datetime) -> set[str]:
    """Visits voided by a correction recorded since ``since``.

    Corrections come after the visit they correct, so looking at corrections in the window
    (by the visit-time index) finds every voided visit of the window without scanning all.
    """
    return set(session.scalars(select(Visit.corrects_id).where(
        Visit.visited_at >= since - timedelta(days=1), Visit.correction == p.VOID,
        in_grids(Visit.grid_id, grid_ids))))


def replaced_visit_ids(session: Session, grid_ids: set[int] | None, since: datetime) -> set[str]:
    return set(session.scalars(select(Visit.corrects_id).where(
        Visit.visited_at >= since - timedelta(days=1), Visit.corrects_id.is_not(None),
        in_grids(Visit.grid_id, grid_ids))))


def visits_per_day(session: Session, grid_ids: set[int] | None,
                   days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Knocks recorded per local day over the last ``days`` days, today included.

    Corrections are not counted again, and a voided visit does not count at all.
    """
    today = local_today()
    first = today - timedelta(days=days - 1)
    since = local_midnight_utc(first)
    voided = voided_visit_ids(session, grid_ids, since)
    day = local_day(Visit.visited_at, session.get_bind().dialect.name).label("day")
    query = (select(day, func.count()).where(
        Visit.visited_at >= since, Visit.correction.is_(None),
        in_grids(Visit.grid_id, grid_ids)).group_by(day))
    if voided:
        query = query.where(Visit.id.not_in(sorted(voided)))
    counts = {date.fromisoformat(d): n for d, n in session.execute(query)}
    return [(first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range(days)]


def visits_on_day(session: Session, grid_ids: set[int] | None, day: date, limit: int = 1000):
    since, until = local_midnight_utc(day), local_midnight_utc(day + timedelta(days=1))
    voided = voided_visit_ids(session, grid_ids, since)
    query = (select(Visit, Resident.name, Person.display_name)
             .join(Resident, Resident.id == Visit.resident_id)
             .outerjoin(Person, Person.id == Visit.author_id)
             .where(Visit.visited_at >= since, Visit.visited_at < until,
                    Visit.correction.is_(None), in_grids(Visit.grid_id, grid_ids))
             .order_by(Visit.visited_at).limit(limit))
    return [row for row in session.execute(query) if row[0].id not in voided]


@dataclass
class HealthFlag:
    resident_id: str
    resident_name: str
    grid_id: int
    visited_at: datetime
    readings: dict


def health_flags(session: Session, grid_ids: set[int] | None,
                 days: int = HEALTH_WINDOW_DAYS) -> list[HealthFlag]:
    """Residents whose latest flagged reading in the window is very high blood pressure."""
    since = utcnow() - timedelta(days=days)
    corrected = replaced_visit_ids(session, grid_ids, since)
    systolic = Visit.details[("readings", "systolic")].as_integer()
    diastolic = Visit.details[("readings", "diastolic")].as_integer()
    query = (select(Visit.id, Visit.resident_id, Visit.grid_id, Visit.visited_at, Visit.details)
             .where(Visit.visited_at >= since, in_grids(Visit.grid_id, grid_ids),
                    or_(Visit.correction.is_(None), Visit.correction == p.AMEND),
                    or_(systolic >= SYSTOLIC_FLAG, diastolic >= DIASTOLIC_FLAG))
             .order_by(Visit.visited_at.desc()))
    flags: dict[str, HealthFlag] = {}
    for row in session.execute(query):
        if row.id in corrected or row.resident_id in flags:
            continue
        flags[row.resident_id] = HealthFlag(row.resident_id, "", row.grid_id,
                                            row.visited_at, row.details.get("readings") or {})
    # Names only for the few flagged residents, not joined into the scan of the window.
    names = dict(session.execute(select(Resident.id, Resident.name).where(
        Resident.id.in_(list(flags)))).all()) if flags else {}
    for flag in flags.values():
        flag.resident_name = names.get(flag.resident_id, "")
    return list(flags.values())


# ---- weekly trends ----------------------------------------------------------------------

#: Weeks a weekly trend shows, this week included.
TREND_WEEKS = 12


def last_weeks(count: int = TREND_WEEKS) -> list[date]:
    """The Mondays of the last ``count`` local weeks, oldest first, this week last."""
    today = local_today()
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=count - 1 - i) for i in range(count)]


def _per_day(session: Session, since: datetime, grid_ids: set[int] | None, *conditions,
             distinct_residents: bool = False) -> dict[date, object]:
    voided = voided_visit_ids(session, grid_ids, since)
    day = local_day(Visit.visited_at, session.get_bind().dialect.name).label("day")
    what = (Visit.resident_id,) if distinct_residents else (func.count(),)
    query = select(day, *what).where(Visit.visited_at >= since, Visit.correction.is_(None),
                                     in_grids(Visit.grid_id, grid_ids), *conditions)
    if voided:
        query = query.where(Visit.id.not_in(sorted(voided)))
    if distinct_residents:
        found: dict[date, set] = {}
        for text, resident_id in session.execute(query.distinct()):
            found.setdefault(date.fromisoformat(text), set()).add(resident_id)
        return found
    return {date.fromisoformat(text): n for text, n in session.execute(query.group_by(day))}


def visits_per_week(session: Session, author_id: int, weeks: int = TREND_WEEKS):
    """Knocks a person recorded per local week (corrections not counted again, voided ones
    not at all): [(Monday, count)], oldest first."""
    mondays = last_weeks(weeks)
    per_day = _per_day(session, local_midnight_utc(mondays[0]), None,
                       Visit.author_id == author_id)
    return weekly_series(per_day, mondays)


def met_per_week(session: Session, grid_ids: set[int] | None, weeks: int = TREND_WEEKS):
    """How many residents of the grids were met at least once in each local week:
    [(Monday, residents)], oldest first."""
    mondays = last_weeks(weeks)
    per_day = _per_day(session, local_midnight_utc(mondays[0]), grid_ids,
                       Visit.outcome == p.MET, distinct_residents=True)
    per_week: dict[date, set] = {monday: set() for monday in mondays}
    for day, residents in per_day.items():
        monday = day - timedelta(days=day.weekday())
        if monday in per_week:
            per_week[monday] |= residents
    return [(monday, len(per_week[monday])) for monday in mondays]
