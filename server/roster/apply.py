"""Writing a checked roster: new residents, chosen updates of existing ones, moves.

Called by the import route inside the request's transaction; commits nothing.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from shared import protocol as p

from ..audit import FROM_IMPORT, audit, audit_row, audit_rows, change_detail
from ..models import Person, Resident
from ..sync.edits import create_residents, edit_resident, lock_resident
from ..sync.moves import VIA_IMPORT, move_resident
from ..web.access import Scope
from ..web.i18n import gettext as _
from .existing import COMPARED
from .plan import RosterRow


@dataclass
class Outcome:
    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0


def import_rows(session: Session, scope: Scope, person: Person, rows: list[RosterRow],
                filename: str, update_existing: bool, skipped: int) -> Outcome:
    """Import ``rows`` (valid ones): add the new, update residents already on the roster when
    ``update_existing`` (else leave them as they are), move those of another grid."""
    outcome = Outcome()
    added = [row for row in rows if row.is_new]
    if added:
        ids = [str(uuid.uuid4()) for _row in added]
        create_residents(session, person, [(row.grid_id, row.fields) for row in added], ids)
        hashed = [{"rid": rid, "hash": row.id_hash} for rid, row in zip(ids, added) if row.id_hash]
        if hashed:
            table = Resident.__table__
            session.execute(update(table).where(table.c.id == bindparam("rid"))
                            .values(id_hash=bindparam("hash")), hashed)
        # One row per resident added, so each resident's history starts with its import.
        audit_rows(session, [audit_row(
            "add_resident", person_id=person.id, entity=p.RESIDENT, entity_id=resident_id,
            grid_id=row.grid_id, detail={"source": FROM_IMPORT, "fields": sorted(row.fields)})
            for resident_id, row in zip(ids, added)])
        outcome.added = len(added)
    per_grid: dict[int, int] = {}
    for row in added:
        per_grid[row.grid_id] = per_grid.get(row.grid_id, 0) + 1
    for grid_id, count in sorted(per_grid.items()):
        audit(session, "import_roster", person_id=person.id, grid_id=grid_id,
              detail={"rows": count, "skipped": skipped})
    for row in sorted((r for r in rows if r.is_existing), key=lambda r: r.existing_id):
        if not (update_existing and row.changes):
            outcome.unchanged += 1
            continue
        outcome.updated += _update(session, scope, person, row)
    outcome.moved = _move(session, scope, person, [row for row in rows if row.is_move],
                          filename)
    return outcome


def _update(session, scope, person, row: RosterRow) -> int:
    """The resident's fields that differ from the row, written under the resident's lock (and
    compared again there: a tablet may have changed them since the preview)."""
    resident = lock_resident(session, row.existing_id)
    if resident is None or not scope.allows_grid(resident.grid_id):
        return 0
    changes = {name: value for name, value in row.fields.items()
               if name in COMPARED and getattr(resident, name) != value}
    if row.id_hash and resident.id_hash != row.id_hash:
        resident.id_hash = row.id_hash
    if not changes:
        return 0
    before = {name: getattr(resident, name) for name in changes}
    edit_resident(session, person, resident, changes)
    audit(session, "edit_resident", person_id=person.id, entity=p.RESIDENT,
          entity_id=resident.id, grid_id=resident.grid_id,
          detail=change_detail(FROM_IMPORT, before, changes))
    return 1


def _move(session, scope, person, rows: list[RosterRow], filename: str) -> int:
    """Move the residents that roster rows place in another grid (locked in id order, and
    checked again under the lock: someone may have moved them since the preview)."""
    count = 0
    filename = "".join(char for char in filename if char.isprintable())[:100]  # into a reason
    for row in sorted(rows, key=lambda r: r.resident_id):
        resident = lock_resident(session, row.resident_id)
        if resident.grid_id == row.grid_id or not scope.allows_grid(resident.grid_id):
            continue
        from_grid = resident.grid_id
        move = move_resident(session, person, resident, row.grid_id, via=VIA_IMPORT,
                             reason=_("Roster import: %(file)s, line %(line)s",
                                      file=filename, line=row.line))
        audit(session, "move_resident", person_id=person.id, entity=p.RESIDENT,
              entity_id=resident.id, grid_id=from_grid,
              detail={"from_grid": from_grid, "to_grid": row.grid_id, "move": move.id,
                      "via": VIA_IMPORT})
        count += 1
    return count
