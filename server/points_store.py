"""The stored duty-points ledger (issue 15): what ``shared.points`` computes, kept in
``points_entries`` part by part, so a page of a year of a district sums rows in the database
instead of recomputing every visit.

A part is one resident's (their visits and the requests raised about them) or one request's
(its task and verdicts): the shared core computes each from its own facts alone. The store
follows the change log, the record of every change a tablet is sent: :func:`refresh` reads
the log after the position it last read, and rebuilds only the parts whose residents, visits or
requests appear there (a part is stored as computed for ever after; a reader takes the entries
up to now, which equals the ledger as of now, an overdue deadline included once it passed).
A new rule version (or no state yet) rebuilds the whole ledger. The reader's transaction does
the catching up, under a lock on the state row, so two readers never rebuild a part twice;
nothing here commits.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared import points as sp
from shared import protocol as p
from shared.district_day import day_end, day_start
from shared.points import ledger as ledger_mod

from . import points
from .district import district_zone
from .models import (ChangeLogEntry, LogHead, PointsAdjustment, PointsEntry, PointsState,
                     Resident, Visit)
from .sync.bulk import insert_rows
from .threelists.models import ServiceRequest

#: Entries are stored as computed with nothing left to happen; readers cut them at "now".
FOREVER = datetime(9999, 1, 1, tzinfo=timezone.utc)
CHUNK = 500  # ids per IN list
PREFIX = {"resident": "r:", "request": "q:"}


def book_stamp(book: sp.RuleBook) -> str:
    """What the stored entries were computed under: the versions (never changed once stored)."""
    return ",".join(f"{v.version}@{v.effective.isoformat()}" for v in book.versions)


def _chunks(values: Iterable) -> Iterable[list]:
    values = sorted(set(values))
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _state(session: Session) -> PointsState:
    query = select(PointsState).where(PointsState.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    state = session.scalar(query)
    if state is None:
        state = PointsState(id=1, position=-1, book="")
        session.add(state)
        session.flush()
    return state


def refresh(session: Session, now: datetime) -> None:
    """Bring the stored ledger up to the change log's head (in the caller's transaction)."""
    state = _state(session)
    head = session.scalar(select(LogHead.position).where(LogHead.id == 1)) or 0
    book = points.rule_book(session)
    stamp = book_stamp(book)
    if state.book != stamp or state.position < 0:
        rebuild(session, book)
    elif head > state.position:
        changed = session.execute(
            select(ChangeLogEntry.entity, ChangeLogEntry.entity_id)
            .where(ChangeLogEntry.position > state.position, ChangeLogEntry.position <= head,
                   ChangeLogEntry.entity.in_((p.RESIDENT, p.VISIT, p.REQUEST)))).all()
        residents = {i for e, i in changed if e == p.RESIDENT}
        requests = {i for e, i in changed if e == p.REQUEST}
        for ids in _chunks(i for e, i in changed if e == p.VISIT):
            residents |= set(session.scalars(select(Visit.resident_id)
                                             .where(Visit.id.in_(ids))))
        if residents or requests:
            rebuild_parts(session, book, residents, requests)
    if state.position != head or state.book != stamp:
        state.position, state.book, state.built_at = head, stamp, now


def rebuild(session: Session, book: sp.RuleBook) -> None:
    """The whole ledger anew."""
    session.execute(delete(PointsEntry))
    grid_ids = set(session.scalars(select(Resident.grid_id).distinct())) | set(
        session.scalars(select(ServiceRequest.grid_id).distinct()))
    facts = points.load_facts(session, grid_ids, person_ids=[])
    _store(session, book, facts)


def rebuild_parts(session: Session, book: sp.RuleBook, resident_ids: set[str],
                  request_ids: set[str]) -> None:
    """Rebuild the parts of these residents and requests, and of what they touch: a request's
    raise belongs to its resident's part, so a request brings its resident and a resident the
    requests raised about them."""
    s = ServiceRequest
    for ids in _chunks(request_ids):
        resident_ids |= {r for r in session.scalars(select(s.resident_id)
                                                    .where(s.id.in_(ids))) if r}
    for ids in _chunks(resident_ids):
        request_ids |= set(session.scalars(select(s.id).where(s.resident_id.in_(ids))))
    facts = points.load_part_facts(session, resident_ids, request_ids)
    parts = [PREFIX["resident"] + i for i in resident_ids] + \
        [PREFIX["request"] + i for i in request_ids]
    for keys in _chunks(parts):
        session.execute(delete(PointsEntry).where(PointsEntry.part.in_(keys)))
    _store(session, book, facts)


def _store(session: Session, book: sp.RuleBook, facts: points.Facts) -> None:
    ledger = sp.Ledger(book, district_zone())
    for fact in facts.items:
        ledger.add(fact)
    rows = []
    for (kind, key), entries in ledger.parts(FOREVER).items():
        if kind == "resident":
            resident = facts.residents.get(key)
            grid_id = resident.grid_id if resident is not None else None
        else:
            grid_id = facts.request_grids.get(key)
        part = PREFIX[kind] + key
        rows += [{"part": part, "at": e.at, "day": e.day, "person_id": e.person_id,
                  "kind": e.kind, "points": e.points, "source": e.source,
                  "source_id": e.source_id, "rule_version": e.rule_version,
                  "resident_id": e.resident_id, "note": e.note, "grid_id": grid_id}
                 for e in entries]
    insert_rows(session, PointsEntry.__table__, rows)


# ---- reading ---------------------------------------------------------------------------------

def _in_period(first, last, now):
    e = PointsEntry
    return (e.day >= first, e.day <= last, e.at <= now)


def sums(session: Session, grid_ids: Iterable[int], first, last,
         now: datetime) -> tuple[dict[str, int], dict[int, int]]:
    """Points per person and per grid over the district days ``first``..``last`` for the work
    done in ``grid_ids``, with every adjustment of the period (they name no grid), as of
    ``now``. Brings the store up to date first."""
    refresh(session, now)
    e = PointsEntry
    people: dict[str, int] = {}
    grids: dict[int, int] = {}
    for chunk in _chunks(grid_ids):
        where = (*_in_period(first, last, now), e.grid_id.in_(chunk))
        for person_id, total in session.execute(
                select(e.person_id, func.sum(e.points)).where(*where).group_by(e.person_id)):
            people[person_id] = people.get(person_id, 0) + int(total or 0)
        for grid_id, total in session.execute(
                select(e.grid_id, func.sum(e.points)).where(*where).group_by(e.grid_id)):
            grids[grid_id] = grids.get(grid_id, 0) + int(total or 0)
    for adjustment in _adjustments(session, first, last, now, None):
        people[adjustment.person_id] = people.get(adjustment.person_id, 0) + adjustment.points
    return people, grids


def entries(session: Session, grid_ids: Iterable[int], first, last, now: datetime,
            person_id: int | None = None) -> list[sp.Entry]:
    """The stored entries of the period for the work done in ``grid_ids`` (one person's with
    ``person_id``) and the period's adjustments, in the ledger's order."""
    refresh(session, now)
    e = PointsEntry
    out: list[sp.Entry] = []
    for chunk in _chunks(grid_ids):
        query = select(e.at, e.day, e.person_id, e.kind, e.points, e.source, e.source_id,
                       e.rule_version, e.resident_id, e.note).where(
            *_in_period(first, last, now), e.grid_id.in_(chunk))
        if person_id is not None:
            query = query.where(e.person_id == str(person_id))
        out += [sp.Entry(*row) for row in session.execute(query)]
    zone = district_zone()
    out += [ledger_mod.adjustment_entry(a, zone)
            for a in _adjustments(session, first, last, now, person_id)]
    return sorted(out, key=ledger_mod.entry_order)


def _adjustments(session: Session, first, last, now: datetime,
                 person_id: int | None) -> list[sp.Adjustment]:
    zone = district_zone()
    a = PointsAdjustment
    query = select(a).where(a.at >= day_start(first, zone), a.at < day_end(last, zone),
                            a.at <= now)
    if person_id is not None:
        query = query.where(a.person_id == person_id)
    return [sp.Adjustment(row.id, str(row.person_id), row.at, row.points, row.reason,
                          str(row.by_id)) for row in session.scalars(query)]
