"""Alembic for the tablet's own database: run on every start, before the store opens."""
from __future__ import annotations

import threading
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest local revision. Checked first so an up-to-date tablet starts without importing
#: Alembic (half a second on a phone); tests/client/test_local_migrations.py keeps it true.
LOCAL_HEAD = "c0003f_care_model"
#: Alembic's migration context is global to the process: one upgrade at a time.
_upgrading = threading.Lock()


def _keyring(path: Path, keyring):
    if keyring is not None:
        return keyring
    from .encryption import Keyring
    return Keyring(path)  # plain SQLite


def current_revision(path: Path, keyring=None) -> str | None:
    keyring = _keyring(path, keyring)
    try:
        connection = keyring.connect(Path(path))
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except keyring.dbapi.Error:
        return None
    return row[0] if row else None


def upgrade_local(path: Path, keyring=None) -> None:
    """``keyring`` (client.encryption.Keyring) opens the file: SQLCipher with its key, or
    plain SQLite. Alembic's engine gets its connections from it."""
    keyring = _keyring(path, keyring)
    if Path(path).exists() and current_revision(path, keyring) == LOCAL_HEAD:
        return
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    engine = create_engine("sqlite://", creator=keyring.creator(), module=keyring.dbapi,
                           poolclass=NullPool)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with _upgrading, engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        engine.dispose()
