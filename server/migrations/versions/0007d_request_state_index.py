"""an index on the requests' state, for the board's count

Revision ID: 0007d_request_state_index
Revises: 0006h_requests
Create Date: 2026-12-01

The board counts the requests of a stage over the whole district (the admin's view: 40,000 of
50,000 are open); with this index PostgreSQL counts them from the index alone instead of
reading every row.
"""
from alembic import op

revision = "0007d_request_state_index"
down_revision = "0007b_constraint_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_service_requests_state", "service_requests", ["state"])


def downgrade() -> None:
    op.drop_index("ix_service_requests_state", table_name="service_requests")
