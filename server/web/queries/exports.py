"""The rows of the exports."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Area, Person, Resident, Visit
from ..timeutil import local_midnight_utc
from .filters import in_grids


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
