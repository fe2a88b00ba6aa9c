"""Schema changes go through Alembic only: this is how the server applies them."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
    from .db import make_engine
    from .sync.changelog import ensure_head

    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        ensure_head(session)
    engine.dispose()
