"""Checks that what the server stores and what the tablets follow agree."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Area, ChangeLogEntry, Conflict, Person, Resident, Visit
from server.sync.records import conflict_payload, resident_payload
from shared import protocol as p
from shared.digest import canonical_json


def assert_records_match_log(session: Session, resident_ids=None) -> None:
    """Every resident (of ``resident_ids``, or all) and every logged conflict, as the tables
    hold it now, equals its latest change-log payload: what every tablet of its grid ends up
    with. Reads afresh."""
    session.rollback()
    session.expire_all()
    logged = {(row.entity, row.entity_id): json.loads(row.payload)
              for row in session.scalars(select(ChangeLogEntry).where(
                  ChangeLogEntry.entity.in_([p.RESIDENT, p.CONFLICT])))}
    residents = select(Resident)
    if resident_ids is not None:
        residents = residents.where(Resident.id.in_(list(resident_ids)))
    stored = {(p.RESIDENT, r.id): resident_payload(r) for r in session.scalars(residents)}
    stored.update({(p.CONFLICT, c.id): conflict_payload(c)
                   for c in session.scalars(select(Conflict))})
    assert_visits_name_what_exists(session)
    # Conflicts made outside the sync code (test fixtures) have no log row: compare the rest.
    for key, payload in stored.items():
        if key[0] == p.CONFLICT and key not in logged:
            continue
        assert key in logged, f"{key} is not in the change log"
        assert json.loads(canonical_json(payload)) == logged[key], \
            f"{key}: the table and the change log disagree"


def assert_visits_name_what_exists(session: Session) -> None:
    """Every visit's grid is a grid and its author a person: the push guarantees it without
    foreign keys on those columns (migration 0008b_visit_reference_checks)."""
    orphans = session.execute(
        select(Visit.id, Visit.grid_id, Visit.author_id)
        .outerjoin(Area, (Area.id == Visit.grid_id) & (Area.level == p.GRID))
        .outerjoin(Person, Person.id == Visit.author_id)
        .where(Area.id.is_(None) | (Visit.author_id.is_not(None) & Person.id.is_(None)))
        .limit(5)).all()
    assert not orphans, f"visits naming a grid or an author that does not exist: {orphans}"
