"""The schema comes from Alembic only, and the migrations match the models exactly."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.models import Base


def test_the_migrated_database_matches_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(
            connection, opts={"compare_type": True}), Base.metadata)
    assert differences == []


def test_search_keys_of_the_old_format_are_made_anew_by_the_migration(tmp_path):
    """A server updated in place: every resident's keys in the new format, long ones fitting."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.migrate import alembic_config, upgrade
    from shared.search import keys_are_current, rank
    from testkit.factories import make_district, make_resident

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        grid = make_district(session, communities=1, grids=1).grids[0]
        make_resident(session, grid, name="翟秀英", phone="13812345678",
                      address="建设路51号院3号楼2单元401")
        make_resident(session, grid, name="行长乐重" * 4, address="长庆路17号")  # polyphonic
        session.commit()
    command.downgrade(alembic_config(url), "0003_web_sessions")
    with engine.begin() as db:
        db.execute(text("UPDATE residents SET search_keys = 'dxy dixiuying'"))
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as db:
        rows = db.execute(text("SELECT name, address, search_keys FROM residents")).all()
    engine.dispose()
    assert all(keys_are_current(keys) for _name, _address, keys in rows)
    assert max(len(keys) for *_rest, keys in rows) > 200  # longer than the old column
    zhai = next(row for row in rows if row.name == "翟秀英")
    assert rank("5678", *zhai) is not None and rank("3-2-401", *zhai) is not None


def test_the_care_model_migration_maps_every_copy_of_the_old_fields(tmp_path):
    """A server updated in place: rows, field stamps, conflicts and the change log's payloads
    (with their hashes) in 关爱类别 and the five ability levels; follow-ups worked out again."""
    import json

    from alembic import command
    from sqlalchemy import text

    from server.db import make_engine
    from server.migrate import alembic_config, upgrade
    from shared.digest import canonical_json, record_hash

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0004d_provisioning_codes")
    engine = make_engine(url)
    old = {"id": "r1", "grid_id": 1, "version": 2, "name": "王秀兰", "sex": "F",
           "birth_year": 1940, "address": "建设路51号院2号楼4单元202", "phone": None,
           "emergency_contact": None, "emergency_phone": None,
           "living_situation": ["empty_nest", "aged_80_plus"], "care_level": "assisted",
           "visit_cadence_days": None, "safety_devices": [], "care_notes": None,
           "status": "active", "created_at": "2026-01-05T02:00:00Z"}
    stamps = {"care_level": [{"v": 2, "d": "dev", "s": 1, "b": 0, "o": "op", "x": "full_care"}]}
    conflict = {"id": "c1", "grid_id": 1, "resident_id": "r1", "field": "living_situation",
                "kept_value": ["alone", "aged_80_plus"], "lost_value": ["empty_nest"],
                "status": "open", "settled_value": None}
    with engine.begin() as db:
        db.execute(text("INSERT INTO areas (id, level, name, code) VALUES (1, 'grid', '网格', 'G1')"))
        db.execute(text(
            "INSERT INTO residents (id, grid_id, name, search_keys, sex, birth_year, address, "
            "living_situation, care_level, safety_devices, care_notes, status, version, "
            "field_stamps, created_at) VALUES ('r1', 1, '王秀兰', '', 'F', 1940, :address, "
            ":situation, 'assisted', '[]', NULL, 'active', 2, :stamps, '2026-01-05 02:00:00')"),
            {"address": old["address"], "situation": json.dumps(old["living_situation"]),
             "stamps": json.dumps(stamps)})
        db.execute(text(
            "INSERT INTO visits (id, resident_id, grid_id, visited_at, device_time, recorded_at, "
            "outcome, details) VALUES ('v1', 'r1', 1, '2026-11-20 02:00:00', "
            "'2026-11-20 02:00:00', '2026-11-20 02:00:00', 'no_answer', '{}')"))
        db.execute(text(
            "INSERT INTO conflicts (id, grid_id, resident_id, field, kept_value, lost_value, "
            "kept_by, lost_by, detected_at, status) VALUES ('c1', 1, 'r1', 'living_situation', "
            ":kept, :lost, '{}', '{}', '2026-11-20 02:00:00', 'open')"),
            {"kept": json.dumps(conflict["kept_value"]), "lost": json.dumps(["empty_nest"])})
        for position, entity, payload in ((2, "resident", old), (3, "conflict", conflict)):
            body = canonical_json(payload)
            db.execute(text("INSERT INTO change_log (entity, entity_id, position, grid_id, "
                            "payload, row_hash) VALUES (:e, :id, :pos, 1, :p, :h)"),
                       {"e": entity, "id": payload["id"], "pos": position, "p": body,
                        "h": record_hash(entity, body)})
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as db:
        row = db.execute(text("SELECT care_categories, ability_level, field_stamps, "
                              "follow_up_since, device_details FROM residents")).one()
        kept, field = db.execute(text("SELECT kept_value, field FROM conflicts")).one()
        log = {entity: (payload, row_hash) for entity, payload, row_hash in db.execute(text(
            "SELECT entity, payload, row_hash FROM change_log"))}
    engine.dispose()
    assert json.loads(row.care_categories) == ["empty_nest"]  # 80+ is the birth year's
    assert row.ability_level == "moderate"  # 半护理 → 中度失能
    assert json.loads(row.field_stamps) == {"ability_level": [
        {"v": 2, "d": "dev", "s": 1, "b": 0, "o": "op", "x": "severe"}]}
    assert row.follow_up_since is not None  # aged 86: a no-answer is followed up now
    assert json.loads(row.device_details) == {}
    assert (field, json.loads(kept)) == ("care_categories", ["alone"])
    payload, row_hash = log["resident"]
    record = json.loads(payload)
    assert record["care_categories"] == ["empty_nest"] and record["ability_level"] == "moderate"
    assert "living_situation" not in record and "care_level" not in record
    assert record["risk_tier"] is None and record["device_details"] == {}
    assert row_hash == record_hash("resident", payload)
    assert json.loads(log["conflict"][0])["field"] == "care_categories"


# --- Constraint names (issue 11, revision 0007b_constraint_names) -------------------------------

KIND_PREFIXES = {"pk": "pk_", "uq": "uq_", "fk": "fk_", "ck": "ck_", "ix": "ix_"}


def schema_names(connection, schema=None) -> set[tuple]:
    """Every table's primary key, unique constraints, foreign keys, checks and indexes, by
    name and columns, as the database reports them."""
    from sqlalchemy import inspect

    inspector = inspect(connection)
    found = set()
    for table in inspector.get_table_names(schema=schema):
        if table == "alembic_version":
            continue
        primary = inspector.get_pk_constraint(table, schema=schema)
        found.add((table, "pk", primary["name"], tuple(primary["constrained_columns"])))
        for unique in inspector.get_unique_constraints(table, schema=schema):
            found.add((table, "uq", unique["name"], tuple(unique["column_names"])))
        for key in inspector.get_foreign_keys(table, schema=schema):
            found.add((table, "fk", key["name"], tuple(key["constrained_columns"]),
                       key["referred_table"]))
        for check in inspector.get_check_constraints(table, schema=schema):
            found.add((table, "ck", check["name"]))
        for index in inspector.get_indexes(table, schema=schema):
            if not index.get("duplicates_constraint"):  # PostgreSQL: a unique constraint's own
                found.add((table, "ix", index["name"], tuple(index["column_names"]),
                           bool(index["unique"])))
    return found


def names_from_create_all(database_url: str, tmp_path) -> set[tuple]:
    """The names ``Base.metadata.create_all`` gives, on the same kind of database."""
    from sqlalchemy import text

    from server.db import make_engine

    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'created.db'}")
        Base.metadata.create_all(engine)
        with engine.connect() as connection:
            found = schema_names(connection)
        engine.dispose()
        return found
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE SCHEMA created_by_metadata"))
        Base.metadata.create_all(engine.execution_options(
            schema_translate_map={None: "created_by_metadata"}))
        with engine.connect() as connection:
            return schema_names(connection, "created_by_metadata")
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS created_by_metadata CASCADE"))
        engine.dispose()


def test_the_migrated_database_names_its_constraints_as_create_all_does(database_url, tmp_path):
    from server.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as connection:
        migrated = schema_names(connection)
    engine.dispose()
    assert migrated == names_from_create_all(database_url, tmp_path)
    assert all(name and name.startswith(KIND_PREFIXES[kind])
               for _table, kind, name, *_rest in migrated)
    assert ("areas", "pk", "pk_areas", ("id",)) in migrated
    assert ("areas", "uq", "uq_areas_code", ("code",)) in migrated
    assert ("visits", "fk", "fk_visits_resident_id_residents", ("resident_id",),
            "residents") in migrated


OLD_ROWS = [
    # The grid's id comes before its community's: copied in id order, it comes before its parent.
    "INSERT INTO areas (id, level, parent_id, name, code) VALUES (2, 'community', NULL, '社区', 'C1')",
    "INSERT INTO areas (id, level, parent_id, name, code) VALUES (1, 'grid', 2, '网格', 'G1')",
    "INSERT INTO people (id, username, display_name, password_hash, role, active, created_at) "
    "VALUES (7, 'li', '李', 'x', 'volunteer', true, '2026-11-20 02:00:00')",
    "INSERT INTO residents (id, grid_id, name, search_keys, sex, birth_year, address, "
    "care_categories, safety_devices, device_details, status, version, field_stamps, created_at) "
    "VALUES ('r1', 1, '王秀兰', '', 'F', 1940, '建设路51号', '[\"alone\"]', '[]', '{}', 'active', "
    "2, '{}', '2026-11-20 02:00:00')",
    "INSERT INTO visits (id, resident_id, grid_id, author_id, visited_at, device_time, "
    "recorded_at, outcome, details) VALUES ('v1', 'r1', 1, 7, '2026-11-20 02:00:00', "
    "'2026-11-20 02:00:00', '2026-11-20 02:00:00', 'met', '{\"mood\": \"good\"}')",
    "INSERT INTO audit_log (id, at, person_id, action, detail) "
    "VALUES (1, '2026-11-20 02:00:00', 7, 'sign_in', '{}')",
]
KEPT_TABLES = ("areas", "people", "residents", "visits", "audit_log")


def test_a_database_migrated_before_the_convention_gets_the_names(database_url, tmp_path):
    """A server deployed before the convention: its constraints unnamed (SQLite) or named by
    PostgreSQL's defaults. The upgrade names them, keeps every row, and keeps the foreign keys
    and the audit log's triggers working."""
    import pytest
    from alembic import command
    from sqlalchemy import MetaData, text
    from sqlalchemy.exc import DBAPIError

    from server.db import make_engine
    from server.migrate import alembic_config

    sqlite = database_url.startswith("sqlite")
    url = (f"sqlite:///{tmp_path / 'deployed.db'}" if sqlite
           else f"{database_url}?options=-csearch_path=deployed_before_0007b")
    admin = make_engine(database_url)
    if not sqlite:
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS deployed_before_0007b CASCADE"))
            connection.execute(text("CREATE SCHEMA deployed_before_0007b"))
    engine = make_engine(url)
    try:
        before = alembic_config(url)
        before.attributes["target_metadata"] = MetaData()  # the migrations as they ran then
        command.upgrade(before, "0006h_requests")
        with engine.connect() as connection:
            old = schema_names(connection)
        assert ("areas", "pk", None if sqlite else "areas_pkey", ("id",)) in old
        assert ("visits", "fk", None if sqlite else "visits_resident_id_fkey", ("resident_id",),
                "residents") in old
        with engine.begin() as connection:
            for statement in OLD_ROWS:
                connection.execute(text(statement))
            rows = {table: connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
                    for table in KEPT_TABLES}

        command.upgrade(alembic_config(url), "head")

        with engine.connect() as connection:
            assert schema_names(connection) == names_from_create_all(database_url, tmp_path)
            assert compare_metadata(MigrationContext.configure(
                connection, opts={"compare_type": True}), Base.metadata) == []
            assert {table: connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
                    for table in KEPT_TABLES} == rows
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET action = 'changed'"))
        with pytest.raises(DBAPIError, match="(?i)foreign key"), engine.begin() as connection:
            connection.execute(text(OLD_ROWS[4].replace("'v1', 'r1'", "'v2', 'nobody'")))
    finally:
        engine.dispose()
        if not sqlite:
            with admin.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS deployed_before_0007b CASCADE"))
        admin.dispose()
