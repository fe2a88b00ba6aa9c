"""device tokens rotate and expire; conflict records sent to tablets carry no device ids

Revision ID: 0003_device_tokens
Revises: 0003_resident_moves
Create Date: 2026-12-01
"""
import json

import sqlalchemy as sa
from alembic import op

import server.models
from shared.digest import canonical_json, record_hash

revision = "0003_device_tokens"
down_revision = "0003_audit_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_issued_at",
                                      server.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("previous_token_hash", sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column("previous_token_until",
                                      server.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_token_sealed", sa.String(length=200),
                                      nullable=True))
        batch_op.create_unique_constraint("uq_devices_previous_token_hash",
                                          ["previous_token_hash"])
    _strip_device_ids_from_pulled_conflicts()


def _strip_device_ids_from_pulled_conflicts() -> None:
    """Conflict records already in the change log carried the writers' device ids to every
    tablet of the grid. Rewrite them without, at new positions, so tablets pull the clean copy
    (and replace the one they hold) at their next sync."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT entity_id, payload FROM change_log WHERE entity = 'conflict' "
        "ORDER BY position")).fetchall()
    if not rows:
        return
    head = bind.execute(sa.text("SELECT position FROM log_head WHERE id = 1")).scalar() or 0
    position = head
    for entity_id, payload in rows:
        data = json.loads(payload)
        for side in ("kept_by", "lost_by"):
            if isinstance(data.get(side), dict):
                data[side].pop("device_id", None)
        text = canonical_json(data)
        position += 1
        bind.execute(sa.text(
            "UPDATE change_log SET payload = :payload, row_hash = :row_hash, "
            "position = :position WHERE entity = 'conflict' AND entity_id = :entity_id"),
            {"payload": text, "row_hash": record_hash("conflict", text), "position": position,
             "entity_id": entity_id})
    bind.execute(sa.text("UPDATE log_head SET position = :position WHERE id = 1"),
                 {"position": position})


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_devices_previous_token_hash", type_="unique")
        batch_op.drop_column("next_token_sealed")
        batch_op.drop_column("previous_token_until")
        batch_op.drop_column("previous_token_hash")
        batch_op.drop_column("token_issued_at")
