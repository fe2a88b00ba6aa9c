"""Moving a resident to another grid, with their whole history.

A move rewrites the grid of the resident, their visits, case notes and conflict records, and
logs each of them again at new positions: the new grid's tablets receive them all at their next
pull, exactly like records newly written there. The old grid's tablets receive one *departure*
record (per resident and old grid) that tells them to drop the resident and their history; they
keep every other record and their cursor, so nothing is downloaded again. Departures count
nothing in a grid's digest, so both grids' digests still match the tablets' copies.

Ops a tablet made for the old grid before it heard of the move are still delivered: see
:func:`recent_move_from`, used by the push.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import isoformat, utcnow

from ..models import CaseNote, ChangeLogEntry, Conflict, Person, Resident, ResidentMove, Visit
from .batch import ChangeBatch
from .changelog import Change

_DEPARTURES = uuid.UUID("6b1f0c1e-5d0a-4c55-9f43-2a7f0f6d8e21")
_HISTORY = ((p.VISIT, Visit), (p.NOTE, CaseNote), (p.CONFLICT, Conflict))
VIA_WEB, VIA_IMPORT = "web", "import"


class MoveRefused(ValueError):
    """The move asked for makes no sense (same grid, unknown grid)."""


def departure_id(resident_id: str, grid_id: int) -> str:
    """One departure record per resident and grid it left: a resident who leaves A, comes
    back and leaves again replaces it; leaving B later does not touch A's."""
    return str(uuid.uuid5(_DEPARTURES, f"{resident_id}/{grid_id}"))


def move_resident(session: Session, person: Person | None, resident: Resident, to_grid_id: int,
                  *, via: str, reason: str | None = None,
                  now: datetime | None = None, batch: ChangeBatch | None = None) -> ResidentMove:
    """Move ``resident`` (locked by the caller) and their history to grid ``to_grid_id``.

    The caller checks that the person may reach both grids. With ``batch`` the changes are
    left for the caller to flush (a roster import moves and adds in one log write).
    """
    from_grid_id = resident.grid_id
    if to_grid_id == from_grid_id:
        raise MoveRefused("The resident is already in that grid.")
    now = now or utcnow()
    move = ResidentMove(resident_id=resident.id, from_grid_id=from_grid_id,
                        to_grid_id=to_grid_id, moved_at=now,
                        moved_by_id=person.id if person else None, via=via,
                        reason=(reason or "").strip() or None)
    session.add(move)
    own_batch = batch is None
    batch = batch or ChangeBatch(session)
    resident.grid_id = to_grid_id
    batch.touch_resident(resident)
    keys = []
    for entity, model in _HISTORY:
        session.execute(update(model).where(model.resident_id == resident.id)
                        .values(grid_id=to_grid_id).execution_options(synchronize_session=False))
        keys += [(entity, record_id) for record_id in session.scalars(
            select(model.id).where(model.resident_id == resident.id))]
    for start in range(0, len(keys), 500):  # PostgreSQL refuses enormous IN lists
        for entity, entity_id, payload in session.execute(
                select(ChangeLogEntry.entity, ChangeLogEntry.entity_id, ChangeLogEntry.payload)
                .where(tuple_(ChangeLogEntry.entity, ChangeLogEntry.entity_id)
                       .in_(keys[start:start + 500]))
                .order_by(ChangeLogEntry.position)):
            batch.relog(Change(entity, entity_id, to_grid_id,
                               {**json.loads(payload), "grid_id": to_grid_id}))
    departure = departure_id(resident.id, from_grid_id)
    batch.relog(Change(p.DEPARTURE, departure, from_grid_id, {
        "id": departure, "resident_id": resident.id, "grid_id": from_grid_id,
        "left_at": isoformat(now)}))
    if own_batch:
        batch.flush()
    return move


def recent_move_from(session: Session, resident_id: str, grid_id: int,
                     now: datetime) -> tuple[ResidentMove | None, bool]:
    """The latest move of the resident out of ``grid_id``, and whether it is recent enough
    (``ASSIGNMENT_GRACE_DAYS``) for ops made there before a tablet heard of it to be taken."""
    move = session.scalar(select(ResidentMove).where(
        ResidentMove.resident_id == resident_id, ResidentMove.from_grid_id == grid_id)
        .order_by(ResidentMove.moved_at.desc(), ResidentMove.id.desc()).limit(1))
    if move is None:
        return None, False
    return move, move.moved_at >= now - timedelta(days=p.ASSIGNMENT_GRACE_DAYS)
