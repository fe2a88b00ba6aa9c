"""Reading requests for the web view: the board (filtered, newest first, paged), one request
with its timeline, and a department's inbox. Every query is limited to the grids given."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import requests as r

from ..models import Person, Resident
from .models import Department, RequestEvent, ServiceRequest

PAGE = 100
#: Board filters: state groups a supervisor thinks in.
STATE_GROUPS = {
    "open": r.OPEN_STATES,
    "unclaimed": (r.RAISED,),
    "task": (r.CLAIMED, r.IN_PROGRESS, r.REOPENED),
    "department": r.WITH_DEPARTMENT,
    "returned": (r.RETURNED,),
    "done": (r.DONE,),
    "closed": r.FINAL_STATES,
    "all": r.STATES,
}


@dataclass
class BoardFilters:
    grid_ids: set[int] | None  # None: every grid (the admin's whole district)
    states: tuple[str, ...] = r.OPEN_STATES
    category: str | None = None
    department_id: int | None = None
    owner_id: int | None = None
    overdue_on: date | None = None  # only requests overdue on this day
    page: int = 1


def _filtered(query, f: BoardFilters):
    query = query.where(ServiceRequest.state.in_(f.states))
    if f.grid_ids is not None:
        query = query.where(ServiceRequest.grid_id.in_(sorted(f.grid_ids)))
    if f.category:
        query = query.where(ServiceRequest.category == f.category)
    if f.department_id:
        query = query.where(ServiceRequest.department_id == f.department_id)
    if f.owner_id:
        query = query.where(ServiceRequest.owner_id == f.owner_id)
    if f.overdue_on is not None:
        query = query.where(ServiceRequest.due_on < f.overdue_on,
                            ServiceRequest.state.in_([s for s in r.OPEN_STATES if s != r.DONE]))
    return query


def board(session: Session, f: BoardFilters) -> tuple[list, int]:
    """One page of requests (with the resident's name) and how many match in all."""
    if f.grid_ids is not None and not f.grid_ids:
        return [], 0
    total = session.scalar(_filtered(select(func.count()).select_from(ServiceRequest), f))
    rows = session.execute(
        _filtered(select(ServiceRequest, Resident.name)
                  .outerjoin(Resident, Resident.id == ServiceRequest.resident_id), f)
        .order_by(ServiceRequest.raised_at.desc(), ServiceRequest.id)
        .limit(PAGE).offset((max(f.page, 1) - 1) * PAGE)).all()
    return rows, total or 0


def timeline(session: Session, request_id: str) -> list[RequestEvent]:
    return list(session.scalars(select(RequestEvent).where(RequestEvent.request_id == request_id)
                                .order_by(RequestEvent.ordinal)))


def departments(session: Session) -> list[Department]:
    return list(session.scalars(select(Department).where(Department.active)
                                .order_by(Department.name)))


def representatives(session: Session, grid_id: int, today: date) -> list[Person]:
    """Representatives assigned to the grid today: whom a request may be assigned to."""
    from ..models import Assignment
    return list(session.scalars(
        select(Person).join(Assignment, Assignment.person_id == Person.id)
        .where(Assignment.area_id == grid_id, Person.role == "representative", Person.active,
               Assignment.starts_on <= today,
               (Assignment.ends_on.is_(None)) | (Assignment.ends_on >= today))
        .order_by(Person.display_name).distinct()))


def inbox(session: Session, department_id: int, states=None) -> list:
    query = select(ServiceRequest, Resident.address).outerjoin(
        Resident, Resident.id == ServiceRequest.resident_id).where(
        ServiceRequest.department_id == department_id)
    if states:
        query = query.where(ServiceRequest.state.in_(states))
    return session.execute(query.order_by(ServiceRequest.due_on.is_(None), ServiceRequest.due_on,
                                          ServiceRequest.handed_at.desc()).limit(500)).all()
