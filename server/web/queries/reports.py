"""What the monthly report reads (issue 12, point 14): the residents of an area and their
visits, as the plain facts :mod:`shared.monthly` counts.

Written against today's columns and the programme's new ones alike: a resident's care
categories are ``care_categories`` when the model has them (else the living-situation tags),
高龄 always from the birth year; the ability level is ``ability_level`` (else the care level);
the tier ``risk_tier`` (else none); a visit's method its ``method`` (else a door visit).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import null, select
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


def _categories(resident: Resident, on: date) -> tuple[str, ...]:
    stored = getattr(resident, "care_categories", None)
    if stored is None:
        stored = resident.living_situation or ()
    kept = [code for code in stored if code != AGED_80_PLUS]
    if resident.birth_year is not None and on.year - resident.birth_year >= 80:
        kept.append(AGED_80_PLUS)  # 高龄 from the birth year, never from a stored tag
    return tuple(kept)


def _follows_up(resident: Resident, categories: tuple[str, ...]) -> bool:
    return p.ALONE in categories


def resident_facts(session: Session, grid_ids: set[int] | None, under: dict[int, int],
                   last: date) -> list[ResidentFact]:
    """The active residents of the grids, with the day each joined the roster."""
    zone = district_zone()
    facts = []
    for resident in session.scalars(select(Resident).where(
            in_grids(Resident.grid_id, grid_ids), Resident.status == "active")):
        categories = _categories(resident, last)
        ability = getattr(resident, "ability_level", None) or resident.care_level or UNASSESSED
        facts.append(ResidentFact(
            resident.id, str(under.get(resident.grid_id, resident.grid_id)), categories,
            getattr(resident, "risk_tier", None) or UNTIERED, ability,
            _follows_up(resident, categories), local_date(resident.created_at, zone)))
    return facts


def month_visits(session: Session, grid_ids: set[int] | None, first: date,
                 last: date, details: bool = True) -> list[MonthVisit]:
    """The visits of the grids' active residents from a lookback before ``first`` to ``last``.

    ``details=False``: without needs and services (and the method, unless it is a column):
    enough for the visit rate, and much less to read for a whole district."""
    zone = district_zone()
    start = day_start(first - timedelta(days=LOOKBACK_DAYS), zone)
    end = day_end(last, zone)
    method_column = getattr(Visit, "method", None)
    columns = [Visit.id, Visit.resident_id, Visit.visited_at, Visit.outcome,
               Visit.details if details else null().label("details"), Visit.corrects_id,
               Visit.correction]
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
