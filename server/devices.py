"""Device bookkeeping: which tablet a sign-in is for, and what the server notes about a tablet
at each contact (its name, app and protocol versions, clock skew, last upload and update).

The API views call these; the token itself is :mod:`server.auth`'s. Nothing here commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import measure_skew

from .errors import ApiError
from .models import Device, Person


def device_for_sign_in(session: Session, person: Person, device_id: str, device_name: str,
                       now: datetime) -> Device:
    """The device a person signs in on, locked: theirs already, or new (added to the session).

    A device belongs to the person who first signed it in, and a revoked device id stays
    revoked: both are refused, changing nothing."""
    device = session.get(Device, device_id, with_for_update=True)
    if device is not None and device.person_id != person.id:
        raise ApiError(403, p.ERR_DEVICE_NOT_YOURS,
                       "This device id belongs to another person's tablet; the app must sign "
                       "in with a new device id.", {"action": "new_device_id"})
    if device is not None and device.revoked_at is not None:
        raise ApiError(401, p.ERR_DEVICE_REVOKED,
                       "This device has been revoked; its local data must be wiped.",
                       {"action": "wipe"})
    if device is None:
        device = Device(id=device_id, person_id=person.id, name=device_name,
                        token_hash="", created_at=now)
        session.add(device)
    else:
        device.name = device_name
    return device


def note_sign_in(device: Device, app_version: str | None, protocol: int,
                 now: datetime) -> None:
    device.last_seen_at = now
    device.app_version = app_version
    device.protocol_version = protocol


def note_push(device: Device, body: dict, now: datetime) -> float:
    """Notes an upload; returns how many seconds the device clock runs ahead (shared.clock)."""
    skew = measure_skew(body.get("device_time"), now)
    device.clock_skew_seconds = skew
    device.last_push_at = now
    device.app_version = body.get("app_version") or device.app_version
    device.protocol_version = body["protocol"]
    return skew


def note_pull(device: Device, now: datetime) -> None:
    device.last_pull_at = now
