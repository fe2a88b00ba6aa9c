"""local store: server copies, local views, outbox

Revision ID: c0001
Revises:
Create Date: 2026-11-27
"""
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None

STATEMENTS = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE grids (id INTEGER PRIMARY KEY, name TEXT NOT NULL, digest TEXT)",
    # Residents: the server's copy (server_payload, position, row_hash) and the effective copy
    # the volunteer sees (payload = server copy + unsent edits), with columns for fast lists.
    """CREATE TABLE residents (
        id TEXT PRIMARY KEY, grid_id INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 0,
        server_payload TEXT, position INTEGER, row_hash INTEGER,
        payload TEXT NOT NULL, name TEXT NOT NULL, search_keys TEXT NOT NULL,
        address TEXT NOT NULL, last_met_at TEXT, last_visit_at TEXT, follow_up_since TEXT,
        unsent INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX ix_residents_grid ON residents (grid_id)",
    # Visits and notes are append-only: a row with position NULL has not come back from the
    # server yet (made here, or made elsewhere and not pulled).
    """CREATE TABLE visits (
        id TEXT PRIMARY KEY, resident_id TEXT NOT NULL, grid_id INTEGER NOT NULL,
        visited_at TEXT NOT NULL, outcome TEXT, corrects TEXT, correction TEXT,
        payload TEXT NOT NULL, position INTEGER, row_hash INTEGER)""",
    "CREATE INDEX ix_visits_resident ON visits (resident_id, visited_at)",
    "CREATE INDEX ix_visits_grid ON visits (grid_id)",
    """CREATE TABLE notes (
        id TEXT PRIMARY KEY, resident_id TEXT NOT NULL, grid_id INTEGER NOT NULL,
        written_at TEXT NOT NULL, payload TEXT NOT NULL, position INTEGER, row_hash INTEGER)""",
    "CREATE INDEX ix_notes_resident ON notes (resident_id, written_at)",
    "CREATE INDEX ix_notes_grid ON notes (grid_id)",
    """CREATE TABLE conflicts (
        id TEXT PRIMARY KEY, resident_id TEXT NOT NULL, grid_id INTEGER NOT NULL,
        status TEXT NOT NULL, payload TEXT NOT NULL, position INTEGER, row_hash INTEGER)""",
    "CREATE INDEX ix_conflicts_resident ON conflicts (resident_id)",
    "CREATE INDEX ix_conflicts_grid ON conflicts (grid_id)",
    # The outbox: every local change, in sequence order, until the server has it and its echo
    # has come back. state: pending -> acked -> (deleted on echo) | rejected (kept, shown).
    """CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY, op_id TEXT NOT NULL UNIQUE, entity TEXT NOT NULL,
        entity_id TEXT NOT NULL, grid_id INTEGER NOT NULL, resident_id TEXT NOT NULL,
        resident_name TEXT, op TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', status TEXT,
        version INTEGER, reason_code TEXT, reason TEXT, created_at TEXT NOT NULL,
        acked_at TEXT)""",
    "CREATE INDEX ix_outbox_state ON outbox (state, seq)",
    "CREATE INDEX ix_outbox_entity ON outbox (entity, entity_id)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for table in ("outbox", "conflicts", "notes", "visits", "residents", "grids", "meta"):
        op.execute(f"DROP TABLE {table}")
