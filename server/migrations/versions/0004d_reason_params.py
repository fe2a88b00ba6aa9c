"""rejected ops keep the parameters of their reason

Revision ID: 0004d_reason_params
Revises: 0004e_resident_id_hash
Create Date: 2026-12-01

A rejection carries a code and parameters (ids, grid, fields) besides its message, so that the
tablet can word it for the volunteer; a retried op must get the same answer, parameters
included, so they are kept with the op. Ops rejected before this revision have none (null).
"""
import sqlalchemy as sa
from alembic import op

revision = "0004d_reason_params"
down_revision = "0004e_resident_id_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applied_ops") as batch:
        batch.add_column(sa.Column("reason_params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applied_ops") as batch:
        batch.drop_column("reason_params")
