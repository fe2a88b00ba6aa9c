"""Duty points on the server (issue 15): the rule book as stored, the facts the shared core
reads, and the ledger and sums it gives for any period and area.

The ledger is computed from the visits and the requests (read through
``shared.points.requests``, the tablet's own mapping) by ``shared.points``, the same code the
tablet runs, so a voided or corrected visit takes its points back; server.points_store keeps it
stored. :func:`ledger` computes it from scratch (the store's reference). Helpers never commit.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import points as sp
from shared.district_day import month_start, next_month_start
from shared.points.requests import request_events
from shared.points.rules import RuleBook, RuleSet, add_version, default_rules, rules_from_dict

from .audit import audit
from .district import district_zone
from .models import DistrictSetting, PointsAdjustment, PointsRuleVersion, Resident, Visit
from .threelists.models import RequestEvent as RequestMove
from .threelists.models import ServiceRequest

#: Before any version is stored, the district counts with the default rules from this day.
FIRST_DAY = date(2000, 1, 1)
#: District setting: may people see the ranking of their community (on the tablet)?
SHOW_RANKING = "points.show_ranking"
PERIODS = ("month", "quarter", "year")


def rule_book(session: Session) -> RuleBook:
    stored = [sp.rules_from_dict(row.rules)
              for row in session.scalars(select(PointsRuleVersion))]
    return RuleBook(tuple(stored) if stored else (default_rules(FIRST_DAY),))


def add_rules(session: Session, data: dict, today: date, by: int) -> RuleSet:
    """Store ``data`` (rules_to_dict's form) as the next version; RuleError names each problem.
    The first edit stores the default rules as version 1 too, so the book is whole."""
    book = rule_book(session)
    rules = rules_from_dict(data)
    book = add_version(book, rules, today)
    have = set(session.scalars(select(PointsRuleVersion.version)))
    for version in book.versions:
        if version.version not in have:
            session.add(PointsRuleVersion(version=version.version, effective=version.effective,
                                          rules=sp.rules_to_dict(version), created_by_id=by))
    audit(session, "points_rules", person_id=by, entity="points_rules",
          entity_id=str(rules.version), detail={"rules": sp.rules_to_dict(rules)})
    return rules


def show_ranking(session: Session) -> bool:
    row = session.get(DistrictSetting, SHOW_RANKING)
    return bool(row.value) if row is not None else False


def set_show_ranking(session: Session, shown: bool, by: int) -> None:
    row = session.get(DistrictSetting, SHOW_RANKING)
    if row is None:
        session.add(DistrictSetting(name=SHOW_RANKING, value=shown))
    else:
        row.value = shown
    audit(session, "district_setting", person_id=by, entity="setting", entity_id=SHOW_RANKING,
          detail={"value": shown})


def add_adjustment(session: Session, person_id: int, points: int, reason: str, by: int,
                   at: datetime) -> PointsAdjustment:
    """A supervisor's adjustment; ValueError (from the shared core) without a reason or with
    points out of range. Audited with its reason."""
    fact = sp.Adjustment(str(uuid.uuid4()), str(person_id), at, points, reason.strip(), str(by))
    row = PointsAdjustment(id=fact.id, person_id=person_id, at=at, points=points,
                           reason=fact.reason, by_id=by)
    session.add(row)
    audit(session, "points_adjust", person_id=by, entity="person", entity_id=str(person_id),
          detail={"points": points, "reason": fact.reason, "adjustment": fact.id})
    return row


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The month, quarter or year holding the district ``day``: its first and last day."""
    if kind == "month":
        first = month_start(day)
    elif kind == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif kind == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    else:
        raise ValueError(f"period: one of {', '.join(PERIODS)}")
    last = first
    for _ in range(3 if kind == "quarter" else 1):
        last = next_month_start(last)
    return first, last - timedelta(days=1)


def request_records(session: Session, grid_ids: Iterable[int] = (),
                    request_ids: Iterable[str] | None = None) -> dict[str, dict]:
    """The requests (issue 14) raised in ``grid_ids`` (or with ``request_ids``) in their wire
    form's points part (id, grid, resident, timeline), as a pull gives them to a tablet:
    ``events_of`` reads both."""
    s, m = ServiceRequest, RequestMove
    keys = sorted(set(request_ids if request_ids is not None else grid_ids))
    column = s.id if request_ids is not None else s.grid_id
    records: dict[str, dict] = {}
    for start in range(0, len(keys), 500):  # PostgreSQL refuses enormous IN lists
        chunk = keys[start:start + 500]
        for request_id, grid_id, resident_id in session.execute(
                select(s.id, s.grid_id, s.resident_id).where(column.in_(chunk))):
            records[request_id] = {"id": request_id, "grid_id": grid_id,
                                   "resident_id": resident_id, "timeline": []}
        for row in session.execute(
                select(m.request_id, m.id, m.action, m.at, m.person_id, m.data)
                .join(s, s.id == m.request_id).where(column.in_(chunk))
                .order_by(m.request_id, m.ordinal)):
            records[row.request_id]["timeline"].append(
                {"id": row.id, "action": row.action, "at": row.at, "person_id": row.person_id,
                 "data": row.data or {}})
    return records


def request_facts(session: Session, grid_ids: Iterable[int]) -> list[sp.RequestEvent]:
    """The points facts of the requests raised in ``grid_ids`` (shared.points.requests)."""
    return request_events(request_records(session, grid_ids).values())


@dataclass
class Facts:
    residents: dict[str, Resident]
    items: list  # shared.points facts
    #: request id -> the grid it was raised in (a task's points count there)
    request_grids: dict[str, int] = field(default_factory=dict)


def load_facts(session: Session, grid_ids: Iterable[int],
               person_ids: Iterable[int] | None = None) -> Facts:
    """Every fact about the residents now in ``grid_ids`` (their whole visit history: a cap
    or a follow-up reads what came before) and the requests raised there, and the adjustments
    of ``person_ids`` (all when None)."""
    grid_ids = sorted(set(grid_ids))
    residents = {r.id: r for r in session.scalars(
        select(Resident).where(Resident.grid_id.in_(grid_ids)))} if grid_ids else {}
    visits = select(*_VISIT_COLUMNS).join(Resident, Resident.id == Visit.resident_id) \
        .where(Resident.grid_id.in_(grid_ids)) if grid_ids else None
    return _facts(session, residents, [visits] if visits is not None else [],
                  request_records(session, grid_ids), person_ids)


def load_part_facts(session: Session, resident_ids: Iterable[str],
                    request_ids: Iterable[str]) -> Facts:
    """The facts of some parts of the ledger: these residents (with their whole visit
    history) and these requests; no adjustments."""
    ids = sorted(set(resident_ids))
    residents: dict[str, Resident] = {}
    queries = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        residents.update((r.id, r) for r in session.scalars(
            select(Resident).where(Resident.id.in_(chunk))))
        queries.append(select(*_VISIT_COLUMNS).where(Visit.resident_id.in_(chunk)))
    return _facts(session, residents, queries,
                  request_records(session, request_ids=request_ids), [])


_VISIT_COLUMNS = (Visit.id, Visit.author_id, Visit.resident_id, Visit.visited_at, Visit.outcome,
                  Visit.corrects_id, Visit.correction)


def _facts(session: Session, residents: dict[str, Resident], visit_queries: list,
           records: dict[str, dict], person_ids: Iterable[int] | None) -> Facts:
    items: list = [sp.PointsResident(r.id, r.birth_year, tuple(r.care_categories or ()))
                   for r in residents.values()]
    for query in visit_queries:
        items += [sp.PointsVisit(v.id, str(v.author_id or ""), v.resident_id, v.visited_at,
                                 v.outcome, v.corrects_id, v.correction)
                  for v in session.execute(query)]
    items += request_events(records.values())
    query = select(PointsAdjustment)
    if person_ids is not None:
        person_ids = sorted(set(person_ids))
        query = query.where(PointsAdjustment.person_id.in_(person_ids)) if person_ids else None
    if query is not None:
        items += [sp.Adjustment(a.id, str(a.person_id), a.at, a.points, a.reason, str(a.by_id))
                  for a in session.scalars(query)]
    return Facts(residents, items, {rid: rec["grid_id"] for rid, rec in records.items()})


def ledger(session: Session, grid_ids: Iterable[int], now: datetime,
           person_ids: Iterable[int] | None = None) -> tuple[list[sp.Entry], Facts]:
    facts = load_facts(session, grid_ids, person_ids)
    return sp.compute_ledger(facts.items, rule_book(session), district_zone(), now), facts


def in_period(entries: Iterable[sp.Entry], first: date, last: date,
              person_id: int | None = None) -> list[sp.Entry]:
    """The entries of the district days ``first``..``last`` (one person's with ``person_id``)."""
    wanted = None if person_id is None else str(person_id)
    return [e for e in entries if first <= e.day <= last
            and (wanted is None or e.person_id == wanted)]


def per_week(entries: Iterable[sp.Entry], first: date, last: date) -> list[tuple[date, int]]:
    """Points per district week (Monday first) from the week of ``first`` to that of ``last``."""
    start = first - timedelta(days=first.weekday())
    weeks = {start + timedelta(days=7 * n): 0
             for n in range((last - start).days // 7 + 1)}
    for entry in entries:
        week = entry.day - timedelta(days=entry.day.weekday())
        if week in weeks:
            weeks[week] += entry.points
    return sorted(weeks.items())


def grids_worked(session: Session, person_id: int) -> set[int]:
    """The grids of the residents a person has visited and of the requests they raised or
    hold: where their points come from."""
    visited = set(session.scalars(select(Resident.grid_id).join(Visit, Visit.resident_id ==
                                                               Resident.id)
                                  .where(Visit.author_id == person_id).distinct()))
    s = ServiceRequest
    tasks = set(session.scalars(select(s.grid_id).where(
        (s.raised_by_id == person_id) | (s.owner_id == person_id)).distinct()))
    moved = set(session.scalars(select(s.grid_id).join(RequestMove, RequestMove.request_id ==
                                                       s.id)
                                .where(RequestMove.person_id == person_id).distinct()))
    return visited | tasks | moved
