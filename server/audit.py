"""The audit log: who read and changed what. Never holds the personal data itself."""
from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy.orm import Session

from .models import AuditEntry


def audit(session: Session, action: str, *, person_id: int | None = None,
          device_id: str | None = None, entity: str | None = None, entity_id: str | None = None,
          grid_id: int | None = None, detail: dict | None = None) -> None:
    session.add(AuditEntry(action=action, person_id=person_id, device_id=device_id,
                           entity=entity, entity_id=entity_id, grid_id=grid_id,
                           detail=detail or {},
                           remote_addr=request.remote_addr if has_request_context() else None))
