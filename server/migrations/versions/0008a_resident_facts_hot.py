"""residents by grid: ``ix_residents_grid_id`` instead of ``ix_residents_grid_last_met``

Revision ID: 0008a_resident_facts_hot
Revises: 0007a_push_indexes
Create Date: 2026-12-02

Every pushed visit updates its resident's visit facts (``last_visit_at``, ``last_met_at``,
``follow_up_since``). With ``last_met_at`` in an index, none of those updates could be HOT:
each wrote a new entry into every index of ``residents``. No query reads ``last_met_at``
through the index (the lists, calls and campaigns select residents by grid and read the
column from the row), so the index becomes one on ``grid_id`` alone, and an update of the
facts can stay on its page without touching an index.
"""
from alembic import op

revision = "0008a_resident_facts_hot"
down_revision = "0007a_push_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_residents_grid_id", "residents", ["grid_id"])
    op.drop_index("ix_residents_grid_last_met", table_name="residents")


def downgrade() -> None:
    op.create_index("ix_residents_grid_last_met", "residents", ["grid_id", "last_met_at"])
    op.drop_index("ix_residents_grid_id", table_name="residents")
