"""local store: pulled records the tablet cannot apply, kept aside with the reason

Revision ID: c0002_quarantine
Revises: c0002_rejected_trace
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0002_quarantine"
down_revision = "c0002_rejected_trace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per record (the latest unreadable copy); row_hash keeps the grid's digest whole.
    op.execute("""CREATE TABLE quarantine (
        entity TEXT NOT NULL, id TEXT NOT NULL, grid_id INTEGER, position INTEGER,
        payload TEXT NOT NULL, reason TEXT NOT NULL, row_hash INTEGER,
        PRIMARY KEY (entity, id))""")
    op.execute("CREATE INDEX ix_quarantine_grid ON quarantine (grid_id)")


def downgrade() -> None:
    op.execute("DROP TABLE quarantine")
