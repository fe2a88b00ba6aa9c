"""Changes made on the server itself (web view, roster import, conflict settlement).

They go through the same field stamps and change log as pushed ops, so they reach the grid's
tablets at their next pull. A server-side edit has seen everything committed before it, so its
knowledge (``base``) is the current head of the log: it supersedes what it saw, and a tablet's
stale offline edit arriving later becomes a conflict instead of silently undoing it.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared import resident_fields
from shared.clock import isoformat, utcnow
from shared.merge import Candidate, FieldStamp
from shared.search import SEARCHED_FIELDS, search_keys

from ..models import Conflict, Person, Resident
from . import changelog, stamps
from .batch import ChangeBatch, ResidentFacts
from .locks import load_all_for_update, load_for_update
from .stamps import PENDING_VERSION


class ServerWriter:
    """The server as a writer of fields: it has seen the whole log (its base is the head)."""

    def __init__(self, session: Session, person: Person | None) -> None:
        """``person`` None: the system itself (seeding, data migrations)."""
        self.stamp = FieldStamp(PENDING_VERSION, "", 0, changelog.head_position(session),
                                f"server-{uuid.uuid4()}")
        self.meta = {"p": person.id if person else None,
                     "n": person.display_name if person else None, "t": isoformat(utcnow())}

    def candidates(self, value) -> list[dict]:
        return stamps.dump([Candidate(self.stamp, value, self.meta)])


def build_resident(resident_id: str, grid_id: int, fields: dict, writer,
                   created_at: datetime | None = None) -> Resident:
    """A new resident from validated ResidentData, every given field stamped by ``writer``
    (anything with ``candidates(value)``: a ServerWriter, or a pushed op's writer).
    ``created_at``: when they joined the roster, if not now (the demo's year of history)."""
    resident = Resident(id=resident_id, grid_id=grid_id, version=0,
                        created_at=created_at or utcnow(),
                        **{**resident_fields.defaults(), **fields})
    resident.search_keys = search_keys(resident.name, resident.address, resident.phone)
    resident.field_stamps = {name: writer.candidates(value) for name, value in fields.items()}
    return resident


def lock_resident(session: Session, resident_id: str) -> Resident | None:
    """The resident, locked and read afresh (:func:`.locks.load_for_update`): call it before
    reading anything of the resident that a write will depend on."""
    return load_for_update(session, Resident, resident_id)


def create_resident(session: Session, person: Person | None, grid_id: int, fields: dict,
                    resident_id: str | None = None) -> Resident:
    """Add a resident to a grid's roster. ``fields``: already validated ResidentData."""
    resident = build_resident(resident_id or str(uuid.uuid4()), grid_id, fields,
                              ServerWriter(session, person))
    session.add(resident)
    batch = ChangeBatch(session)
    batch.touch_resident(resident)
    batch.flush()
    return resident


def create_residents(session: Session, person: Person | None, rows: list[tuple[int, dict]],
                     ids: list[str] | None = None, created_at: datetime | None = None) -> int:
    """Bulk form of :func:`create_resident` for roster imports: one log write for all rows.
    ``ids``: the new residents' ids, one per row (the caller audits them); random otherwise."""
    writer = ServerWriter(session, person)
    batch = ChangeBatch(session)
    for index, (grid_id, fields) in enumerate(rows):
        resident = build_resident(ids[index] if ids else str(uuid.uuid4()), grid_id, fields,
                                  writer, created_at)
        session.add(resident)
        batch.touch_resident(resident)
    batch.flush()
    return len(rows)


def _write_fields(session: Session, person: Person | None, resident: Resident, changes: dict,
                  batch: ChangeBatch) -> None:
    """Write ``changes`` as the server (it has seen every candidate) with what follows from
    them: search keys for a new name, address or phone, visit facts for new care categories,
    birth year or tier."""
    writer = ServerWriter(session, person)
    field_stamps = dict(resident.field_stamps or {})
    for name, value in changes.items():
        setattr(resident, name, value)
        field_stamps[name] = writer.candidates(value)
    resident.field_stamps = field_stamps
    if SEARCHED_FIELDS & set(changes):
        resident.search_keys = search_keys(resident.name, resident.address, resident.phone)
    if ResidentFacts.FOLLOW_UP_FIELDS & set(changes):
        batch.recompute_visit_facts(resident.id)
    batch.touch_resident(resident)


def edit_resident(session: Session, person: Person, resident: Resident, changes: dict) -> int:
    """Apply ``changes`` (validated ResidentData, partial) to a resident locked by the caller
    (:func:`lock_resident`). Returns the resident's new version."""
    if not changes:
        return resident.version
    batch = ChangeBatch(session)
    _write_fields(session, person, resident, changes, batch)
    return batch.flush()[(p.RESIDENT, resident.id)]


#: How a supervisor settles a conflict.
KEEP_CURRENT, TAKE_OTHER, CORRECTED = "kept", "lost", "corrected"
SETTLE_CHOICES = (KEEP_CURRENT, TAKE_OTHER, CORRECTED)


class AlreadySettled(Exception):
    """Someone settled the conflict first (it was open when the page was loaded)."""

    def __init__(self, conflict: Conflict) -> None:
        super().__init__(f"Conflict {conflict.id} is already settled.")
        self.conflict = conflict


def settle_conflict(session: Session, person: Person, conflict_id: str, choice: str,
                    corrected=None) -> list[Conflict]:
    """Settle a conflict: keep the record's current value (``KEEP_CURRENT``), take the value
    that lost (``TAKE_OTHER``), or write ``corrected`` (validated ResidentData of the field).

    Settled against the record as it is now, under its lock: "keep the current value" keeps
    what the field says at this moment — a later, informed edit stays — never the value that was
    kept when the conflict was detected. The value is written as a server-side edit, which has
    seen every candidate of the field, so it also settles every other open conflict of that
    field: they are closed with it. Raises :class:`AlreadySettled` if someone settled it first
    (two supervisors at once: the second waits for the first's lock, then finds it settled).
    Returns the conflicts settled, the chosen one first; all reach the tablets at their next
    pull, with the resident.
    """
    if choice not in SETTLE_CHOICES:
        raise ValueError(f"Not a way to settle a conflict: {choice!r}")
    # The resident first, then its conflicts: the lock order of every writer (see .locks).
    # A conflict's resident and field never change, so reading them unlocked is safe.
    resident_id = session.scalar(select(Conflict.resident_id).where(Conflict.id == conflict_id))
    resident = lock_resident(session, resident_id) if resident_id else None
    conflict = load_for_update(session, Conflict, conflict_id) if resident else None
    if conflict is None:
        raise LookupError(f"Conflict {conflict_id} does not exist.")
    if conflict.status != "open":
        raise AlreadySettled(conflict)
    value = {KEEP_CURRENT: getattr(resident, conflict.field), TAKE_OTHER: conflict.lost_value,
             CORRECTED: corrected}[choice]
    superseded = load_all_for_update(session, select(Conflict).where(
        Conflict.resident_id == resident.id, Conflict.field == conflict.field,
        Conflict.status == "open", Conflict.id != conflict.id).order_by(Conflict.id))
    now = utcnow()
    batch = ChangeBatch(session)
    for settled in (conflict, *superseded):
        settled.status = "settled"
        settled.settled_value = value
        settled.settled_by_id = person.id
        settled.settled_at = now
        batch.add_conflict(settled)
    _write_fields(session, person, resident, {conflict.field: value}, batch)
    batch.flush()
    return [conflict, *superseded]
