"""local store: requests of the three lists

Revision ID: c0006h_requests
Revises: c0005g_campaigns
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0006h_requests"
down_revision = "c0003f_care_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The server's copy of each request of the tablet's grids (with its timeline); what the
    # volunteer sees is this copy with their own unsent moves on top (client/requests.py).
    op.execute("""CREATE TABLE requests (
        id TEXT PRIMARY KEY, grid_id INTEGER NOT NULL, resident_id TEXT, state TEXT NOT NULL,
        payload TEXT NOT NULL, position INTEGER, row_hash INTEGER)""")
    op.execute("CREATE INDEX ix_requests_grid ON requests (grid_id)")
    op.execute("CREATE INDEX ix_requests_resident ON requests (resident_id)")


def downgrade() -> None:
    op.execute("DROP TABLE requests")
