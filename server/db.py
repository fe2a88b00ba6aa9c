"""The database extension: an engine per app and a session per request.

The request owns the transaction: :func:`Database.init_app` commits after a successful
response and rolls back otherwise, before the response leaves, so an acknowledgement is never
sent for work that did not commit.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from shared.district_day import local_date, zone_named
from shared.jsontext import orjson_text

#: SQL function ``knockdoor_local_day(utc_instant, zone_name)`` -> 'YYYY-MM-DD' on SQLite,
#: which has no time zones of its own (PostgreSQL uses ``timezone(zone, instant)``).
LOCAL_DAY_FUNCTION = "knockdoor_local_day"


def make_engine(url: str, *, lock_on_begin: bool = True, **kwargs) -> Engine:
    """``lock_on_begin=False`` (SQLite only) for tools that only read, or read-then-commit
    quickly, beside a running server: their transactions then never hold the write lock.

    Statement parameters are left out of error messages (``hide_parameters``): they hold names,
    phones and health readings, and an error message ends up in the error log."""
    kwargs.setdefault("hide_parameters", True)
    kwargs.setdefault("json_serializer", json_column_text)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **kwargs)
        _make_sqlite_transactional(engine, lock_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def json_column_text(value) -> str:
    """The text a ``json`` column stores, on every database and by INSERT and COPY alike (the
    dialect hands this to psycopg's JSON dumper too): compact, other scripts as they are. From
    orjson where it writes the same (a push writes two such values per op: ~10 µs less)."""
    fast = orjson_text(value, sort_keys=False)
    if fast is not None:
        return fast.decode()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _make_sqlite_transactional(engine: Engine, lock_on_begin: bool) -> None:
    """Real transactions on SQLite: WAL, foreign keys, and BEGIN IMMEDIATE so writers queue
    instead of failing, and every read in a request sees one snapshot."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        dbapi_connection.create_function(LOCAL_DAY_FUNCTION, 2, _sqlite_local_day,
                                         deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if lock_on_begin else "BEGIN")


def _sqlite_local_day(stored: str | None, zone: str) -> str | None:
    try:
        return None if stored is None else _local_day_of_hour(str(stored)[:13], zone) \
            or _local_day_of_minute(str(stored)[:16], zone)
    except ValueError:  # not an instant: no day, rather than an error inside SQLite
        return None


@lru_cache(maxsize=65536)
def _local_day_of_hour(hour: str, zone: str) -> str | None:
    """The district's day of every minute of a UTC hour; None when the day changes within it
    (a zone offset by a half or three quarters of an hour)."""
    first, last = (_local_day_of_minute(f"{hour}:{minute}", zone) for minute in ("00", "59"))
    return first if first == last else None


@lru_cache(maxsize=65536)
def _local_day_of_minute(minute: str, zone: str) -> str:
    moment = datetime.fromisoformat(minute).replace(tzinfo=timezone.utc)
    return local_date(moment, zone_named(zone)).isoformat()


class Database:
    """Unbound until ``init_app``; each app keeps its own engine in ``app.extensions``."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["knockdoor_db"] = {
            "engine": engine, "sessionmaker": sessionmaker(engine, expire_on_commit=False)}

        @app.after_request
        def finish_transaction(response):
            session = g.pop("db_session", None)
            if session is not None:
                try:
                    if response.status_code < 400:
                        session.commit()
                    else:
                        session.rollback()
                finally:
                    session.close()
            return response

        @app.teardown_request
        def discard_session(_exc):
            session = g.pop("db_session", None)
            if session is not None:
                session.rollback()
                session.close()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["knockdoor_db"]["engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["knockdoor_db"]["sessionmaker"]()
        return g.db_session

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


db = Database()
