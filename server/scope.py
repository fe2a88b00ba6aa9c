"""Which grids a person may see and write. Checked on the server for every request."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from shared import protocol as p

from .models import Area, Assignment, Person


# Built once (see sync.bulk.among_bound): every push and page asks them, and a statement built
# afresh costs SQLAlchemy its cache key, a walk of the whole statement, every time.
_AREA_TREE = select(Area.id, Area.level, Area.parent_id)
_CURRENT_ASSIGNMENTS = select(Assignment).where(
    Assignment.person_id == bindparam("person_id"), Assignment.starts_on <= bindparam("on"),
    or_(Assignment.ends_on.is_(None), Assignment.ends_on >= bindparam("cutoff")))
_ALL_GRIDS = select(Area.id).where(Area.level == p.GRID)


def grids_under(session: Session, area_ids) -> set[int]:
    """Every grid at or below the given areas (one read of the whole tree: ~1,000 rows)."""
    children: dict[int | None, list[int]] = {}
    levels: dict[int, str] = {}
    for area_id, level, parent_id in session.execute(_AREA_TREE):
        children.setdefault(parent_id, []).append(area_id)
        levels[area_id] = level
    grids: set[int] = set()
    stack = list(area_ids)
    while stack:
        area_id = stack.pop()
        if levels.get(area_id) == p.GRID:
            grids.add(area_id)
        stack.extend(children.get(area_id, ()))
    return grids


def current_assignments(session: Session, person: Person, on: date, grace_days: int = 0):
    cutoff = on - timedelta(days=grace_days)
    return session.scalars(_CURRENT_ASSIGNMENTS,
                           {"person_id": person.id, "on": on, "cutoff": cutoff}).all()


def grids_in_scope(session: Session, person: Person, on: date, grace_days: int = 0) -> set[int]:
    """Grids under the person's assignments current on ``on``; admins reach every grid.

    ``grace_days`` keeps a grid whose assignment ended that recently, so ops a tablet made while
    still assigned are delivered rather than lost.
    """
    if not person.active:
        return set()
    if person.role == p.ADMIN:
        return set(session.scalars(_ALL_GRIDS))
    areas = [a.area_id for a in current_assignments(session, person, on, grace_days)]
    return grids_under(session, areas) if areas else set()
