"""Alerts for community leads, raised as tablets' visits arrive (the request commits).

- A dangerous reading (shared/readings.py, the district's thresholds): the tablet warned the
  volunteer at once; the lead hears of it at the next upload.
- A follow-up at the top of its ladder (shared/follow_up.py): nobody answered three times.
- A visit that found the resident moved away or passed away proposes that status; the resident
  stays on the lists (history kept) until a lead confirms it, then leaves the due lists.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Text, and_, func, or_, select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import utcnow
from shared.district_rules import follows_up
from shared.due import VisitFact
from shared.follow_up import ALERT_SUPERVISOR, ladder_step, no_answers_in_a_row
from shared.readings import dangers
from shared.schemas import EARLIEST_INSTANT

from . import district
from .models import Alert, Person, Resident, UTCDateTime, Visit
from .sync.bulk import among_bound, array_param, bound_array, on_postgres

READING = "reading"
LADDER = "ladder"
STATUS = "status"
KINDS = (READING, LADDER, STATUS)
#: How an alert was closed.
CONFIRMED = "confirmed"  # a proposed status change, made
DISMISSED = "dismissed"  # a proposed status change, refused (the visit was wrong)
SEEN = "seen"  # a reading or ladder alert, dealt with


def raise_for_visits(session: Session, visits: list[dict]) -> list[Alert]:
    """Alerts for newly stored visit rows (``Visit`` column values). Corrections raise none."""
    rules = district.rules()
    raised: list[Alert] = []
    no_answers: dict[str, int] = {}
    for row in visits:
        if row.get("corrects_id"):
            continue
        details, outcome = row.get("details") or {}, row.get("outcome")
        found = dangers(details.get("readings"), rules)
        if found:
            raised.append(_alert(READING, row, {"dangers": [
                {"reading": d.reading, "value": d.value, "direction": d.direction,
                 "limit": d.limit} for d in found]}))
        if outcome in p.STATUS_PROPOSING_OUTCOMES:
            raised.append(_alert(STATUS, row, {"status": p.STATUS_PROPOSING_OUTCOMES[outcome]}))
        if outcome == p.NO_ANSWER:
            no_answers[row["resident_id"]] = row["grid_id"]
    raised += _ladder_alerts(session, no_answers, rules)
    session.add_all(raised)
    return raised


def _alert(kind: str, row: dict, detail: dict) -> Alert:
    return Alert(kind=kind, resident_id=row["resident_id"], grid_id=row["grid_id"],
                 visit_id=row["id"], detail=detail, raised_at=utcnow())


@lru_cache(maxsize=None)
def _ladder_statements(postgres: bool):
    """The ladder's statements, built once per kind of database (bulk.among_bound): the open
    ladder alerts among residents, their profiles, corrections of their visits and (on
    PostgreSQL) their visits since they were last met."""
    columns = (Visit.resident_id, Visit.id, Visit.visited_at, Visit.outcome, Visit.corrects_id,
               Visit.correction)
    already = select(Alert.resident_id).where(
        Alert.kind == LADDER, Alert.closed_at.is_(None),
        among_bound(Alert.resident_id, "ids", postgres))
    profiles = select(Resident.id, Resident.grid_id, Resident.care_categories,
                      Resident.birth_year, Resident.risk_tier, Resident.last_met_at).where(
        among_bound(Resident.id, "ids", postgres))
    corrections = select(*columns).where(among_bound(Visit.resident_id, "ids", postgres),
                                         Visit.corrects_id.is_not(None))
    recent = None
    if postgres:
        # One statement whatever the residents: per resident, a range of its visits' index.
        keys = func.unnest(array_param("ids", Text()), array_param("since", UTCDateTime())
                           ).table_valued("id", "since").render_derived()
        recent = select(*columns).select_from(keys).join(Visit, and_(
            Visit.resident_id == keys.c.id, Visit.visited_at >= keys.c.since))
    return columns, already, profiles, corrections, recent


def _ladder_alerts(session: Session, residents: dict[str, int], rules) -> list[Alert]:
    if not residents:
        return []
    postgres = on_postgres(session)
    _columns, already_open, profiles_of, _corrections, _recent = _ladder_statements(postgres)
    already = set(session.scalars(already_open, {"ids": bound_array(residents, postgres)}))
    wanted = [rid for rid in residents if rid not in already]
    if not wanted:
        return []
    today = district.today()
    profiles = {row.id: row for row in session.execute(
        profiles_of, {"ids": bound_array(wanted, postgres)})}
    history = _since_last_met(session, profiles)
    raised = []
    for resident_id in wanted:
        profile = profiles.get(resident_id)
        if profile is None:
            continue
        follows = follows_up(profile.care_categories, profile.birth_year, profile.risk_tier,
                             today, rules)
        if ladder_step(follows, history[resident_id]) == ALERT_SUPERVISOR:
            last = max(history[resident_id], key=lambda v: v.visited_at)
            raised.append(Alert(kind=LADDER, resident_id=resident_id, grid_id=profile.grid_id,
                                visit_id=last.id, detail={"no_answers": no_answers_in_a_row(history[resident_id])},
                                raised_at=utcnow()))
    return raised


def _since_last_met(session: Session, profiles: dict) -> dict[str, list[VisitFact]]:
    """The visits that decide each resident's ladder step: those since the resident was last
    met (that meeting included; ``last_met_at`` as the push just stored it) and every record
    correcting one of theirs, whatever its own date. Earlier visits cannot change the count
    (the meeting resets it), so an upload costs the same after years of visits as on the
    first day. Found through ix_visits_resident_time and ix_visits_corrections."""
    history: dict[str, list[VisitFact]] = defaultdict(list)
    if not profiles:
        return history
    postgres = on_postgres(session)
    columns, _already, _profiles, corrections, recent = _ladder_statements(postgres)
    ids = list(profiles)
    parameters = {"ids": bound_array(ids, postgres)}
    if postgres:
        queries = [(recent, {**parameters, "since": bound_array(
            [profiles[rid].last_met_at or EARLIEST_INSTANT for rid in ids], postgres)}),
                   (corrections, parameters)]
    else:
        queries = [(select(*columns).where(or_(*(
            and_(Visit.resident_id == rid, Visit.visited_at >= row.last_met_at)
            if row.last_met_at is not None else Visit.resident_id == rid
            for rid, row in profiles.items()))), {}), (corrections, parameters)]
    seen: set[str] = set()
    for query, values in queries:
        for row in session.execute(query, values):
            if row.id not in seen:
                seen.add(row.id)
                history[row.resident_id].append(VisitFact(
                    row.id, row.visited_at, row.outcome, row.corrects_id, row.correction))
    return history


def open_alerts(session: Session, grid_ids: set[int] | None) -> list[tuple[Alert, Resident]]:
    """Open alerts of the grids (None: all), newest first, with their residents."""
    query = select(Alert, Resident).join(Resident, Resident.id == Alert.resident_id).where(
        Alert.closed_at.is_(None))
    if grid_ids is not None:
        query = query.where(Alert.grid_id.in_(list(grid_ids)))
    return list(session.execute(query.order_by(Alert.raised_at.desc(), Alert.id.desc())))


def close(session: Session, alert: Alert, person: Person, resolution: str,
          now: datetime | None = None) -> None:
    """Close ``alert``; confirming a proposed status changes the resident's status (through
    the change log, so tablets learn of it), which takes them off the due lists."""
    if alert.closed_at is not None:
        return
    if resolution == CONFIRMED:
        if alert.kind != STATUS:
            raise ValueError("only a proposed status change is confirmed")
        from .sync.edits import edit_resident, lock_resident
        resident = lock_resident(session, alert.resident_id)
        if resident is not None:
            edit_resident(session, person, resident, {"status": alert.detail["status"]})
    alert.closed_at = now or utcnow()
    alert.closed_by_id = person.id
    alert.resolution = resolution
