"""a trace of the refused changes a volunteer dismissed or sent again

Revision ID: c0002_rejected_trace
Revises: c0001
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0002_rejected_trace"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What became of each refused change once the volunteer acted on it: the op as it was
    # refused, the reason, and "dismissed" or "resubmitted" (with the new op's id). Kept on the
    # tablet, so nothing a volunteer typed disappears without a trace.
    op.execute("""CREATE TABLE settled_rejections (
        op_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, entity TEXT NOT NULL,
        entity_id TEXT NOT NULL, grid_id INTEGER NOT NULL, resident_id TEXT NOT NULL,
        resident_name TEXT, op TEXT NOT NULL, reason_code TEXT, reason TEXT,
        created_at TEXT NOT NULL, settled_at TEXT NOT NULL, outcome TEXT NOT NULL,
        resubmitted_as TEXT)""")


def downgrade() -> None:
    op.execute("DROP TABLE settled_rejections")
