"""People and their assignments: whom a supervisor manages."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ...models import Assignment, Person
from ..access import Scope
from ..timeutil import local_today


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


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(Person.id).where(Person.username == username)) is not None
