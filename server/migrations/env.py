"""Alembic environment for the server database. Run through ``knockdoor migrate``."""
from alembic import context

from server.db import make_engine
from server.models import Base

config = context.config
#: Alembic hands this metadata's naming convention to every operation. A caller may pass another
#: (tests pass a plain MetaData() to make a database as servers migrated before the convention).
target_metadata = config.attributes.get("target_metadata", Base.metadata)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `knockdoor migrate`.")
run_migrations_online()
