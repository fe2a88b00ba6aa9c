"""local store: requests of the three lists, and the parameters of a refused move

Revision ID: c0003h_requests
Revises: c0002_sync_checks
Create Date: 2026-12-01
"""
from alembic import op

revision = "c0003h_requests"
down_revision = "c0002_sync_checks"
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
    # A refused move says who holds the request and since when: kept with the refusal.
    op.execute("ALTER TABLE outbox ADD COLUMN reason_params TEXT")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN reason_params")
    op.execute("DROP TABLE requests")
