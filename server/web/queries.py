"""Every database read behind the web pages. Views stay thin; nothing here commits.

All functions take the :class:`~server.web.access.Scope` of the signed-in person and never
return a row outside it.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (Text, and_, case, cast, false, func, literal_column, null, or_, select,
                        true)
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import utcnow
from shared.due import OVERDUE, DueStatus, cadence_days, due_status
from shared.search import FUZZY, rank

from ..models import (AppliedOp, Area, Assignment, AuditEntry, CaseNote, Conflict, Device,
                      Person, Resident, ResidentMove, Visit)
from ..sync.locks import load_for_update
from .access import Scope
from ..db import LOCAL_DAY_FUNCTION
from ..district import rules as district_rules
from ..district import zone_name
from .timeutil import local_date, local_midnight_utc, local_today

#: Readings a supervisor must see at once (hypertensive crisis thresholds).
SYSTOLIC_FLAG = 180
DIASTOLIC_FLAG = 110
HEALTH_WINDOW_DAYS = 14
STALE_DEVICE_DAYS = 3
CHART_DAYS = 30


def in_grids(column, grid_ids: set[int] | None):
    """``grid_ids`` None: no restriction (an admin's whole district)."""
    if grid_ids is None:
        return true()
    return column.in_(sorted(grid_ids)) if grid_ids else false()


def grid_filter(scope: Scope, area_id: int | None = None) -> set[int] | None:
    """The grid ids to filter by: None when that is every grid (admin, no area chosen)."""
    if area_id is None:
        return None if scope.is_admin else scope.grid_ids
    return scope.grids_below(area_id)


# ---- residents and coverage -----------------------------------------------------------------

@dataclass(slots=True)
class ResidentRow:
    id: str
    name: str
    grid_id: int
    sex: str
    birth_year: int
    address: str
    phone: str | None
    care_categories: list
    status: str
    last_visit_at: datetime | None
    last_met_at: datetime | None
    follow_up_since: datetime | None
    cadence: int
    due: DueStatus
    search_keys: str
    ever_met: bool = False
    match: int = FUZZY  # how well the search matched (shared.search.rank): sorted by first

    @property
    def covered(self) -> bool:
        """Met within their cadence: the measure of this week's coverage."""
        return self.status == "active" and self.ever_met and self.due.status != OVERDUE

    @property
    def overdue(self) -> bool:
        return self.due.status == OVERDUE


def resident_rows(session: Session, grid_ids: set[int] | None, today: date | None = None,
                  brief: bool = False) -> list[ResidentRow]:
    """Every resident of the grids with their due status.

    ``brief``: only the active residents, without name, address, phone and search keys — what
    the dashboard counts (30,000 rows for a district); :func:`fill_names` adds the names of the
    few it lists.
    """
    today = today or local_today()
    # The living situation arrives as JSON text and is parsed once per distinct value: a
    # district has tens of thousands of residents but only a handful of combinations.
    situations: dict[str, list] = {}
    situation = cast(Resident.care_categories, Text).label("situation")
    rules = district_rules()
    if brief:
        # Local days worked out by the database: cheaper than 60,000 aware datetimes.
        dialect = session.get_bind().dialect.name
        columns = [Resident.id, literal_column("''").label("name"), Resident.grid_id,
                   literal_column("''").label("sex"), Resident.birth_year, situation,
                   Resident.risk_tier,
                   literal_column("'active'").label("status"), null().label("last_visit_at"),
                   null().label("last_met_at"), Resident.follow_up_since,
                   Resident.visit_cadence_days,
                   _local_day(Resident.last_met_at, dialect).label("last_met_day"),
                   case((Resident.last_met_at.is_(None),
                         _local_day(Resident.created_at, dialect))).label("since_day")]
    else:
        columns = [Resident.id, Resident.name, Resident.grid_id, Resident.sex,
                   Resident.birth_year, situation, Resident.risk_tier, Resident.status,
                   Resident.last_visit_at,
                   Resident.last_met_at, Resident.follow_up_since, Resident.visit_cadence_days,
                   Resident.created_at, Resident.address, Resident.phone, Resident.search_keys]
    # Cadences depend on a few values shared by many residents: worked out once per value.
    cadences: dict[tuple, int] = {}
    dues: dict[tuple, DueStatus] = {}
    days: dict[str | None, date | None] = {None: None}

    def day(text: str | None) -> date | None:
        if text not in days:
            days[text] = date.fromisoformat(text)
        return days[text]

    query = select(*columns).where(in_grids(Resident.grid_id, grid_ids))
    if brief:
        query = query.where(Resident.status == "active")
    else:
        query = query.order_by(Resident.grid_id, Resident.name)
    rows = []
    for r in session.execute(query):
        situation = situations.get(r.situation)
        if situation is None:
            situation = situations.setdefault(r.situation, json.loads(r.situation or "[]"))
        cadence_key = (r.situation, r.birth_year, r.visit_cadence_days, r.risk_tier)
        cadence = cadences.get(cadence_key)
        if cadence is None:
            cadence = cadences.setdefault(cadence_key, cadence_days(
                situation, r.birth_year, r.visit_cadence_days, today, r.risk_tier, rules))
        if brief:
            last_met, since = day(r.last_met_day), day(r.since_day)
        else:
            last_met = local_date(r.last_met_at)
            since = local_date(r.created_at) if last_met is None else None
        # The status depends only on these few values, and they repeat a lot across a district.
        due_key = (r.status, cadence, last_met, since)
        due = dues.get(due_key)
        if due is None:
            due = dues.setdefault(due_key, due_status(
                status=r.status, care_categories=situation, birth_year=r.birth_year,
                visit_cadence_days=cadence, last_met=last_met, since=since, today=today))
        rows.append(ResidentRow(
            r.id, r.name, r.grid_id, r.sex, r.birth_year, "" if brief else r.address,
            None if brief else r.phone, situation, r.status, r.last_visit_at, r.last_met_at,
            r.follow_up_since, cadence, due, "" if brief else (r.search_keys or ""),
            last_met is not None))
    return rows


def fill_names(session: Session, rows: list[ResidentRow]) -> list[ResidentRow]:
    """Names for rows read with ``brief=True``, for the few a page lists."""
    if rows:
        names = dict(session.execute(select(Resident.id, Resident.name).where(
            Resident.id.in_([row.id for row in rows]))).all())
        for row in rows:
            row.name = names.get(row.id, "")
    return rows


RESIDENT_LISTS = ("active", "covered", "overdue", "follow_up", "health", "all")


def filter_residents(rows: list[ResidentRow], show: str, query: str = "",
                     flagged_ids: set[str] | None = None) -> list[ResidentRow]:
    keep = {
        "active": lambda r: r.status == "active",
        "covered": lambda r: r.covered,
        "overdue": lambda r: r.overdue,
        "follow_up": lambda r: r.status == "active" and r.follow_up_since is not None,
        "health": lambda r: r.id in (flagged_ids or set()),
        "all": lambda r: True,
    }[show]
    chosen = []
    for row in rows:
        if keep(row):
            row.match = rank(query, row.name, row.address, row.search_keys)
            if row.match is not None:
                chosen.append(row)
    if show == "follow_up":
        chosen.sort(key=lambda r: r.follow_up_since)
    elif show == "overdue":
        chosen.sort(key=lambda r: r.due.sort_key)
    if query:  # the exact name first, then the initials, then the rest (a stable sort)
        chosen.sort(key=lambda r: r.match)
    return chosen


@dataclass
class Coverage:
    area: Area
    depth: int
    active: int = 0
    covered: int = 0
    overdue: int = 0
    follow_ups: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.covered / self.active) if self.active else None


def coverage_table(scope: Scope, rows: list[ResidentRow], root_ids: list[int],
                   levels: int) -> list[Coverage]:
    """Coverage of each area in ``root_ids`` and ``levels`` levels below, in tree order."""
    per_area: dict[int, Coverage] = {}

    def entry(area_id: int, depth: int) -> Coverage:
        if area_id not in per_area:
            per_area[area_id] = Coverage(scope.areas[area_id], depth)
        return per_area[area_id]

    children: dict[int, list[int]] = defaultdict(list)
    visible = scope.visible_area_ids()
    for area in scope.areas.values():
        if area.parent_id is not None and area.id in visible:
            children[area.parent_id].append(area.id)
    ordered: list[Coverage] = []

    def walk(area_id: int, depth: int) -> None:
        ordered.append(entry(area_id, depth))
        if depth < levels:
            for child in sorted(children[area_id], key=lambda a: scope.areas[a].code):
                walk(child, depth + 1)

    for root in root_ids:
        walk(root, 0)
    chains = {grid: scope.ancestors(grid) for grid in {row.grid_id for row in rows}}
    for row in rows:
        if row.status != "active":
            continue
        for area_id in chains[row.grid_id]:
            if area_id in per_area:
                cov = per_area[area_id]
                cov.active += 1
                cov.covered += row.covered
                cov.overdue += row.overdue
                cov.follow_ups += row.follow_up_since is not None
    return ordered


def dashboard_roots(scope: Scope) -> tuple[list[int], int]:
    """Where the dashboard's coverage table starts, and how many levels below it shows.

    Several streets (the admin): streets and their communities. One street: the street, its
    communities and their grids. One community: the community and its grids.
    """
    visible = scope.visible_area_ids()

    def at_level(level: str) -> list[int]:
        return sorted((a for a in visible if scope.areas[a].level == level),
                      key=lambda a: scope.areas[a].code)

    streets, communities = at_level(p.STREET), at_level(p.COMMUNITY)
    if len(streets) > 1:
        return streets, 1
    if len(communities) > 1:
        return streets, 2
    return communities, 1


# ---- visits ---------------------------------------------------------------------------------

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


def _local_day(column, dialect: str):
    """The district's calendar day of a UTC instant column, in SQL ('YYYY-MM-DD')."""
    zone = literal_column("'" + zone_name().replace("'", "''") + "'")  # a validated zone name
    if dialect == "postgresql":
        # A literal, not a parameter, so that the same expression can be grouped by.
        return func.to_char(func.timezone(zone, column), "YYYY-MM-DD")
    # SQLite knows no zones: the engine registers this function (server.db).
    return getattr(func, LOCAL_DAY_FUNCTION)(column, zone)


def visits_per_day(session: Session, grid_ids: set[int] | None,
                   days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Knocks recorded per local day over the last ``days`` days, today included.

    Corrections are not counted again, and a voided visit does not count at all.
    """
    today = local_today()
    first = today - timedelta(days=days - 1)
    since = local_midnight_utc(first)
    voided = voided_visit_ids(session, grid_ids, since)
    day = _local_day(Visit.visited_at, session.get_bind().dialect.name).label("day")
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


# ---- one resident ---------------------------------------------------------------------------

def resident_in_scope(session: Session, scope: Scope, resident_id: str,
                      for_update: bool = False) -> Resident | None:
    """``for_update``: to change it; locked and read afresh (server.sync.locks), before anything
    of it is read, so a check like "changed since the form was loaded" sees the latest row."""
    resident = (load_for_update(session, Resident, resident_id) if for_update
                else session.get(Resident, resident_id))
    return resident if resident is not None and scope.allows_grid(resident.grid_id) else None


@dataclass
class TimelineVisit:
    visit: Visit
    author: str | None
    superseded_by: str | None  # "void" or "amend" when a later correction replaced it


def resident_visits(session: Session, resident_id: str, limit: int = 200) -> list[TimelineVisit]:
    rows = session.execute(select(Visit, Person.display_name)
                           .outerjoin(Person, Person.id == Visit.author_id)
                           .where(Visit.resident_id == resident_id)
                           .order_by(Visit.visited_at.desc(), Visit.id).limit(limit)).all()
    corrections = {v.corrects_id: v.correction for v, _ in rows if v.corrects_id}
    return [TimelineVisit(v, author, corrections.get(v.id)) for v, author in rows]


def resident_notes(session: Session, resident_id: str, limit: int = 200):
    rows = session.execute(select(CaseNote, Person.display_name)
                           .outerjoin(Person, Person.id == CaseNote.author_id)
                           .where(CaseNote.resident_id == resident_id)
                           .order_by(CaseNote.written_at.desc()).limit(limit)).all()
    corrections = {n.corrects_id: n.correction for n, _ in rows if n.corrects_id}
    return [(note, author, corrections.get(note.id)) for note, author in rows]


def resident_conflicts(session: Session, resident_id: str) -> list[Conflict]:
    return list(session.scalars(select(Conflict).where(Conflict.resident_id == resident_id)
                                .order_by(Conflict.detected_at.desc())))


def resident_moves(session: Session, resident_id: str) -> list[tuple]:
    """The resident's moves between grids, newest first: (move, who moved them)."""
    return list(session.execute(
        select(ResidentMove, Person.display_name)
        .outerjoin(Person, Person.id == ResidentMove.moved_by_id)
        .where(ResidentMove.resident_id == resident_id)
        .order_by(ResidentMove.moved_at.desc(), ResidentMove.id.desc())).tuples())


# ---- conflicts ------------------------------------------------------------------------------

def conflicts(session: Session, scope: Scope, status: str = "open", limit: int = 500):
    """(conflict, its resident as it is now) pairs: the card shows the field's current value."""
    query = (select(Conflict, Resident).join(Resident, Resident.id == Conflict.resident_id)
             .where(in_grids(Conflict.grid_id, grid_filter(scope)))
             .order_by(Conflict.detected_at).limit(limit))
    if status != "all":
        query = query.where(Conflict.status == status)
    return session.execute(query).all()


def count_open_conflicts(session: Session, scope: Scope) -> int:
    return session.scalar(select(func.count()).select_from(Conflict).where(
        Conflict.status == "open", in_grids(Conflict.grid_id, grid_filter(scope))))


def conflict_in_scope(session: Session, scope: Scope, conflict_id: str) -> Conflict | None:
    conflict = session.get(Conflict, conflict_id)
    return conflict if conflict is not None and scope.allows_grid(conflict.grid_id) else None


def rejected_ops(session: Session, scope: Scope, limit: int = 100):
    return session.scalars(select(AppliedOp).where(
        AppliedOp.status == p.REJECTED, in_grids(AppliedOp.grid_id, grid_filter(scope)))
        .order_by(AppliedOp.received_at.desc()).limit(limit)).all()


# ---- people, assignments, tablets -----------------------------------------------------------

def current_assignment_filter(today: date):
    return and_(Assignment.starts_on <= today,
                or_(Assignment.ends_on.is_(None), Assignment.ends_on >= today))


def managed_people_filter(scope: Scope, today: date | None = None):
    """People with an assignment current today inside the supervisor's own area.

    Not anyone who once helped there (a past assignment), and not people placed in the areas
    above it (a community supervisor does not manage the street's people)."""
    assigned = select(Assignment.person_id).where(
        Assignment.area_id.in_(sorted(scope.own_area_ids)),
        current_assignment_filter(today or local_today()))
    return or_(Person.id.in_(assigned), Person.id == scope.person.id)


def people_in_scope(session: Session, scope: Scope, include_inactive: bool = True) -> list[Person]:
    """Admin: everybody. Supervisor: themselves and the people of :func:`managed_people_filter`."""
    query = select(Person).order_by(Person.role.desc(), Person.display_name)
    if not include_inactive:
        query = query.where(Person.active.is_(True))
    if scope.is_admin:
        return list(session.scalars(query))
    return list(session.scalars(query.where(managed_people_filter(scope))))


def person_in_scope(session: Session, scope: Scope, person_id: int) -> Person | None:
    if scope.is_admin:
        return session.get(Person, person_id)
    return session.scalar(select(Person).where(Person.id == person_id,
                                               managed_people_filter(scope)))


def assignments_of(session: Session, person_id: int) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.person_id == person_id)
                                .order_by(Assignment.starts_on.desc())))


def grid_assignments(session: Session, grid_id: int, today: date | None = None):
    today = today or local_today()
    return session.execute(select(Assignment, Person).join(Person)
                           .where(Assignment.area_id == grid_id,
                                  or_(Assignment.ends_on.is_(None), Assignment.ends_on >= today))
                           .order_by(Person.display_name)).all()


def devices_in_scope(session: Session, scope: Scope, person_id: int | None = None):
    query = select(Device, Person).join(Person).order_by(Person.display_name, Device.created_at)
    if person_id is not None:
        query = query.where(Device.person_id == person_id)
    elif not scope.is_admin:
        people = [person.id for person in people_in_scope(session, scope)]
        query = query.where(Device.person_id.in_(people))
    return session.execute(query).all()


def last_sync(device: Device) -> datetime | None:
    moments = [m for m in (device.last_push_at, device.last_pull_at) if m is not None]
    return max(moments) if moments else None


def is_stale(device: Device, now: datetime | None = None) -> bool:
    """A tablet still in use that has not synced for more than three days."""
    if device.revoked_at is not None:
        return False
    now = now or utcnow()
    reference = last_sync(device) or device.created_at
    return reference < now - timedelta(days=STALE_DEVICE_DAYS)


def stale_devices(session: Session, scope: Scope):
    """The rule of :func:`is_stale`, in SQL: a district has a thousand tablets or more."""
    cutoff = utcnow() - timedelta(days=STALE_DEVICE_DAYS)
    query = (select(Device, Person).join(Person).where(
        Device.revoked_at.is_(None),
        or_(Device.last_push_at.is_(None), Device.last_push_at < cutoff),
        or_(Device.last_pull_at.is_(None), Device.last_pull_at < cutoff),
        or_(Device.last_push_at.is_not(None), Device.last_pull_at.is_not(None),
            Device.created_at < cutoff))
        .order_by(Person.display_name, Device.created_at))
    if not scope.is_admin:
        people = [person.id for person in people_in_scope(session, scope)]
        query = query.where(Device.person_id.in_(people))
    return session.execute(query).all()


def device_in_scope(session: Session, scope: Scope, device_id: str) -> Device | None:
    device = session.get(Device, device_id)
    if device is None or person_in_scope(session, scope, device.person_id) is None:
        return None
    return device


# ---- areas ----------------------------------------------------------------------------------

def grids_for_choice(scope: Scope) -> list[Area]:
    return sorted((scope.areas[g] for g in scope.grid_ids), key=lambda a: a.code)


def areas_for_choice(scope: Scope) -> list[Area]:
    """Every area a filter may name: the visible streets, communities and grids."""
    return sorted((scope.areas[a] for a in scope.visible_area_ids()
                   if scope.areas[a].level != p.DISTRICT or scope.is_admin),
                  key=lambda a: (p.AREA_LEVELS.index(a.level), a.code))


# ---- audit ----------------------------------------------------------------------------------

def _audit_query(limit: int):
    """Audit rows with the names a person reads: who, which resident, which tablet."""
    return (select(AuditEntry, Person.display_name, Resident.name, Device.name)
            .outerjoin(Person, Person.id == AuditEntry.person_id)
            .outerjoin(Resident, and_(AuditEntry.entity == p.RESIDENT,
                                      Resident.id == AuditEntry.entity_id))
            .outerjoin(Device, Device.id == AuditEntry.device_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))


def audit_entries(session: Session, scope: Scope, *, resident_id: str | None = None,
                  person_id: int | None = None, action: str | None = None,
                  first: date | None = None, last: date | None = None, limit: int = 300):
    """The audit log a person may read, newest first. ``first``/``last``: local days."""
    query = _audit_query(limit)
    if not scope.is_admin:
        # A supervisor sees what happened in their grids, and their own actions.
        query = query.where(or_(in_grids(AuditEntry.grid_id, scope.grid_ids),
                                AuditEntry.person_id == scope.person.id))
    if resident_id:
        query = query.where(AuditEntry.entity == p.RESIDENT, AuditEntry.entity_id == resident_id)
    if person_id:
        query = query.where(AuditEntry.person_id == person_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if first is not None:
        query = query.where(AuditEntry.at >= local_midnight_utc(first))
    if last is not None:
        query = query.where(AuditEntry.at < local_midnight_utc(last + timedelta(days=1)))
    return session.execute(query).all()


def resident_audit(session: Session, resident_id: str, limit: int = 100):
    """A resident's 操作记录: every read and change of the record, from any source."""
    return session.execute(_audit_query(limit).where(
        AuditEntry.entity == p.RESIDENT, AuditEntry.entity_id == resident_id)).all()


def audit_actions(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditEntry.action).distinct()))


# ---- exports --------------------------------------------------------------------------------

def export_residents(session: Session, grid_ids: set[int] | None):
    return session.execute(select(Resident, Area.name, Area.code)
                           .join(Area, Area.id == Resident.grid_id)
                           .where(in_grids(Resident.grid_id, grid_ids))
                           .order_by(Area.code, Resident.name))


def export_visits(session: Session, grid_ids: set[int] | None, first: date, last: date):
    return session.execute(
        select(Visit, Resident.name, Area.code, Person.display_name)
        .join(Resident, Resident.id == Visit.resident_id)
        .join(Area, Area.id == Visit.grid_id)
        .outerjoin(Person, Person.id == Visit.author_id)
        .where(in_grids(Visit.grid_id, grid_ids),
               Visit.visited_at >= local_midnight_utc(first),
               Visit.visited_at < local_midnight_utc(last + timedelta(days=1)))
        .order_by(Visit.visited_at, Visit.id))


def summarise(rows: list[ResidentRow]) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        counts["all"] += 1
        if row.status == "active":
            counts["active"] += 1
        counts["covered"] += row.covered
        counts["overdue"] += row.overdue
        counts["follow_up"] += row.status == "active" and row.follow_up_since is not None
    return counts


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(Person.id).where(Person.username == username)) is not None


def resident_history_counts(session: Session, resident_id: str) -> dict[str, int]:
    """How many visits, case notes and conflict records move with a resident."""
    return {name: session.scalar(select(func.count()).select_from(model).where(
        model.resident_id == resident_id)) or 0
        for name, model in (("visits", Visit), ("notes", CaseNote), ("conflicts", Conflict))}
