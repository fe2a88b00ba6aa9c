"""The server's change log on every backend: ordering, atomicity, replay, resumable cursors."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import ChangeLogEntry
from server.sync import changelog
from server.sync.changelog import Change
from server.sync.pull import pull_changes
from shared.clock import utcnow
from testkit.factories import make_district, make_person


@pytest.fixture
def writer(database_url, engine):
    """A session like the server's own (SQLite: takes the write lock at BEGIN)."""
    server_engine = make_engine(database_url)
    yield lambda: Session(server_engine)
    server_engine.dispose()


def write(make_session, *entity_ids, grid_id=1) -> list[int]:
    with make_session() as session, session.begin():
        first = changelog.reserve_positions(session, len(entity_ids))
        changelog.append(session, [Change("visit", entity_id, grid_id, {"id": entity_id})
                                   for entity_id in entity_ids], first)
        return list(range(first, first + len(entity_ids)))


def rows(engine) -> list[tuple]:
    with Session(engine) as session:
        return session.execute(select(ChangeLogEntry.position, ChangeLogEntry.entity_id)
                               .order_by(ChangeLogEntry.position)).all()


def test_positions_are_consecutive_and_follow_commit_order(writer, engine):
    assert write(writer, "a", "b") == [1, 2]
    assert write(writer, "c") == [3]
    assert [r[0] for r in rows(engine)] == [1, 2, 3]


def test_a_failed_write_leaves_no_trace(writer, engine):
    with pytest.raises(RuntimeError):
        with writer() as session, session.begin():
            first = changelog.reserve_positions(session, 1)
            changelog.append(session, [Change("visit", "a", 1, {})], first)
            raise RuntimeError("crash before commit")
    assert rows(engine) == []
    assert write(writer, "b") == [1]


def test_rewriting_a_record_moves_it_to_a_new_position_and_keeps_one_row(writer, engine):
    write(writer, "a", "b")
    write(writer, "a")
    assert rows(engine) == [(2, "b"), (3, "a")]


def test_a_cursor_resumes_without_skipping_or_repeating(writer, engine, db_session):
    tree = make_district(db_session, grids=1)
    grid = tree.grids[0]
    person = make_person(db_session, "v", areas=[grid])
    from server.models import Device
    device = Device(id="d" * 36, person_id=person.id, name="t", token_hash="h" * 64)
    db_session.add(device)
    db_session.commit()
    for batch in range(5):
        write(writer, *[f"{batch}-{i}" for i in range(7)], grid_id=grid.id)
    seen, cursor = [], None
    with writer() as session:
        device = session.get(Device, device.id)
        while True:
            page = pull_changes(session, device, cursor, 4, utcnow())
            seen += [row[2] for row in page.rows]
            cursor = page.cursor
            if not page.has_more:
                break
        session.rollback()  # end this reader's transaction (on SQLite it holds the lock)
        write(writer, "late", grid_id=grid.id)
        later = pull_changes(session, device, cursor, 4, utcnow())
    assert len(seen) == len(set(seen)) == 35
    assert [row[2] for row in later.rows] == ["late"]
