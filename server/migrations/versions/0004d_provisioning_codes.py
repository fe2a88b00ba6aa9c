"""one-time codes that sign a tablet in from a printed sheet's QR code

Revision ID: 0004d_provisioning_codes
Revises: 0004d_reason_params
Create Date: 2026-12-01

A supervisor prints a sign-in sheet for a person: its QR code holds the server's address and a
short-lived, one-time code (never the password). The code is stored hashed, with who made it,
until when it is good, and which tablet used it.
"""
import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0004d_provisioning_codes"
down_revision = "0004d_reason_params"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provisioning_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("people.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("device_id", sa.String(36), nullable=True))
    op.create_index("ix_provisioning_codes_person_id", "provisioning_codes", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_provisioning_codes_person_id", table_name="provisioning_codes")
    op.drop_table("provisioning_codes")
