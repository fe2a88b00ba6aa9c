"""local store: the parameters of the server's reason for a refused change

Revision ID: c0003c_reason_params
Revises: c0002_sync_checks
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0003c_reason_params"
down_revision = "c0002_sync_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server names what it refused with a code and parameters (a grid, the fields); the
    # tablet words them in the volunteer's language. JSON, NULL when none came.
    op.execute("ALTER TABLE outbox ADD COLUMN reason_params TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN reason_params")
