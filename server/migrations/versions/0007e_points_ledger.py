"""duty points: the stored ledger

Revision ID: 0007e_points_ledger
Revises: 0006h_requests
Create Date: 2026-12-01

Issue 15. The ledger that shared.points computes from the facts is stored, part by part (one
part per resident, one per request), and kept up to date from the change log
(server/points_store.py): a page of a year of a district sums stored entries instead of
recomputing every visit. ``points_state`` holds how far the log has been read and under which
rule book; an empty state makes the first reader build the whole ledger.
"""
import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0007e_points_ledger"
down_revision = "0007d_request_state_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("part", sa.String(40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(40), nullable=False),
        sa.Column("rule_version", sa.Integer, nullable=True),
        sa.Column("resident_id", sa.String(36), nullable=True),
        sa.Column("note", sa.String(16), nullable=False),
        sa.Column("grid_id", sa.Integer, nullable=True))
    op.create_index("ix_points_entries_part", "points_entries", ["part"])
    op.create_index("ix_points_entries_day_grid", "points_entries", ["day", "grid_id"])
    op.create_index("ix_points_entries_person_day", "points_entries", ["person_id", "day"])
    op.create_table(
        "points_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("book", sa.Text, nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_table("points_state")
    op.drop_index("ix_points_entries_person_day", table_name="points_entries")
    op.drop_index("ix_points_entries_day_grid", table_name="points_entries")
    op.drop_index("ix_points_entries_part", table_name="points_entries")
    op.drop_table("points_entries")
