"""Writing the demo district into a database (:func:`seed_demo`), and wiping one."""
from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from shared import protocol as p
from shared.clock import utcnow
from shared.due import OVERDUE, due_status

from .. import district
from ..alerts import raise_for_visits
from ..models import Area, Assignment, Base, Pairing, Person, Resident
from ..sync.batch import ChangeBatch, ResidentFacts
from ..sync.edits import create_residents
from .history import build_plan
from .plan import PlannedArea, PlannedPerson
from .words import (DEFAULT_RANDOM_SEED, DEMO_PASSWORD, DEMO_PASSWORD_HASH, DISTRICT_NAME,
                    VISITS_PER_BATCH)


@dataclass
class Login:
    username: str
    role: str
    display_name: str
    scope: str


@dataclass
class DemoSummary:
    random_seed: int
    streets: int = 0
    communities: int = 0
    grids: int = 0
    residents: int = 0
    visits: int = 0
    notes: int = 0
    people: int = 0
    field_workers: int = 0
    open_follow_ups: int = 0
    overdue: int = 0
    password: str = DEMO_PASSWORD
    logins: list[Login] = field(default_factory=list)

    def counts_line(self) -> str:
        return (f"{self.streets} streets, {self.communities} communities, {self.grids} grids, "
                f"{self.residents:,} residents, {self.visits:,} visits, {self.notes:,} case notes, "
                f"{self.people} people ({self.field_workers} field workers); "
                f"{self.overdue} overdue today, {self.open_follow_ups} open follow-ups")

    def logins_table(self) -> str:
        rows = [("username", "role", "name", "scope")]
        rows += [(login.username, login.role, login.display_name, login.scope)
                 for login in self.logins]
        widths = [max(display_width(row[i]) for row in rows) for i in range(3)]
        lines = [f"Logins (every demo account's password: {self.password})"]
        for row in rows:
            lines.append("  ".join(pad(cell, width) for cell, width in zip(row, widths))
                         + "  " + row[3])
        return "\n".join(lines)


def display_width(value: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def pad(value: str, width: int) -> str:
    return value + " " * (width - display_width(value))


class DemoDataExists(Exception):
    """The database already holds areas, people or residents: seeding would mix districts."""


# ---- writing it -----------------------------------------------------------------------------

def has_data(session: Session) -> bool:
    return any(session.scalar(select(func.count()).select_from(model)) for model in
               (Area, Person, Resident))


def wipe(engine: Engine) -> None:
    """Delete every row of every table (the schema stays), and restart the change log."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # The audit log's triggers refuse DELETE (it is append-only): set them aside for
            # the wipe and put them back in the same transaction. (PostgreSQL's TRUNCATE does
            # not fire row triggers.)
            triggers = connection.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            for _name, sql in triggers:
                connection.execute(text(sql))
        connection.execute(text("INSERT INTO log_head (id, position, epoch, epoch_since) "
                                "VALUES (1, 0, :epoch, 0)"), {"epoch": str(uuid.uuid4())})


def seed_demo(session: Session, random_seed: int = DEFAULT_RANDOM_SEED,
              now: datetime | None = None) -> DemoSummary:
    """Create the demo district in ``session`` (the caller commits).

    Raises :class:`DemoDataExists` unless the database is empty: a demo mixed into real data
    would be a disaster, and one mixed into another demo a confusing one.
    """
    if has_data(session):
        raise DemoDataExists("The database already has data; seed the demo only into an empty "
                             "one (or wipe it first: `knockdoor seed --demo --reset`).")
    now = (now or utcnow()).replace(microsecond=0)
    plan = build_plan(random_seed, now)
    summary = DemoSummary(random_seed)

    # Areas, a level at a time (children need their parent's id).
    area_ids: dict[str, int] = {}
    areas_by_key = {area.key: area for area in plan.areas}
    for level in p.AREA_LEVELS:
        rows = [area for area in plan.areas if area.level == level]
        made = [Area(level=area.level, name=area.name, code=area.code,
                     parent_id=area_ids[area.parent] if area.parent else None) for area in rows]
        session.add_all(made)
        session.flush()
        area_ids.update({area.key: row.id for area, row in zip(rows, made)})
    summary.streets = sum(a.level == p.STREET for a in plan.areas)
    summary.communities = sum(a.level == p.COMMUNITY for a in plan.areas)
    summary.grids = sum(a.level == p.GRID for a in plan.areas)

    # People and their assignments.
    people: dict[str, Person] = {}
    for planned in plan.people:
        person = Person(username=planned.username, display_name=planned.display_name,
                        role=planned.role, representative_level=planned.representative_level,
                        phone=planned.phone, active=True, created_at=now,
                        password_hash=generate_password_hash(DEMO_PASSWORD,
                                                             method=DEMO_PASSWORD_HASH))
        people[planned.username] = person
    session.add_all(people.values())
    session.flush()
    for planned in plan.people:
        for key in planned.areas:
            session.add(Assignment(person_id=people[planned.username].id,
                                   area_id=area_ids[key], role=planned.role,
                                   starts_on=planned.starts_on, ends_on=None))
        scope = _scope_label(planned, areas_by_key)
        summary.logins.append(Login(planned.username, planned.role, planned.display_name, scope))
    summary.people = len(plan.people)
    summary.field_workers = sum(person.role in p.FIELD_ROLES for person in plan.people)

    # Residents: one bulk write through the roster-import path.
    summary.residents = create_residents(
        session, None, [(area_ids[r.grid], r.fields) for r in plan.residents])
    by_address = {resident.address: resident for resident in session.scalars(select(Resident))}
    residents = [by_address[r.fields["address"]] for r in plan.residents]

    # History, oldest first so every resident's derived visit facts follow along cheaply.
    events = sorted([(v.visited_at, 0, v) for v in plan.visits]
                    + [(n.written_at, 1, n) for n in plan.notes], key=lambda e: (e[0], e[1]))
    visit_facts: dict[str, ResidentFacts] = {}
    for start in range(0, len(events), VISITS_PER_BATCH):
        batch = ChangeBatch(session)
        for _at, kind, event in events[start:start + VISITS_PER_BATCH]:
            resident = residents[event.resident]
            facts = visit_facts.setdefault(resident.id, ResidentFacts.of(resident))
            author = people[event.author]
            if kind == 0:
                batch.add_visit({
                    "id": event.id, "resident_id": resident.id, "grid_id": resident.grid_id,
                    "author_id": author.id, "device_id": None, "visited_at": event.visited_at,
                    "device_time": event.visited_at, "recorded_at": event.recorded_at,
                    "outcome": event.outcome, "details": event.details, "corrects_id": None,
                    "correction": None}, author.display_name, facts)
            else:
                batch.add_note({
                    "id": event.id, "resident_id": resident.id, "grid_id": resident.grid_id,
                    "author_id": author.id, "device_id": None, "written_at": event.written_at,
                    "device_time": event.written_at, "recorded_at": event.written_at,
                    "text": event.text, "corrects_id": None, "correction": None},
                    author.display_name)
        batch.flush()
        # What the supervisors would have been alerted to as these visits arrived.
        raise_for_visits(session, [row for row, _author in batch.visits])
    session.flush()
    for index, username in plan.pairings:
        session.add(Pairing(resident_id=residents[index].id, person_id=people[username].id,
                            starts_on=district.today(now) - timedelta(days=90)))
    # The batches wrote the residents' visit facts directly: read them back.
    session.scalars(select(Resident).execution_options(populate_existing=True)).all()
    summary.visits = len(plan.visits)
    summary.notes = len(plan.notes)

    # The three lists: departments, their accounts and five weeks of requests (issue 14).
    from ..threelists.demo import seed_requests
    summary.logins += [Login(*login) for login in seed_requests(
        session, random.Random(random_seed + 14), now,
        generate_password_hash(DEMO_PASSWORD, method=DEMO_PASSWORD_HASH))]

    today = district.today(now)
    summary.open_follow_ups = sum(r.follow_up_since is not None for r in residents)
    summary.overdue = sum(_is_overdue(r, today) for r in residents)
    return summary


def _is_overdue(resident: Resident, today: date) -> bool:
    return due_status(status=resident.status, care_categories=resident.care_categories,
                      birth_year=resident.birth_year,
                      visit_cadence_days=resident.visit_cadence_days,
                      last_met=resident.last_met_at, since=resident.created_at, today=today,
                      zone=district.district_zone(), risk_tier=resident.risk_tier,
                      rules=district.rules()).status == OVERDUE


def _scope_label(person: PlannedPerson, areas: dict[str, PlannedArea]) -> str:
    if person.role == p.ADMIN:
        return f"{DISTRICT_NAME} (all grids)"
    labels = []
    for key in person.areas:
        area = areas[key]
        labels.append(area.name if area.level != p.COMMUNITY
                      else f"{areas[area.parent].name} {area.name}")
    return ", ".join(labels)
