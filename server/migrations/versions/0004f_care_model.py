"""the programme's model: 关爱类别, ability levels, risk tiers, device details

Revision ID: 0004f_care_model
Revises: 0004d_provisioning_codes
Create Date: 2026-12-01

``living_situation`` becomes ``care_categories`` (the 80+ tag dropped: it is computed from the
birth year now); the three care levels become the nearest of GB/T 42195-2022's five ability
levels; residents gain the assessment date and assessor, a risk tier with its reason, and
per-device details. Everything that holds the old fields is mapped the one way
(shared/legacy.py): the rows, their field stamps, conflicts, and the change log's payloads (with
their hashes, so the tablets' digests, mapped alike by their own migration, still agree). Open
follow-ups are worked out again under the default rules (80+, 失能 and 重残 now open them too).
"""
import json

import sqlalchemy as sa
from alembic import op

from server.models import UTCDateTime

revision = "0004f_care_model"
down_revision = "0005g_campaigns"
branch_labels = None
depends_on = None

BATCH = 1000


NEW_COLUMNS = (("ability_level", sa.String(16)), ("ability_assessed_on", sa.String(10)),
               ("ability_assessor", sa.String(40)), ("risk_tier", sa.String(16)),
               ("risk_reason", sa.String(200)))


def upgrade() -> None:
    # Plain ALTER TABLE (PostgreSQL and SQLite 3.35+ alike), never a batch copy of the table:
    # on SQLite that drops and re-creates residents, which visits and notes refer to.
    op.execute("ALTER TABLE residents RENAME COLUMN living_situation TO care_categories")
    for name, type_ in NEW_COLUMNS:
        op.add_column("residents", sa.Column(name, type_, nullable=True))
    op.add_column("residents", sa.Column("device_details", sa.JSON(), nullable=False,
                                         server_default="{}"))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot drop a default; it is harmless
        op.alter_column("residents", "device_details", server_default=None,
                        existing_type=sa.JSON(), existing_nullable=False)
    _map_residents()
    op.execute("ALTER TABLE residents DROP COLUMN care_level")
    _map_conflicts()
    _map_change_log()
    _refresh_follow_ups()
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("resident_id", sa.String(36), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(["closed_by_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["grid_id"], ["areas.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_alerts_resident_id", "alerts", ["resident_id"])
    op.create_index("ix_alerts_grid_id", "alerts", ["grid_id"])
    op.add_column("people", sa.Column("representative_level", sa.String(16), nullable=True))
    op.create_table(
        "pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_pairings_resident_id", "pairings", ["resident_id"])
    op.create_index("ix_pairings_person_id", "pairings", ["person_id"])


def _map_residents() -> None:
    from shared.legacy import ability_from_care_level, categories_from_living_situation
    from shared.legacy import map_field_stamps

    residents = sa.table("residents", sa.column("id", sa.String),
                         sa.column("care_categories", sa.JSON), sa.column("care_level", sa.String),
                         sa.column("ability_level", sa.String),
                         sa.column("device_details", sa.JSON),
                         sa.column("field_stamps", sa.JSON))
    bind = op.get_bind()
    last_id = ""
    while True:
        rows = bind.execute(sa.select(residents.c.id, residents.c.care_categories,
                                      residents.c.care_level, residents.c.field_stamps)
                            .where(residents.c.id > last_id).order_by(residents.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        bind.execute(residents.update().where(residents.c.id == sa.bindparam("rid"))
                     .values(care_categories=sa.bindparam("categories"),
                             ability_level=sa.bindparam("ability"),
                             device_details=sa.bindparam("details"),
                             field_stamps=sa.bindparam("stamps")),
                     [{"rid": r.id,
                       "categories": categories_from_living_situation(r.care_categories or []),
                       "ability": ability_from_care_level(r.care_level), "details": {},
                       "stamps": map_field_stamps(r.field_stamps)} for r in rows])
        last_id = rows[-1].id


def _map_conflicts() -> None:
    from shared.legacy import map_conflict_payload

    conflicts = sa.table("conflicts", sa.column("id", sa.String), sa.column("field", sa.String),
                         sa.column("kept_value", sa.JSON), sa.column("lost_value", sa.JSON),
                         sa.column("settled_value", sa.JSON))
    bind = op.get_bind()
    rows = bind.execute(sa.select(conflicts).where(
        conflicts.c.field.in_(("living_situation", "care_level")))).mappings().all()
    for row in rows:
        mapped = map_conflict_payload(dict(row))
        bind.execute(conflicts.update().where(conflicts.c.id == row["id"]).values(
            field=mapped["field"], kept_value=mapped["kept_value"],
            lost_value=mapped["lost_value"], settled_value=mapped["settled_value"]))


def _map_change_log() -> None:
    from shared.digest import canonical_json, record_hash
    from shared.legacy import map_conflict_payload, map_resident_payload

    log = sa.table("change_log", sa.column("entity", sa.String),
                   sa.column("entity_id", sa.String), sa.column("position", sa.BigInteger),
                   sa.column("payload", sa.Text), sa.column("row_hash", sa.BigInteger))
    mappers = {"resident": map_resident_payload, "conflict": map_conflict_payload}
    bind = op.get_bind()
    last = -1
    while True:
        rows = bind.execute(sa.select(log.c.entity, log.c.position, log.c.payload)
                            .where(log.c.position > last, log.c.entity.in_(list(mappers)))
                            .order_by(log.c.position).limit(BATCH)).all()
        if not rows:
            break
        updates = []
        for row in rows:
            text = canonical_json(mappers[row.entity](json.loads(row.payload)))
            if text != row.payload:
                updates.append({"pos": row.position, "text": text,
                                "hash": record_hash(row.entity, text)})
        if updates:
            bind.execute(log.update().where(log.c.position == sa.bindparam("pos"))
                         .values(payload=sa.bindparam("text"), row_hash=sa.bindparam("hash")),
                         updates)
        last = rows[-1].position


def _refresh_follow_ups() -> None:
    from server.care import refresh_follow_ups

    refresh_follow_ups(op.get_bind())


def downgrade() -> None:
    from shared.legacy import CARE_LEVEL_TO_ABILITY

    op.drop_index("ix_pairings_person_id", table_name="pairings")
    op.drop_index("ix_pairings_resident_id", table_name="pairings")
    op.drop_table("pairings")
    op.execute("ALTER TABLE people DROP COLUMN representative_level")
    op.drop_index("ix_alerts_grid_id", table_name="alerts")
    op.drop_index("ix_alerts_resident_id", table_name="alerts")
    op.drop_table("alerts")

    to_care = {ability: care for care, ability in CARE_LEVEL_TO_ABILITY.items()}
    to_care.update(mild="assisted", complete="full_care")
    op.add_column("residents", sa.Column("care_level", sa.String(16), nullable=False,
                                         server_default="self_care"))
    residents = sa.table("residents", sa.column("ability_level", sa.String),
                         sa.column("care_level", sa.String))
    bind = op.get_bind()
    for ability, care in to_care.items():
        bind.execute(residents.update().where(residents.c.ability_level == ability)
                     .values(care_level=care))
    if bind.dialect.name != "sqlite":
        op.alter_column("residents", "care_level", server_default=None,
                        existing_type=sa.String(16), existing_nullable=False)
    for name in ("device_details", "risk_reason", "risk_tier", "ability_assessor",
                 "ability_assessed_on", "ability_level"):
        op.execute(f"ALTER TABLE residents DROP COLUMN {name}")
    op.execute("ALTER TABLE residents RENAME COLUMN care_categories TO living_situation")
