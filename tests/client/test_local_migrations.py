"""The tablet's own database is migrated by Alembic, and a tablet with unsent data survives."""
from alembic.config import Config
from alembic.script import ScriptDirectory

from client.migrate import LOCAL_HEAD, MIGRATIONS, current_revision
from client.store import SqliteStore


def test_the_fast_path_knows_the_newest_revision():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == LOCAL_HEAD


def test_a_new_store_is_migrated_to_the_newest_revision(tmp_path):
    store = SqliteStore(tmp_path / "local.db")
    store.close()
    assert current_revision(tmp_path / "local.db", store.keyring) == LOCAL_HEAD


def test_a_database_behind_the_newest_revision_is_upgraded_in_place(tmp_path):
    store = SqliteStore(tmp_path / "local.db")
    store.set_meta({"next_seq": "5"})
    store.close()
    connection = store.keyring.connect()
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = 'unknown-old'")
    connection.close()
    # Not at the head: Alembic runs (and refuses a revision it does not know, loudly).
    try:
        SqliteStore(tmp_path / "local.db")
    except Exception as error:  # noqa: BLE001
        assert "unknown-old" in str(error)
    else:
        raise AssertionError("an unknown revision must not be taken for the head")


def test_records_in_the_previous_protocols_shape_are_mapped_like_the_servers(tmp_path):
    """An updated app: 居住情况 and the three care levels become 关爱类别 and ability levels,
    with the same canonical text and hash as the server's migration writes (digests agree),
    and 80+ now opens a follow-up after a no-answer."""
    import json

    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from shared.digest import canonical_json, record_hash
    from shared.legacy import map_resident_payload

    path = tmp_path / "local.db"
    store = SqliteStore(path)
    store.close()
    engine = create_engine("sqlite://", creator=store.keyring.creator(),
                           module=store.keyring.dbapi, poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "c0004c_visit_drafts")
        connection.commit()
    engine.dispose()
    old = {"id": "r1", "grid_id": 1, "version": 3, "name": "王秀兰", "address": "建设路51号",
           "birth_year": 1940, "status": "active", "created_at": "2026-01-05T02:00:00Z",
           "living_situation": ["empty_nest", "aged_80_plus"], "care_level": "full_care"}
    text = canonical_json(old)
    connection = store.keyring.connect(path)
    with connection:
        connection.execute(
            "INSERT INTO residents (id, grid_id, version, server_payload, position, row_hash, "
            "payload, name, search_keys, address) VALUES ('r1', 1, 3, ?, 3, ?, ?, '王秀兰', '', "
            "'建设路51号')", (text, record_hash("resident", text), text))
        connection.execute(
            "INSERT INTO visits (id, resident_id, grid_id, visited_at, outcome, payload, "
            "position, row_hash) VALUES ('v1', 'r1', 1, '2026-11-20T02:00:00Z', 'no_answer', "
            "'{}', 4, 0)")
        connection.execute(
            "INSERT INTO conflicts (id, resident_id, grid_id, status, payload, position, "
            "row_hash) VALUES ('c1', 'r1', 1, 'open', ?, 5, 0)", (canonical_json(
                {"id": "c1", "field": "care_level", "kept_value": "assisted",
                 "lost_value": "self_care", "status": "open", "resident_id": "r1"}),))
    connection.close()

    store = SqliteStore(path)  # upgraded on opening
    try:
        record = store.record("resident", "r1")
        assert record["care_categories"] == ["empty_nest"]
        assert record["ability_level"] == "severe"
        assert "living_situation" not in record and "care_level" not in record
        with store.reading() as db:
            server_payload, row_hash, follow_up = db.execute(
                "SELECT server_payload, row_hash, follow_up_since FROM residents").fetchone()
            conflict = json.loads(db.execute("SELECT payload FROM conflicts").fetchone()[0])
        expected = canonical_json(map_resident_payload(old))  # what the server's log now holds
        assert server_payload == expected and row_hash == record_hash("resident", expected)
        assert follow_up is not None  # aged 86: followed up now, as the server does
        assert (conflict["field"], conflict["kept_value"], conflict["lost_value"]) == (
            "ability_level", "moderate", "intact")
    finally:
        store.close()
