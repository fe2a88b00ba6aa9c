"""constraints named by the metadata's naming convention, on every database

Revision ID: 0007b_constraint_names
Revises: 0006h_requests
Create Date: 2026-12-01

A database migrated before the convention (server.models.base.NAMING_CONVENTION) has its primary
keys, unique constraints and foreign keys unnamed (SQLite) or named by PostgreSQL's defaults
(``areas_pkey``, ``areas_code_key``, ``assignments_person_id_fkey``); one made since has them as
``pk_areas``, ``uq_areas_code``, ``fk_assignments_person_id_people``. This gives the old ones
their names, so a later migration can name what it changes, the same on both databases. Indexes
already had their names (``ix_<table>_<column>`` or an explicit one) and keep them. Names that
already have their kind's prefix (an explicit ``uq_applied_ops_device_seq``) are kept too.

PostgreSQL renames in place. SQLite cannot rename a constraint, so each table that needs it is
made anew from its reflection (same columns, types and defaults), row for row, its indexes and
triggers re-created from their own SQL. Foreign keys stay on: the rows are put aside, the table
dropped, made anew and filled under deferred foreign keys, so every row referring to it is
satisfied again before the commit, and ``foreign_key_check`` must find nothing.

Downgrade keeps the names: no earlier revision refers to a constraint by a name this one gives,
and the earlier revisions themselves now make these names on a new database (Alembic hands the
target metadata's convention to their operations).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateTable

revision = "0007b_constraint_names"
down_revision = "0006h_requests"
branch_labels = None
depends_on = None

#: The convention as this revision applies it (a copy: a later change of the metadata's
#: convention comes with its own revision).
CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ASIDE = "_0007b_rows"


def renames(inspector, table: str) -> list[tuple[str, str | None, str]]:
    """(kind, current name, name by the convention) of each constraint of ``table`` that lacks
    its name; the current name is None where SQLite keeps none."""
    found = []
    primary = inspector.get_pk_constraint(table)
    if primary["constrained_columns"]:
        found.append(("pk", primary["name"], f"pk_{table}"))
    for unique in inspector.get_unique_constraints(table):
        found.append(("uq", unique["name"], f"uq_{table}_{'_'.join(unique['column_names'])}"))
    for key in inspector.get_foreign_keys(table):
        found.append(("fk", key["name"], f"fk_{table}_{'_'.join(key['constrained_columns'])}_"
                                         f"{key['referred_table']}"))
    return [(kind, name, wanted) for kind, name, wanted in found
            if not (name or "").startswith(f"{kind}_")]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    tables = [table for table in inspector.get_table_names() if table != "alembic_version"]
    todo = {table: found for table in tables if (found := renames(inspector, table))}
    if bind.dialect.name == "sqlite":
        if todo:
            _remake_on_sqlite(bind, sorted(todo))
        return
    for table, found in sorted(todo.items()):
        for _kind, name, wanted in found:
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{wanted}"')


def _remake_on_sqlite(bind, tables: list[str]) -> None:
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # until this transaction ends
    for table in tables:
        reflected = sa.Table(table, sa.MetaData(naming_convention=CONVENTION), autoload_with=bind)
        create = str(CreateTable(reflected).compile(dialect=bind.dialect))
        beside = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name", (table,)).scalars().all()
        columns = ", ".join(f'"{column.name}"' for column in reflected.columns)
        bind.exec_driver_sql(f'CREATE TABLE "{ASIDE}" AS SELECT {columns} FROM "{table}"')
        bind.exec_driver_sql(f'DROP TABLE "{table}"')
        bind.exec_driver_sql(create)
        bind.exec_driver_sql(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{ASIDE}"')
        bind.exec_driver_sql(f'DROP TABLE "{ASIDE}"')
        for statement in beside:
            bind.exec_driver_sql(statement)
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken by re-creating tables: {broken[:5]}")


def downgrade() -> None:
    pass  # the names stay (see above)
