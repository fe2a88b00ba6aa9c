"""The server database as the command line reaches it: which one, shown without its password,
and migrated before any command uses it."""
from __future__ import annotations

from pathlib import Path


def default_database_url() -> str:
    from server.config import Config

    return Config().DATABASE_URL


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def prepare_sqlite_dir(url: str) -> None:
    """SQLite creates the file but not its folder: make the folder."""
    if not is_sqlite(url):
        return
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def migrate_database(url: str) -> None:
    from server.migrate import upgrade

    prepare_sqlite_dir(url)
    upgrade(url)


# ---- subcommands ----------------------------------------------------------------------------
