"""campaigns: visit everyone of some care categories in an area within 24 hours

Revision ID: 0005g_campaigns
Revises: 0004d_provisioning_codes
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

import server.models

revision = "0005g_campaigns"
down_revision = "0004d_provisioning_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("area_id", sa.Integer, sa.ForeignKey("areas.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("started_at", server.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", server.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("ended_at", server.models.UTCDateTime(timezone=True)),
        sa.Column("ended_by", sa.Integer, sa.ForeignKey("people.id")),
    )
    op.create_index("ix_campaigns_area_id", "campaigns", ["area_id"])


def downgrade() -> None:
    op.drop_index("ix_campaigns_area_id", table_name="campaigns")
    op.drop_table("campaigns")
