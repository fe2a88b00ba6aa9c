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
