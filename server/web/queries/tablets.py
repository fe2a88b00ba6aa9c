"""Tablets: the devices of the people in scope, and which have gone quiet."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared.clock import utcnow

from ...models import Device, Person
from ..access import Scope
from .people import people_in_scope, person_in_scope

STALE_DEVICE_DAYS = 3


def devices_in_scope(session: Session, scope: Scope, person_id: int | None = None):
    query = select(Device, Person).join(Person).order_by(Person.display_name, Device.created_at)
    if person_id is not None:
        query = query.where(Device.person_id == person_id)
    elif not scope.is_admin:
        people = [person.id for person in people_in_scope(session, scope)]
        query = query.where(Device.person_id.in_(people))
    return session.execute(query).all()


def last_sync(device: Device) -> datetime | None:
    moments = [m for m in (device.last_push_at, device.last_pull_at) if m is not None]
    return max(moments) if moments else None


def is_stale(device: Device, now: datetime | None = None) -> bool:
    """A tablet still in use that has not synced for more than three days."""
    if device.revoked_at is not None:
        return False
    now = now or utcnow()
    reference = last_sync(device) or device.created_at
    return reference < now - timedelta(days=STALE_DEVICE_DAYS)


def stale_devices(session: Session, scope: Scope):
    """The rule of :func:`is_stale`, in SQL: a district has a thousand tablets or more."""
    cutoff = utcnow() - timedelta(days=STALE_DEVICE_DAYS)
    query = (select(Device, Person).join(Person).where(
        Device.revoked_at.is_(None),
        or_(Device.last_push_at.is_(None), Device.last_push_at < cutoff),
        or_(Device.last_pull_at.is_(None), Device.last_pull_at < cutoff),
        or_(Device.last_push_at.is_not(None), Device.last_pull_at.is_not(None),
            Device.created_at < cutoff))
        .order_by(Person.display_name, Device.created_at))
    if not scope.is_admin:
        people = [person.id for person in people_in_scope(session, scope)]
        query = query.where(Device.person_id.in_(people))
    return session.execute(query).all()


def device_in_scope(session: Session, scope: Scope, device_id: str) -> Device | None:
    device = session.get(Device, device_id)
    if device is None or person_in_scope(session, scope, device.person_id) is None:
        return None
    return device
