"""On PostgreSQL with concurrent writers, a cursor never skips a change that commits late.

A writer that takes a log position and commits late, while a later writer wants to commit
first, must not let any concurrent puller move its cursor past the late change.
"""
from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import Device
from server.sync import changelog
from server.sync.changelog import Change
from server.sync.pull import pull_changes
from shared.clock import utcnow
from testkit.factories import make_district, make_person

pytestmark = pytest.mark.skipif(not os.environ.get("KNOCKDOOR_TEST_DATABASE_URL"),
                                reason="the cursor-gap case needs PostgreSQL "
                                       "(KNOCKDOOR_TEST_DATABASE_URL; `make test` sets it)")


@pytest.fixture
def postgres_setup(database_url, db_session):
    grid = make_district(db_session, grids=1).grids[0]
    person = make_person(db_session, "puller", areas=[grid])
    db_session.add(Device(id="p" * 36, person_id=person.id, name="t", token_hash="x" * 64))
    db_session.commit()
    engine = make_engine(database_url)
    yield engine, grid.id
    engine.dispose()


def append_one(session: Session, grid_id: int, entity_id: str) -> int:
    position = changelog.reserve_positions(session, 1)
    changelog.append(session, [Change("visit", entity_id, grid_id, {"id": entity_id})], position)
    return position


def pull_once(engine, cursor):
    with Session(engine) as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        page = pull_changes(session, session.get(Device, "p" * 36), cursor, 100, utcnow())
        return [row[2] for row in page.rows], page.cursor


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_late_commit_is_not_skipped_by_concurrent_pullers(postgres_setup):
    engine, grid_id = postgres_setup
    late_may_commit = threading.Event()
    late_reserved = threading.Event()
    committed: dict[str, tuple[int, float]] = {}

    def late_writer():
        with Session(engine) as session, session.begin():
            position = append_one(session, grid_id, "late")
            late_reserved.set()
            late_may_commit.wait(10)
        committed["late"] = (position, time.monotonic())

    def eager_writer():
        with Session(engine) as session, session.begin():
            position = append_one(session, grid_id, "eager")
        committed["eager"] = (position, time.monotonic())

    seen: list[str] = []
    stop = threading.Event()

    def puller():
        cursor = None
        while not stop.is_set():
            ids, cursor = pull_once(engine, cursor)
            seen.extend(ids)
            time.sleep(0.01)
        ids, cursor = pull_once(engine, cursor)
        seen.extend(ids)

    threads = [threading.Thread(target=late_writer)]
    threads[0].start()
    assert late_reserved.wait(10)
    threads += [threading.Thread(target=eager_writer), threading.Thread(target=puller)]
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.5)
    assert "eager" not in committed, "the later writer must wait for the earlier position"
    assert seen == []
    late_may_commit.set()
    threads[0].join(10)
    threads[1].join(10)
    time.sleep(0.1)
    stop.set()
    threads[2].join(10)
    assert committed["late"][0] < committed["eager"][0]
    assert committed["late"][1] <= committed["eager"][1]
    assert seen == ["late", "eager"]
