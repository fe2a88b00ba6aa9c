"""What a tablet needs of duty points (issue 15) beyond the records of its grids, sent with the
last page of every pull as the member ``points`` (docs/sync-protocol.md §6, docs/points.md):

* ``rules``: every rule version the district counts with (``rules_to_dict``'s form), exactly
  the book the server counts with (``server.points.rule_book``);
* ``adjustments``: the puller's own supervisors' adjustments (nobody else's);
* ``elsewhere``: this year's ledger entries of the puller's work in grids their tablet does not
  hold (the tablet cannot compute those parts: it has not their facts);
* ``response_hours``: the three rates' response window (KNOCKDOOR_REQUEST_RESPONSE_HOURS);
* ``show_ranking``: the district setting; and ``rankings``, only when it is on: the standings
  of this month and this year in each community the puller works in, as the points page ranks
  them (field roles; ties share a rank).

It is replaced whole at every sync, so the tablet never holds what the server has taken back.

The rankings come from the stored ledger, which catches up with the change log as it is read
(server.points_store: it writes, under a lock on its state row). A pull runs in one
REPEATABLE READ snapshot on PostgreSQL, where taking that lock after a concurrent catch-up
fails ("could not serialize access"): :func:`pull_member` therefore reads in a transaction of
its own there (READ COMMITTED, committed at once). SQLite has one writer at a time, and the
pull holds it: there it reads in the pull's own transaction.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared import points as sp
from shared import protocol as p
from shared.clock import isoformat
from shared.district_day import month_start
from shared.points.facts import FROM_ADJUSTMENT

from . import district, points, points_store
from .models import Area, Person, PointsAdjustment, PointsEntry
from .scope import grids_in_scope
from .threelists import settings


def _adjustments(session: Session, person_id: int) -> list[dict]:
    rows = session.scalars(select(PointsAdjustment).where(PointsAdjustment.person_id == person_id)
                           .order_by(PointsAdjustment.at, PointsAdjustment.id))
    return [{"id": a.id, "at": isoformat(a.at), "points": a.points, "reason": a.reason,
             "by_id": a.by_id} for a in rows]


def _communities(session: Session, grid_ids: set[int]) -> list[tuple[int, str, set[int]]]:
    """The communities above ``grid_ids`` (id, name, every grid below it), by code: one read
    of the area tree's columns, not of its objects."""
    if not grid_ids:
        return []
    rows = session.execute(select(Area.id, Area.level, Area.parent_id, Area.name,
                                  Area.code)).all()
    by_id = {row.id: row for row in rows}

    def community_of(area_id):
        area = by_id.get(area_id)
        while area is not None and area.level != p.COMMUNITY:
            area = by_id.get(area.parent_id)
        return area

    found = {c.id: c for c in filter(None, map(community_of, grid_ids))}
    below: dict[int, set[int]] = {community: set() for community in found}
    for row in rows:
        if row.level == p.GRID and (community := community_of(row.id)) is not None \
                and community.id in below:
            below[community.id].add(row.id)
    return [(c.id, c.name, below[c.id]) for c in sorted(found.values(), key=lambda c: c.code)]


def _rankings(session: Session, grid_ids: set[int], now: datetime,
              today: date) -> list[dict]:
    """The points page's own ranking (server.web.queries.points, from the stored ledger) of
    each community, this month and this year."""
    from .web.queries.points import points_view, standings
    out = []
    for community_id, name, grids in _communities(session, grid_ids):
        ranking = {"community_id": community_id, "community": name}
        for period, first in (("month", month_start(today)), ("year", date(today.year, 1, 1))):
            ranking[period] = [{"person_id": row.person.id, "name": row.person.display_name,
                                "points": row.points, "rank": row.rank}
                               for row in standings(session, points_view(
                                   session, grids, first, today, now=now))]
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
    scope = grids_in_scope(session, person, today)
    member["elsewhere"] = _elsewhere(session, person.id, scope, today, now)
    if shown and person.role in p.FIELD_ROLES:
        member["rankings"] = _rankings(session, scope, now, today)
    return member


def _elsewhere(session: Session, person_id: int, scope: set[int], today: date,
               now: datetime) -> list[dict]:
    """This year's ledger entries of the person's work in grids the tablet does not hold (an
    assignment that ended, a resident who moved away): the stored ledger's, as the pages show
    them. A part (one resident's, one request's) is computed from its own facts alone, so the
    tablet adds these to what it computes itself. Adjustments travel on their own."""
    points_store.refresh(session, now)
    first = date(today.year, 1, 1)
    grids = set(session.scalars(  # where this year's entries of theirs are (an index's read)
        select(PointsEntry.grid_id).where(PointsEntry.person_id == str(person_id),
                                          PointsEntry.day >= first).distinct())) - scope - {None}
    if not grids:
        return []
    return [{"at": isoformat(e.at), "day": e.day.isoformat(), "kind": e.kind,
             "points": e.points, "source": e.source, "source_id": e.source_id,
             "rule_version": e.rule_version, "resident_id": e.resident_id, "note": e.note}
            for e in points_store.entries(session, grids, first, today, now, person_id)
            if e.source != FROM_ADJUSTMENT]


def pull_member(session: Session, engine: Engine, person_id: int, now: datetime) -> dict:
    """:func:`tablet_points` for a pull's last page (``session``: the pull's; see the module's
    text for why PostgreSQL reads in a transaction of its own)."""
    if engine.dialect.name != "postgresql":
        return tablet_points(session, session.get(Person, person_id), now)
    with Session(engine) as own:
        member = tablet_points(own, own.get(Person, person_id), now)
        own.commit()  # the store's catching up, if any
    return member
