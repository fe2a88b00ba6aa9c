"""What a tablet needs of duty points (issue 15) beyond the records of its grids, sent with the
last page of every pull as the member ``points`` (docs/sync-protocol.md §6, docs/points.md):

* ``rules``: every rule version the district counts with (``rules_to_dict``'s form), exactly
  the book the server counts with (``server.points.rule_book``);
* ``adjustments``: the puller's own supervisors' adjustments (nobody else's);
* ``response_hours``: the three rates' response window (KNOCKDOOR_REQUEST_RESPONSE_HOURS);
* ``show_ranking``: the district setting; and ``rankings``, only when it is on: the standings
  of this month and this year in each community the puller works in, as the points page ranks
  them (field roles; ties share a rank).

It is replaced whole at every sync, so the tablet never holds what the server has taken back.
Reads only; never commits.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import points as sp
from shared import protocol as p
from shared.clock import isoformat
from shared.district_day import month_start

from . import district, points
from .models import Area, Person, PointsAdjustment
from .scope import grids_in_scope, grids_under
from .threelists import settings


def _adjustments(session: Session, person_id: int) -> list[dict]:
    rows = session.scalars(select(PointsAdjustment).where(PointsAdjustment.person_id == person_id)
                           .order_by(PointsAdjustment.at, PointsAdjustment.id))
    return [{"id": a.id, "at": isoformat(a.at), "points": a.points, "reason": a.reason,
             "by_id": a.by_id} for a in rows]


def _communities(session: Session, grid_ids: set[int]) -> list[Area]:
    """The communities above ``grid_ids``, by code."""
    areas = {a.id: a for a in session.scalars(select(Area))} if grid_ids else {}
    found = {}
    for grid_id in grid_ids:
        area = areas.get(grid_id)
        while area is not None and area.level != p.COMMUNITY:
            area = areas.get(area.parent_id)
        if area is not None:
            found[area.id] = area
    return sorted(found.values(), key=lambda a: a.code)


def _standings(session: Session, view) -> list[dict]:
    from .web.queries.points import standings  # the points page's own ranking
    return [{"person_id": row.person.id, "name": row.person.display_name,
             "points": row.points, "rank": row.rank} for row in standings(session, view)]


def _rankings(session: Session, grid_ids: set[int], now: datetime,
              today: date) -> list[dict]:
    from .web.queries.points import PointsView
    out = []
    for community in _communities(session, grid_ids):
        entries, facts = points.ledger(session, grids_under(session, [community.id]), now)
        ranking = {"community_id": community.id, "community": community.name}
        for name, first in (("month", month_start(today)), ("year", date(today.year, 1, 1))):
            view = PointsView(points.in_period(entries, first, today), facts, first, today)
            ranking[name] = _standings(session, view)
        out.append(ranking)
    return out


def tablet_points(session: Session, person: Person, now: datetime) -> dict:
    """The ``points`` member of a pull's last page for ``person`` (see the module's text)."""
    today = district.today(now)
    shown = points.show_ranking(session)
    member = {"rules": [sp.rules_to_dict(rules) for rules in points.rule_book(session).versions],
              "adjustments": _adjustments(session, person.id), "show_ranking": shown,
              "as_of": isoformat(now), "rankings": [],
              "response_hours": settings.response_hours()}
    if shown and person.role in p.FIELD_ROLES:
        member["rankings"] = _rankings(session, grids_in_scope(session, person, today), now,
                                       today)
    return member
