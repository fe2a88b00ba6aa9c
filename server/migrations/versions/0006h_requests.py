"""the three lists: departments and their staff, requests and their timeline, Open311 partners

Revision ID: 0006h_requests
Revises: 0005g_campaigns
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0006h_requests"
down_revision = "0006i_points"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False))
    op.create_table(
        "department_staff",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), primary_key=True),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("departments.id"),
                  nullable=False))
    op.create_index("ix_department_staff_department_id", "department_staff", ["department_id"])
    op.create_table(
        "service_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("grid_id", sa.Integer(), sa.ForeignKey("areas.id"), nullable=False),
        sa.Column("resident_id", sa.String(36), sa.ForeignKey("residents.id")),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("location", sa.String(200)),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("visit_id", sa.String(36)),
        sa.Column("raised_by_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("raised_by_name", sa.String(64)),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("state_since", UTCDateTime(), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("owner_name", sa.String(64)),
        sa.Column("owner_since", UTCDateTime()),
        sa.Column("claimed_at", UTCDateTime()),
        sa.Column("response_seconds", sa.Integer()),
        sa.Column("plan", sa.Text()),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("departments.id")),
        sa.Column("handed_at", UTCDateTime()),
        sa.Column("due_on", sa.Date()),
        sa.Column("due_working_days", sa.Integer()),
        sa.Column("done_at", UTCDateTime()),
        sa.Column("first_done_at", UTCDateTime()),
        sa.Column("done_on", sa.Date()),
        sa.Column("verdict", sa.String(16)),
        sa.Column("verdict_at", UTCDateTime()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("partner_id", sa.Integer()),
        sa.Column("external_id", sa.String(64)),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("events_count", sa.Integer(), nullable=False))
    op.create_index("ix_service_requests_resident_id", "service_requests", ["resident_id"])
    op.create_index("ix_service_requests_owner_id", "service_requests", ["owner_id"])
    op.create_index("ix_service_requests_grid_state", "service_requests", ["grid_id", "state"])
    op.create_index("ix_service_requests_department_state", "service_requests",
                    ["department_id", "state"])
    op.create_index("ix_service_requests_raised_at", "service_requests", ["raised_at"])
    op.create_table(
        "request_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey("service_requests.id"),
                  nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("person_name", sa.String(64)),
        sa.Column("device_id", sa.String(36)),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False))
    op.create_index("ix_request_events_request_ordinal", "request_events",
                    ["request_id", "ordinal"], unique=True)
    op.create_table(
        "api_partners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("grid_id", sa.Integer(), sa.ForeignKey("areas.id")),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False))


def downgrade() -> None:
    op.drop_table("api_partners")
    op.drop_table("request_events")
    op.drop_table("service_requests")
    op.drop_table("department_staff")
    op.drop_table("departments")
