"""the server's epoch: a history id that changes when the database is restored

Revision ID: 0003_server_epoch
Revises: 0003_resident_moves
Create Date: 2026-12-01
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003_server_epoch"
down_revision = "0003_device_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("epoch", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("epoch_since", sa.BigInteger(), server_default="0",
                                      nullable=False))
    op.execute(sa.text("UPDATE log_head SET epoch = :epoch").bindparams(
        epoch=str(uuid.uuid4())))


def downgrade() -> None:
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.drop_column("epoch_since")
        batch_op.drop_column("epoch")
