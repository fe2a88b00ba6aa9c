"""Residents: the lists with their due status, and one resident's record and history."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Text, case, cast, func, literal_column, null, select
from sqlalchemy.orm import Session

from shared.due import OVERDUE, DueStatus, cadence_days, due_status
from shared.search import FUZZY, rank

from ...district import rules as district_rules
from ...models import CaseNote, Conflict, Person, Resident, ResidentMove, Visit
from ...sync.locks import load_for_update
from ..access import Scope
from ..timeutil import local_date, local_today
from .filters import in_grids, local_day


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
                   local_day(Resident.last_met_at, dialect).label("last_met_day"),
                   case((Resident.last_met_at.is_(None),
                         local_day(Resident.created_at, dialect))).label("since_day")]
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


def resident_history_counts(session: Session, resident_id: str) -> dict[str, int]:
    """How many visits, case notes and conflict records move with a resident."""
    return {name: session.scalar(select(func.count()).select_from(model).where(
        model.resident_id == resident_id)) or 0
        for name, model in (("visits", Visit), ("notes", CaseNote), ("conflicts", Conflict))}
