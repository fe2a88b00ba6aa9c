"""Alembic for the tablet's own database: run on every start, before the store opens."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest local revision. Checked first so an up-to-date tablet starts without importing
#: Alembic (half a second on a phone); tests/client/test_local_migrations.py keeps it true.
LOCAL_HEAD = "c0002_rejected_trace"
#: Alembic's migration context is global to the process: one upgrade at a time.
_upgrading = threading.Lock()


def current_revision(path: Path) -> str | None:
    try:
        with sqlite3.connect(path) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def upgrade_local(path: Path) -> None:
    if Path(path).exists() and current_revision(path) == LOCAL_HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{Path(path).as_posix()}")
    with _upgrading:
        command.upgrade(config, "head")
