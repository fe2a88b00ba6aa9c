"""Making a move on a request, from a tablet's op, the web view or Open311: one path.

The rule is shared.requests; here the request row is locked, the move checked and applied,
and the event written on the request's timeline. Nothing here commits (the request owns the
transaction) and nothing is logged: the caller logs every request it touched once, after its
last move (:func:`relog`), so a batch of moves on one request writes one log row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared import requests as r
from shared.requests import Actor, Move, Refusal, RequestState

from .. import district
from ..models import Person
from ..sync.batch import ChangeBatch
from ..sync.changelog import Change
from ..sync.locks import load_for_update
from .models import DepartmentStaff, RequestEvent, ServiceRequest
from .payload import request_payload

#: Columns of a request that mirror its RequestState.
_STATE_COLUMNS = ("state", "owner_id", "owner_name", "owner_since", "department_id",
                  "handed_at", "due_on", "done_at", "verdict", "state_since", "claimed_at")

VIA_TABLET = "tablet"
VIA_WEB = "web"
VIA_OPEN311 = "open311"


class MoveRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def actor_for(session: Session, person: Person) -> Actor:
    department = None
    if person.role == r.DEPARTMENT:
        department = session.scalar(select(DepartmentStaff.department_id)
                                    .where(DepartmentStaff.person_id == person.id))
    return Actor(person.id, person.role, person.display_name, department)


def state_of(request: ServiceRequest | None) -> RequestState | None:
    if request is None:
        return None
    return RequestState(**{name: getattr(request, name) for name in _STATE_COLUMNS})


def lock(session: Session, request_id: str) -> ServiceRequest | None:
    return load_for_update(session, ServiceRequest, request_id)


@dataclass
class Made:
    """Where a move was made: when (``at``: the person's time), how, from which device."""

    at: datetime
    now: datetime
    via: str
    device_id: str | None = None


def raise_request(session: Session, request_id: str, event_id: str, grid_id: int, actor: Actor,
                  data: dict, made: Made) -> ServiceRequest:
    """A new request (the caller has checked the grid, the resident and the category)."""
    move = Move(r.RAISE, data)
    refusal = r.check(None, actor, move)
    if refusal:
        raise MoveRefused(refusal)
    state = r.apply(None, actor, move, made.at)
    request = ServiceRequest(
        id=request_id, grid_id=grid_id, resident_id=data.get("resident_id"),
        category=data["category"], description=data.get("description") or "",
        urgency=data.get("urgency") or "normal", location=data.get("location"),
        channel=data.get("channel") or "visit", visit_id=data.get("visit_id"),
        raised_by_id=actor.person_id if actor.person_id else None,
        raised_by_name=actor.name or None, raised_at=made.at, version=0, events_count=0)
    _store_state(request, state)
    session.add(request)
    session.flush()  # its events refer to it
    _add_event(session, request, event_id, actor, move, made)
    return request


def make_move(session: Session, request: ServiceRequest, event_id: str, actor: Actor,
              move: Move, made: Made) -> ServiceRequest:
    """Check and apply ``move`` on a request the caller locked (:func:`lock`)."""
    before = state_of(request)
    refusal = r.check(before, actor, move)
    if refusal:
        raise MoveRefused(refusal)
    after = r.apply(before, actor, move, made.at)
    _store_state(request, after)
    if move.action == r.CLAIM and move.data.get("plan"):
        request.plan = move.data["plan"]
    if after.state == r.DONE and request.first_done_at is None:
        request.first_done_at = made.at
        request.done_on = district.today(made.at)
    if after.claimed_at is not None and request.response_seconds is None:
        request.response_seconds = max(0, int((after.claimed_at - request.raised_at)
                                              .total_seconds()))
    if move.action == r.VERDICT:
        request.verdict_at = made.at
    if move.action == r.HAND_OVER:
        request.due_working_days = move.data.get("working_days")
    request.closed_at = made.at if after.state in r.FINAL_STATES else None
    _add_event(session, request, event_id, actor, move, made)
    return request


def _store_state(request: ServiceRequest, state: RequestState) -> None:
    for name in _STATE_COLUMNS:
        setattr(request, name, getattr(state, name))


def _add_event(session: Session, request: ServiceRequest, event_id: str, actor: Actor,
               move: Move, made: Made) -> None:
    request.events_count = (request.events_count or 0) + 1
    data = {key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in move.data.items() if value not in (None, "")}
    session.add(RequestEvent(id=event_id, request_id=request.id, ordinal=request.events_count,
                             action=move.action, at=made.at, recorded_at=made.now,
                             person_id=actor.person_id or None, person_name=actor.name or None,
                             device_id=made.device_id, via=made.via, data=data))


def relog(session: Session, batch: ChangeBatch, requests) -> None:
    """Write each request to the change log (at the batch's flush), as it stands now."""
    session.flush()
    for request in requests:
        batch.relog(Change(p.REQUEST, request.id, request.grid_id,
                           request_payload(session, request)))


def stamp_versions(requests, positions: dict) -> None:
    """After the batch's flush: each request's version is its new log position."""
    for request in requests:
        position = positions.get((p.REQUEST, request.id))
        if position is not None:
            request.version = position
