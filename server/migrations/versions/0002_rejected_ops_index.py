"""index only the rejected ops

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REJECTED = sa.text("status = 'rejected'")


def upgrade() -> None:
    op.drop_index("ix_applied_ops_status", table_name="applied_ops")
    op.create_index("ix_applied_ops_rejected", "applied_ops", ["received_at"],
                    postgresql_where=REJECTED, sqlite_where=REJECTED)


def downgrade() -> None:
    op.drop_index("ix_applied_ops_rejected", table_name="applied_ops")
    op.create_index("ix_applied_ops_status", "applied_ops", ["status"])
