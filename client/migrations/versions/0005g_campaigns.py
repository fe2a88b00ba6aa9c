"""local store: campaigns pulled from the server (visit these residents within 24 hours)

Revision ID: c0005g_campaigns
Revises: c0004c_visit_drafts
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0005g_campaigns"
down_revision = "c0004c_visit_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per campaign and grid, as pulled; a notice, not the grid's data: no row hash.
    op.execute("CREATE TABLE campaigns (id TEXT PRIMARY KEY, grid_id INTEGER NOT NULL, "
               "payload TEXT NOT NULL, position INTEGER NOT NULL)")
    op.execute("CREATE INDEX ix_campaigns_grid ON campaigns (grid_id)")


def downgrade() -> None:
    op.execute("DROP TABLE campaigns")
