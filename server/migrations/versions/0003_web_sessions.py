"""server-side web sessions; login attempts counted by address

Revision ID: 0003_web_sessions
Revises: 0003_audit_append_only
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0003_web_sessions"
down_revision = "0003_server_epoch"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False))
    op.create_index("ix_web_sessions_person_id", "web_sessions", ["person_id"])
    op.create_index("ix_web_sessions_last_seen_at", "web_sessions", ["last_seen_at"])
    op.create_index("ix_login_attempts_remote_addr", "login_attempts", ["remote_addr"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_remote_addr", table_name="login_attempts")
    op.drop_table("web_sessions")
