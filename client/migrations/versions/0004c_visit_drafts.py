"""local store: the half-filled visit form of each resident, kept until saved or discarded

Revision ID: c0004c_visit_drafts
Revises: c0003c_reason_params
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0004c_visit_drafts"
down_revision = "c0003c_reason_params"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What a volunteer typed into a visit form that was not saved yet: it survives the app
    # being killed. In the (encrypted) store like every record; dropped with its grid.
    op.execute("CREATE TABLE drafts (resident_id TEXT PRIMARY KEY, grid_id INTEGER, "
               "form TEXT NOT NULL, saved_at TEXT NOT NULL)")


def downgrade() -> None:
    op.execute("DROP TABLE drafts")
