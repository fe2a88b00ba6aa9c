"""push indexes: correction records by resident; no index on residents.grid_id alone

Revision ID: 0007a_push_indexes
Revises: 0007e_points_ledger
Create Date: 2026-12-01

- ``ix_visits_corrections``: the few visits that correct another, by resident. The follow-up
  ladder (server/alerts.py) reads a resident's visits since the last meeting and every
  correction of theirs; without it, finding the corrections read the resident's whole history.
- ``ix_residents_grid_id`` goes: ``ix_residents_grid_last_met`` (grid_id, last_met_at) serves
  every query by grid, and each update of a resident's visit facts wrote both.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007a_push_indexes"
down_revision = "0007e_points_ledger"
branch_labels = None
depends_on = None

CORRECTIONS = sa.text("corrects_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_visits_corrections", "visits", ["resident_id"],
                    postgresql_where=CORRECTIONS, sqlite_where=CORRECTIONS)
    op.drop_index("ix_residents_grid_id", table_name="residents")


def downgrade() -> None:
    op.create_index("ix_residents_grid_id", "residents", ["grid_id"])
    op.drop_index("ix_visits_corrections", table_name="visits")
