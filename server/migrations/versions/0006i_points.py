"""duty points: rule versions, supervisors' adjustments, district settings

Revision ID: 0006i_points
Revises: 0005g_campaigns
Create Date: 2026-12-01

Issue 15. The points themselves are never stored: the ledger is computed from the visits (and
requests) by shared.points, so a voided visit takes its points back. Stored are the versions of
the rules (each with its effective day), the adjustments a supervisor makes (with a reason), and
district settings such as whether people see the ranking.
"""
import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0006i_points"
down_revision = "0004f_care_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_rule_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("people.id"), nullable=True))
    op.create_table(
        "points_adjustments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("by_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False))
    op.create_index("ix_points_adjustments_person_id", "points_adjustments", ["person_id"])
    op.create_table(
        "district_settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False))


def downgrade() -> None:
    op.drop_table("district_settings")
    op.drop_index("ix_points_adjustments_person_id", table_name="points_adjustments")
    op.drop_table("points_adjustments")
    op.drop_table("points_rule_versions")
