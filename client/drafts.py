"""Half-filled visit forms, kept in the tablet's local store until saved or discarded.

A volunteer on a stairwell is interrupted: the app may be closed, killed by the system, or the
battery may die. What was typed stays, in the same (encrypted) store as every record, and is
offered again when the volunteer opens that resident's visit form. One draft per resident; it
goes with its grid when the grid leaves the tablet, and with everything else on a wipe.
"""
from __future__ import annotations

import json


def save_draft(store, resident_id: str, form: dict, now: str) -> None:
    """Keep ``form`` (plain JSON values) as the resident's draft, replacing any older one."""
    with store.transaction() as db:
        row = db.execute("SELECT grid_id FROM residents WHERE id = ?", (resident_id,)).fetchone()
        db.execute("INSERT INTO drafts (resident_id, grid_id, form, saved_at) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (resident_id) DO UPDATE SET grid_id = excluded.grid_id, "
                   "form = excluded.form, saved_at = excluded.saved_at",
                   (resident_id, row[0] if row else None, json.dumps(form, ensure_ascii=False),
                    now))


def read_draft(store, resident_id: str) -> dict | None:
    with store.reading() as db:
        row = db.execute("SELECT form FROM drafts WHERE resident_id = ?",
                         (resident_id,)).fetchone()
    if row is None:
        return None
    try:
        form = json.loads(row[0])
    except ValueError:
        return None
    return form if isinstance(form, dict) else None


def discard_draft(store, resident_id: str) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM drafts WHERE resident_id = ?", (resident_id,))
