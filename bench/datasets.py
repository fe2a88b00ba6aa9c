"""The large data sets some benchmarks build once and reuse between runs.

Each lives in a PostgreSQL database of its own; the database's comment names the version of the
data set it holds, written only when a build has finished, so a build cut short is built again.
"""
from __future__ import annotations

import psycopg
from psycopg import sql


def holds_dataset(admin_dsn: str, database: str, version: str) -> bool:
    """Make ``database`` if it is missing; True when it already holds data set ``version``."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                           "WHERE datname = %s", (database,)).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            return False
        return row[0] == version


def mark_dataset(conn: psycopg.Connection | psycopg.Cursor, database: str, version: str) -> None:
    """Record that ``database`` now holds data set ``version`` (the last step of a build)."""
    conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
        sql.Identifier(database), sql.Literal(version)))
