"""Alembic environment for the tablet's local database (a field tablet must survive an app
update with unsent data in it)."""
from alembic import context
from sqlalchemy import create_engine

config = context.config


def run() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
