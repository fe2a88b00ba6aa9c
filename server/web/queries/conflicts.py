"""Conflicts and rejected ops of the grids in scope."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import protocol as p

from ...models import AppliedOp, Conflict, Resident
from ..access import Scope
from .filters import grid_filter, in_grids


def conflicts(session: Session, scope: Scope, status: str = "open", limit: int = 500):
    """(conflict, its resident as it is now) pairs: the card shows the field's current value."""
    query = (select(Conflict, Resident).join(Resident, Resident.id == Conflict.resident_id)
             .where(in_grids(Conflict.grid_id, grid_filter(scope)))
             .order_by(Conflict.detected_at).limit(limit))
    if status != "all":
        query = query.where(Conflict.status == status)
    return session.execute(query).all()


def count_open_conflicts(session: Session, scope: Scope) -> int:
    return session.scalar(select(func.count()).select_from(Conflict).where(
        Conflict.status == "open", in_grids(Conflict.grid_id, grid_filter(scope))))


def conflict_in_scope(session: Session, scope: Scope, conflict_id: str) -> Conflict | None:
    conflict = session.get(Conflict, conflict_id)
    return conflict if conflict is not None and scope.allows_grid(conflict.grid_id) else None


def rejected_ops(session: Session, scope: Scope, limit: int = 100):
    return session.scalars(select(AppliedOp).where(
        AppliedOp.status == p.REJECTED, in_grids(AppliedOp.grid_id, grid_filter(scope)))
        .order_by(AppliedOp.received_at.desc()).limit(limit)).all()
