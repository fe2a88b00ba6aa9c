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

from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import points as sp
from shared import protocol as p
from shared.district_day import day_end, day_start, next_month_start
from shared.points import ledger as ledger_mod

from . import points
from .district import district_zone
from .models import (ChangeLogEntry, LogHead, PointsAdjustment, PointsEntry, PointsMonth,
                     PointsState, Resident, Visit)
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


def _lock_state(session: Session) -> PointsState | None:
    """The state row, locked for this transaction; None when another transaction holds it
    (it is catching up: this reader takes the store as last committed rather than wait)."""
    # populate_existing: the row as the lock found it, not as this session last read it
    query = select(PointsState).where(PointsState.id == 1).execution_options(
        populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        state = session.scalar(query.with_for_update(skip_locked=True))
        if state is None and session.scalar(select(func.count()).select_from(PointsState)):
            return None
    else:  # SQLite: the transaction already holds the one write lock
        state = session.scalar(query)
    if state is None:
        try:
            with session.begin_nested():
                state = PointsState(id=1, position=-1, book="")
                session.add(state)
        except IntegrityError:  # another transaction made it first: it is catching up
            return None
    return state


def forget(session: Session) -> None:
    """Make the next :func:`refresh` build the whole ledger anew."""
    session.execute(delete(PointsState))


def refresh(session: Session, now: datetime) -> None:
    """Bring the stored ledger up to the change log's head (in the caller's transaction).
    Nothing to do is found without a lock; while another transaction catches up, this one
    reads the store as that one found it (seconds behind at most) instead of queueing."""
    head = session.scalar(select(LogHead.position).where(LogHead.id == 1)) or 0
    book = points.rule_book(session)
    stamp = book_stamp(book)
    state = session.scalar(select(PointsState).where(PointsState.id == 1))
    if state is not None and state.position == head and state.book == stamp:
        return
    state = _lock_state(session)
    if state is None:
        return
    # Read again under the lock: what is committed now is what the store catches up to.
    head = session.scalar(select(LogHead.position).where(LogHead.id == 1)) or 0
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
    _sum_months(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE points_entries"))  # the planner's counts are all new


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
    e = PointsEntry
    month_key = (e.month, e.person_id, e.grid_id)
    before: dict[tuple, int] = {}
    for keys in _chunks(parts):
        for month, person_id, grid_id, total in session.execute(
                select(*month_key, func.sum(e.points)).where(
                    e.part.in_(keys), e.grid_id.is_not(None)).group_by(*month_key)):
            key = (month, person_id, grid_id)
            before[key] = before.get(key, 0) + int(total or 0)
        session.execute(delete(e).where(e.part.in_(keys)))
    after = _store(session, book, facts)
    _add_to_months(session, {key: after.get(key, 0) - before.get(key, 0)
                             for key in set(before) | set(after)})


def _add_to_months(session: Session, deltas: dict[tuple, int]) -> None:
    """Add what the rebuilt parts changed to the monthly sums (the other parts' share of a
    month stays as it is)."""
    deltas = {key: delta for key, delta in deltas.items() if delta}
    if not deltas:
        return
    m = PointsMonth
    have: set[tuple] = set()
    people = {key[1] for key in deltas}
    months = sorted({key[0] for key in deltas})
    for chunk in _chunks(people):
        have |= set(session.execute(select(m.month, m.person_id, m.grid_id).where(
            m.person_id.in_(chunk), m.month.in_(months))).all())
    changed = [{"d": delta, "m": key[0], "p": key[1], "g": key[2]}
               for key, delta in deltas.items() if key in have]
    if changed:
        t = m.__table__
        session.connection().execute(
            update(t).where(t.c.month == bindparam("m"), t.c.person_id == bindparam("p"),
                            t.c.grid_id == bindparam("g"))
            .values(points=t.c.points + bindparam("d")), changed)
    insert_rows(session, m.__table__, [
        {"month": key[0], "person_id": key[1], "grid_id": key[2], "points": delta}
        for key, delta in deltas.items() if key not in have])


def _sum_months(session: Session) -> None:
    """Sum all the entries into ``points_months`` anew."""
    e, m = PointsEntry, PointsMonth
    session.execute(delete(m))
    rows = session.execute(select(e.month, e.person_id, e.grid_id, func.sum(e.points))
                           .where(e.grid_id.is_not(None))
                           .group_by(e.month, e.person_id, e.grid_id)).all()
    insert_rows(session, m.__table__, [
        {"month": month, "person_id": person_id, "grid_id": grid_id, "points": int(total)}
        for month, person_id, grid_id, total in rows])


def _store(session: Session, book: sp.RuleBook, facts: points.Facts) -> dict[tuple, int]:
    """Store the ledger of ``facts``; what it wrote summed per (month, person, grid)."""
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
        rows += [{"part": part, "at": e.at, "day": e.day, "month": e.day.replace(day=1),
                  "person_id": e.person_id,
                  "kind": e.kind, "points": e.points, "source": e.source,
                  "source_id": e.source_id, "rule_version": e.rule_version,
                  "resident_id": e.resident_id, "note": e.note, "grid_id": grid_id}
                 for e in entries]
    insert_rows(session, PointsEntry.__table__, rows)
    summed: dict[tuple, int] = {}
    for row in rows:
        if row["grid_id"] is not None:
            key = (row["month"], row["person_id"], row["grid_id"])
            summed[key] = summed.get(key, 0) + row["points"]
    return summed


# ---- reading ---------------------------------------------------------------------------------

def _whole_months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        following = next_month_start(month)
        if month >= first and following - timedelta(days=1) <= last:
            months.append(month)
        month = following
    return months


def _part_months(first: date, last: date, whole: list[date]) -> list[tuple[date, date]]:
    """The runs of days from ``first`` to ``last`` outside the whole months."""
    if not whole:
        return [(first, last)]
    runs = []
    if first < whole[0]:
        runs.append((first, whole[0] - timedelta(days=1)))
    end = next_month_start(whole[-1])
    if end <= last:
        runs.append((end, last))
    return runs


def _in_period(first, last, now):
    e = PointsEntry
    return (e.day >= first, e.day <= last, e.at <= now)


def sums(session: Session, grid_ids: Iterable[int], first, last,
         now: datetime) -> tuple[dict[str, int], dict[int, int]]:
    """Points per person and per grid over the district days ``first``..``last`` for the work
    done in ``grid_ids``, with every adjustment of the period (they name no grid), as of
    ``now``. Brings the store up to date first."""
    refresh(session, now)
    e, m = PointsEntry, PointsMonth
    wanted = set(grid_ids)
    people: dict[str, int] = {}
    grids: dict[int, int] = {}

    def add(rows, sign=1):
        for person_id, grid_id, total in rows:
            if grid_id in wanted:
                people[person_id] = people.get(person_id, 0) + sign * int(total or 0)
                grids[grid_id] = grids.get(grid_id, 0) + sign * int(total or 0)

    # Whole months from the monthly sums, less what is in them but has not happened yet (a
    # deadline still to pass); the days of a part month from the entries.
    whole = _whole_months(first, last)
    grouped = (e.person_id, e.grid_id)
    if whole:
        add(session.execute(select(m.person_id, m.grid_id, func.sum(m.points))
                            .where(m.month.in_(whole)).group_by(m.person_id, m.grid_id)))
        add(session.execute(select(*grouped, func.sum(e.points)).where(
            e.at > now, e.month.in_(whole)).group_by(*grouped)), -1)
    for start, end in _part_months(first, last, whole):
        add(session.execute(select(*grouped, func.sum(e.points)).where(
            *_in_period(start, end, now)).group_by(*grouped)))
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
