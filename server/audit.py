"""The audit log: who read and changed what, from which tablet or address, and when.

A change to a resident's master record keeps the field's previous and new value (``before`` and
``after`` in ``detail``), so the record's history can be told from the log alone; the log is
shown only to those who may see that resident. Visits and case notes are append-only records
that name their own author and tablet: their audit rows name the fields written, not the values.
Rows of one request are written together (:func:`audit_rows`), so a push of 500 ops adds one
bulk insert, not 500 round trips.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import has_request_context, request
from sqlalchemy.orm import Session

from shared.clock import utcnow

from .models import AuditEntry

#: Where a change came from (``detail["source"]``).
FROM_TABLET = "tablet"
FROM_WEB = "web"
FROM_IMPORT = "import"
FROM_CONFLICT = "conflict"


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def audit(session: Session, action: str, *, person_id: int | None = None,
          device_id: str | None = None, entity: str | None = None, entity_id: str | None = None,
          grid_id: int | None = None, detail: dict | None = None) -> None:
    session.add(AuditEntry(action=action, person_id=person_id, device_id=device_id,
                           entity=entity, entity_id=entity_id, grid_id=grid_id,
                           detail=detail or {}, remote_addr=client_address()))


#: ``audit_row``'s default address: the current request's, asked for each row.
OF_REQUEST = object()


def audit_row(action: str, *, at: datetime | None = None, person_id: int | None = None,
              device_id: str | None = None, entity: str | None = None,
              entity_id: str | None = None, grid_id: int | None = None,
              detail: dict | None = None, remote_addr: str | None | object = OF_REQUEST) -> dict:
    """One audit row as a plain dict, for :func:`audit_rows`. A caller writing many rows
    passes ``remote_addr`` as it asked :func:`client_address` once (None included)."""
    return {"at": at or utcnow(), "person_id": person_id, "device_id": device_id,
            "action": action, "entity": entity, "entity_id": entity_id, "grid_id": grid_id,
            "detail": detail or {},
            "remote_addr": client_address() if remote_addr is OF_REQUEST else remote_addr}


def audit_rows(session: Session, rows: list[dict]) -> None:
    """Write many audit rows in one bulk insert (COPY on PostgreSQL)."""
    from .sync.bulk import insert_rows
    insert_rows(session, AuditEntry.__table__, rows)


def change_detail(source: str, before: dict, after: dict, fields=None, **extra) -> dict:
    """``detail`` of a master-record change: the fields written (``fields``, by default those
    that changed), and the previous and new value of each field whose value changed."""
    return {"source": source, "fields": sorted(after if fields is None else fields),
            "before": _jsonable(before), "after": _jsonable(after), **extra}


def _jsonable(values: dict) -> dict:
    return {name: value.isoformat() if isinstance(value, (date, datetime)) else value
            for name, value in values.items()}
