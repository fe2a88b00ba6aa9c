"""What the exports read: residents and visits of a set of grids, with the names people read
(the grid's name, the resident's address, who visited)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Area, Person, Resident, Visit
from ..timeutil import local_midnight_utc
from .filters import in_grids


def export_residents(session: Session, grid_ids: set[int] | None):
    """(Resident, grid name), grid by grid, by name within a grid."""
    return session.execute(select(Resident, Area.name)
                           .join(Area, Area.id == Resident.grid_id)
                           .where(in_grids(Resident.grid_id, grid_ids))
                           .order_by(Area.code, Resident.name, Resident.id))


def export_visits(session: Session, grid_ids: set[int] | None, first: date, last: date):
    """(Visit, resident name, address, grid name, author) for the district's days first..last."""
    return session.execute(
        select(Visit, Resident.name, Resident.address, Area.name, Person.display_name)
        .join(Resident, Resident.id == Visit.resident_id)
        .join(Area, Area.id == Visit.grid_id)
        .outerjoin(Person, Person.id == Visit.author_id)
        .where(in_grids(Visit.grid_id, grid_ids),
               Visit.visited_at >= local_midnight_utc(first),
               Visit.visited_at < local_midnight_utc(last + timedelta(days=1)))
        .order_by(Visit.visited_at, Visit.id))
