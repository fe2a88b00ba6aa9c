"""What the monthly report reads (issue 12, point 14): the residents of an area and their
visits, as the plain facts :mod:`shared.monthly` counts.

Written against today's columns and the programme's new ones alike: a resident's care
categories are ``care_categories`` when the model has them (else the living-situation tags),
高龄 always from the birth year; the ability level is ``ability_level`` (else the care level);
the tier ``risk_tier`` (else none); a visit's method its ``method`` (else a door visit).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.district_day import day_end, day_start, local_date
from shared.monthly import DOOR, UNASSESSED, UNTIERED, MonthVisit, ResidentFact

from ...district import district_zone
from ...models import Resident, Visit
from ..access import Scope
from .filters import in_grids

#: A follow-up open when the month began was opened by a no-answer within this many days.
LOOKBACK_DAYS = 92
AGED_80_PLUS = "aged_80_plus"


def report_root(scope: Scope, area_id: int | None) -> int | None:
    """The area a report is about: the chosen one, or else the smallest area holding every
    grid in scope (a community supervisor's community, the district for an administrator)."""
    if area_id is not None or not scope.grid_ids:
        return area_id
    common = None
    for grid_id in scope.grid_ids:
        chain = scope.ancestors(grid_id)
        common = chain if common is None else [a for a in common if a in set(chain)]
    return common[0] if common else None


def report_areas(scope: Scope, root: int | None) -> dict[int, int]:
    """Each grid of the report mapped to the area it is reported under: the root's children
    (a street's communities, a community's grids), or the grid itself under a grid."""
    grid_ids = scope.grid_ids if root is None else scope.grids_below(root)
    under = {}
    for grid_id in grid_ids:
        chain = scope.ancestors(grid_id)  # the grid first, the district last
        index = chain.index(root) if root in chain else len(chain)
        under[grid_id] = chain[max(index - 1, 0)]
    return under


def _categories(values, on: date) -> tuple[str, ...]:
    stored = values.get("care_categories") or ()
    kept = [code for code in stored if code != AGED_80_PLUS]
    birth_year = values.get("birth_year")
    if birth_year is not None and on.year - birth_year >= 80:
        kept.append(AGED_80_PLUS)  # 高龄 from the birth year, never from a stored tag
    return tuple(kept)


def _follows_up(categories: tuple[str, ...]) -> bool:
    return p.ALONE in categories


def resident_facts(session: Session, grid_ids: set[int] | None, under: dict[int, int],
                   last: date) -> list[ResidentFact]:
    """The active residents of the grids, with the day each joined the roster (only the
    columns the figures read: a district has tens of thousands)."""
    zone = district_zone()
    columns = [Resident.id, Resident.grid_id, Resident.birth_year, Resident.created_at,
               Resident.care_categories, Resident.ability_level, Resident.risk_tier]
    facts = []
    for row in session.execute(select(*columns).where(
            in_grids(Resident.grid_id, grid_ids), Resident.status == "active")):
        values = row._mapping
        categories = _categories(values, last)
        ability = row.ability_level or UNASSESSED
        facts.append(ResidentFact(
            row.id, str(under.get(row.grid_id, row.grid_id)), categories,
            values.get("risk_tier") or UNTIERED, ability, _follows_up(categories),
            local_date(row.created_at, zone)))
    return facts


def met_rates(session: Session, grid_ids: set[int] | None,
              months: list[tuple[date, date]]) -> list[tuple[int, int]]:
    """(residents, residents met) for each month, counted by the database: what the
    dashboard's card reads (cheap for a whole district). The same rule as shared.monthly for
    every method counting: active residents on the roster by the month's end; met by a visit
    that is neither voided nor amended afterwards (an amendment counts as itself)."""
    zone = district_zone()
    first_start = day_start(months[0][0], zone)
    corrected = set(session.scalars(select(Visit.corrects_id).where(
        Visit.corrects_id.is_not(None), Visit.visited_at >= first_start)))
    rates = []
    for first, last in months:
        start, end = day_start(first, zone), day_end(last, zone)
        residents = session.scalar(select(func.count()).select_from(Resident).where(
            in_grids(Resident.grid_id, grid_ids), Resident.status == "active",
            Resident.created_at < end)) or 0
        query = select(func.count(distinct(Visit.resident_id))).join(
            Resident, Resident.id == Visit.resident_id).where(
            in_grids(Resident.grid_id, grid_ids), Resident.status == "active",
            Resident.created_at < end, Visit.visited_at >= start, Visit.visited_at < end,
            Visit.outcome == p.MET, or_(Visit.correction.is_(None), Visit.correction == p.AMEND))
        if corrected:
            query = query.where(Visit.id.not_in(sorted(corrected)))
        rates.append((residents, session.scalar(query) or 0))
    return rates


def month_visits(session: Session, grid_ids: set[int] | None, first: date,
                 last: date) -> list[MonthVisit]:
    """The visits of the grids' active residents from a lookback before ``first`` to ``last``."""
    zone = district_zone()
    start = day_start(first - timedelta(days=LOOKBACK_DAYS), zone)
    end = day_end(last, zone)
    method_column = getattr(Visit, "method", None)
    columns = [Visit.id, Visit.resident_id, Visit.visited_at, Visit.outcome,
               Visit.details, Visit.corrects_id, Visit.correction]
    if method_column is not None:
        columns.append(method_column)
    rows = session.execute(
        select(*columns).join(Resident, Resident.id == Visit.resident_id)
        .where(in_grids(Resident.grid_id, grid_ids), Resident.status == "active",
               Visit.visited_at >= start, Visit.visited_at < end))
    visits = []
    for row in rows:
        details = row.details or {}
        method = (row.method if method_column is not None else None) or \
            details.get("method") or DOOR
        visits.append(MonthVisit(row.id, row.resident_id, row.visited_at, row.outcome, method,
                                 tuple(details.get("needs") or ()),
                                 tuple(details.get("services") or ()), row.corrects_id,
                                 row.correction))
    return visits
