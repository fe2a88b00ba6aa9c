"""resident moves between grids

Revision ID: 0003_resident_moves
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0003_resident_moves"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resident_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.String(length=36), nullable=False),
        sa.Column("from_grid_id", sa.Integer(), nullable=False),
        sa.Column("to_grid_id", sa.Integer(), nullable=False),
        sa.Column("moved_at", UTCDateTime(), nullable=False),
        sa.Column("moved_by_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.ForeignKeyConstraint(["from_grid_id"], ["areas.id"]),
        sa.ForeignKeyConstraint(["to_grid_id"], ["areas.id"]),
        sa.ForeignKeyConstraint(["moved_by_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resident_moves_resident_id", "resident_moves", ["resident_id"])


def downgrade() -> None:
    op.drop_index("ix_resident_moves_resident_id", table_name="resident_moves")
    op.drop_table("resident_moves")
