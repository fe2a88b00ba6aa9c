"""local store: the grid's facts digest from the server

Revision ID: c0002_sync_checks
Revises: c0002_rejected_trace
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0002_sync_checks"
down_revision = "c0002_quarantine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server's digest of the grid's derived visit facts (last visit, last meeting, open
    # follow-up), compared with the tablet's own after every sync.
    op.execute("ALTER TABLE grids ADD COLUMN facts_digest TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE grids DROP COLUMN facts_digest")
