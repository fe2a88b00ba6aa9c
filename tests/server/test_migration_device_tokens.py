"""Migration 0003: conflict records already in the change log stop carrying device ids.

Before it, every tablet of a grid pulled the writers' device ids with each conflict record.
The migration rewrites those records at new log positions, so tablets replace their copy."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from server.migrate import upgrade
from shared.digest import canonical_json, record_hash
from tests.conftest import PG_URL

SCHEMA = "migration_0003"


@pytest.fixture(params=["sqlite"] + (["postgres"] if PG_URL else []))
def blank_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    # A schema of its own, so the suite's migrated database is left alone.
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path={SCHEMA}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def test_pulled_conflict_records_lose_their_device_ids_at_new_positions(blank_url):
    upgrade(blank_url, "0003_audit_append_only")  # the revision before this one
    conflict = {"id": "c0ffee00-0000-4000-8000-000000000001", "grid_id": 4, "field": "phone",
                "kept_by": {"device_id": "20043794-2549-44a3-ae82-3ab2136d4ac3",
                            "person_id": 2, "person_name": "李建国", "op_id": "x"},
                "lost_by": {"device_id": "6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c11",
                            "person_id": 1, "person_name": "王芳", "op_id": "y"},
                "kept_value": "13903935678", "lost_value": "13803931234", "status": "open"}
    old_text = canonical_json(conflict)
    engine = create_engine(blank_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE log_head SET position = 7 WHERE id = 1"))
        connection.execute(text(
            "INSERT INTO change_log (entity, entity_id, position, grid_id, payload, row_hash) "
            "VALUES ('conflict', :id, 5, 4, :payload, :hash)"),
            {"id": conflict["id"], "payload": old_text,
             "hash": record_hash("conflict", old_text)})
    upgrade(blank_url)
    with engine.connect() as connection:
        position, payload, row_hash = connection.execute(text(
            "SELECT position, payload, row_hash FROM change_log WHERE entity = 'conflict'")
        ).one()
        head = connection.execute(text("SELECT position FROM log_head")).scalar()
    engine.dispose()
    data = json.loads(payload)
    assert "device_id" not in data["kept_by"] and "device_id" not in data["lost_by"]
    assert data["kept_by"]["person_name"] == "李建国" and data["lost_value"] == "13803931234"
    assert position == head == 8  # after everything a tablet has pulled: it comes again
    assert row_hash == record_hash("conflict", payload)
