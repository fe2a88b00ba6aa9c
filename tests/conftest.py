"""Fixtures for every layer. The server suite runs once per database backend: SQLite always,
PostgreSQL when KNOCKDOOR_TEST_DATABASE_URL is set (CI sets it)."""
from __future__ import annotations

import os
import time

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.orm import Session

from server import create_app
from server.db import make_engine
from server.demo import wipe
from server.migrate import upgrade
from shared.district_day import DEFAULT_ZONE
from testkit.clock import AROUND_MIDNIGHT, frozen_at, subprocess_pythonpath

PG_URL = os.environ.get("KNOCKDOOR_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
FAST_PASSWORD_HASH = "pbkdf2:sha256:1000"


def pytest_configure(config):
    # The tests' district is China's, whatever the machine running them is configured for.
    os.environ["KNOCKDOOR_TIMEZONE"] = DEFAULT_ZONE
    if frozen_at():
        # Processes the tests start (the app under Xvfb, live servers) start frozen too.
        os.environ["PYTHONPATH"] = subprocess_pythonpath(
            *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)))


def pytest_report_header(config):
    return f"clock: every test starts at {frozen_at()}" if frozen_at() else None


@pytest.fixture(autouse=True)
def wall_clock_from_environment():
    """With KNOCKDOOR_TEST_FROZEN_AT set, every test starts at that instant (the clock ticks
    on from there): the whole suite can be run at any hour of the day."""
    at = frozen_at()
    if at is None:
        yield
        return
    with time_machine.travel(at, tick=True):
        yield


@pytest.fixture(params=AROUND_MIDNIGHT)
def around_midnight(request):
    """The test runs at each instant around the district's and UTC's midnight, clock stopped;
    yields the instant."""
    with time_machine.travel(request.param, tick=False) as traveller:
        yield traveller


@pytest.fixture
def machine_in_new_york(monkeypatch):
    """The machine's own zone (TZ) set to New York's: the tablet's or the server's host zone
    must play no part in the district's days and times."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty server database, one per backend for the whole run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('server-db') / 'server.db'}"
    else:
        url = PG_URL
        reset_postgres(url)
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url):
    # Arranging and inspecting beside the app must not hold SQLite's write lock.
    engine = make_engine(database_url, lock_on_begin=False)
    wipe(engine)  # every table empty, the change log restarted
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine):
    """A session for arranging and inspecting data; commit what you arrange."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app(engine, database_url):
    return create_app({"DATABASE_URL": database_url, "TESTING": True,
                       "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH, "SECRET_KEY": "test",
                       "SESSION_COOKIE_SECURE": False})


@pytest.fixture
def client(app):
    return app.test_client()
