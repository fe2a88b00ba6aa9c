"""The audit log a person may read."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shared import protocol as p

from ...models import AuditEntry, Device, Person, Resident
from ..access import Scope
from ..timeutil import local_midnight_utc
from .filters import in_grids


def _audit_query(limit: int):
    """Audit rows with the names a person reads: who, which resident, which tablet."""
    return (select(AuditEntry, Person.display_name, Resident.name, Device.name)
            .outerjoin(Person, Person.id == AuditEntry.person_id)
            .outerjoin(Resident, and_(AuditEntry.entity == p.RESIDENT,
                                      Resident.id == AuditEntry.entity_id))
            .outerjoin(Device, Device.id == AuditEntry.device_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))


def audit_entries(session: Session, scope: Scope, *, resident_id: str | None = None,
                  person_id: int | None = None, action: str | None = None,
                  first: date | None = None, last: date | None = None, limit: int = 300):
    """The audit log a person may read, newest first. ``first``/``last``: local days."""
    query = _audit_query(limit)
    if not scope.is_admin:
        # A supervisor sees what happened in their grids, and their own actions.
        query = query.where(or_(in_grids(AuditEntry.grid_id, scope.grid_ids),
                                AuditEntry.person_id == scope.person.id))
    if resident_id:
        query = query.where(AuditEntry.entity == p.RESIDENT, AuditEntry.entity_id == resident_id)
    if person_id:
        query = query.where(AuditEntry.person_id == person_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if first is not None:
        query = query.where(AuditEntry.at >= local_midnight_utc(first))
    if last is not None:
        query = query.where(AuditEntry.at < local_midnight_utc(last + timedelta(days=1)))
    return session.execute(query).all()


def resident_audit(session: Session, resident_id: str, limit: int = 100):
    """A resident's 操作记录: every read and change of the record, from any source."""
    return session.execute(_audit_query(limit).where(
        AuditEntry.entity == p.RESIDENT, AuditEntry.entity_id == resident_id)).all()


def audit_actions(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditEntry.action).distinct()))
