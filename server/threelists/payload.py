"""The wire form of a request: what the change log stores and a pull sends to its grid.

The timeline names people, never devices (a device id must not reach another person's
tablet); the server's own rows keep the device for supervisors.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clock import isoformat

from .models import RequestEvent, ServiceRequest
from .workdays import is_provisional


def _instant(value):
    return isoformat(value) if value is not None else None


def _day(value):
    return value.isoformat() if value is not None else None


def event_payload(event: RequestEvent) -> dict:
    return {"id": event.id, "action": event.action, "at": _instant(event.at),
            "person_id": event.person_id, "person_name": event.person_name, "via": event.via,
            "data": event.data or {}}


def request_payload(session: Session, request: ServiceRequest) -> dict:
    events = session.scalars(select(RequestEvent).where(RequestEvent.request_id == request.id)
                             .order_by(RequestEvent.ordinal))
    return {
        "id": request.id, "grid_id": request.grid_id, "resident_id": request.resident_id,
        "category": request.category, "description": request.description,
        "urgency": request.urgency, "location": request.location, "channel": request.channel,
        "visit_id": request.visit_id, "raised_by_id": request.raised_by_id,
        "raised_by_name": request.raised_by_name, "raised_at": _instant(request.raised_at),
        "state": request.state, "state_since": _instant(request.state_since),
        "owner_id": request.owner_id, "owner_name": request.owner_name,
        "owner_since": _instant(request.owner_since), "plan": request.plan,
        "department_id": request.department_id, "handed_at": _instant(request.handed_at),
        "due_on": _day(request.due_on), "due_provisional": is_provisional(request.due_on),
        "done_at": _instant(request.done_at),
        "verdict": request.verdict, "closed_at": _instant(request.closed_at),
        "timeline": [event_payload(event) for event in events],
    }
