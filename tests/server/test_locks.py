"""A record is written only as read under its lock (server.sync.locks)."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from server.models import Conflict, Person, Resident
from server.sync.batch import ChangeBatch
from server.sync.edits import edit_resident, lock_resident
from server.sync.locks import (UnlockedWrite, check_locked, load_all_for_update,
                               load_for_update)
from shared import protocol as p
from shared.clock import utcnow
from testkit.factories import make_district, make_person, make_resident


@pytest.fixture
def resident_and_supervisor(db_session):
    tree = make_district(db_session, communities=1, grids=1)
    resident = make_resident(db_session, tree.grids[0], phone="13800000001")
    supervisor = make_person(db_session, "sup", p.SUPERVISOR, [tree.communities[0]])
    db_session.commit()
    return resident.id, supervisor.id


def test_a_resident_read_without_the_lock_cannot_be_written(db_session,
                                                            resident_and_supervisor):
    resident_id, supervisor_id = resident_and_supervisor
    unlocked = db_session.get(Resident, resident_id)
    with pytest.raises(UnlockedWrite):
        edit_resident(db_session, db_session.get(Person, supervisor_id), unlocked,
                      {"phone": "13900000002"})
    db_session.rollback()
    with pytest.raises(UnlockedWrite):  # nor a conflict
        conflict = Conflict(id="c" * 36, grid_id=unlocked.grid_id, resident_id=resident_id,
                            field="phone", kept_value="a", lost_value="b", kept_by={},
                            lost_by={}, detected_at=utcnow(), status="open")
        db_session.add(conflict)
        db_session.commit()
        ChangeBatch(db_session).add_conflict(db_session.get(Conflict, "c" * 36))


def test_a_lock_from_an_earlier_transaction_does_not_count(db_session, resident_and_supervisor):
    resident_id, supervisor_id = resident_and_supervisor
    resident = lock_resident(db_session, resident_id)
    db_session.commit()  # the lock ends here; the object stays in the session
    with pytest.raises(UnlockedWrite):
        edit_resident(db_session, db_session.get(Person, supervisor_id), resident,
                      {"phone": "13900000002"})


def test_loading_for_update_reads_the_row_afresh(db_session, engine, resident_and_supervisor):
    """The session already holds an old copy; the locked load replaces it with the row."""
    resident_id, supervisor_id = resident_and_supervisor
    stale = db_session.get(Resident, resident_id)
    db_session.commit()
    with engine.begin() as other:  # someone else commits a change meanwhile
        other.execute(update(Resident).where(Resident.id == resident_id)
                      .values(phone="13611112222"))
    locked = load_for_update(db_session, Resident, resident_id)
    assert locked is stale and locked.phone == "13611112222"
    version = edit_resident(db_session, db_session.get(Person, supervisor_id), locked,
                            {"care_notes": "右腿不便"})
    db_session.commit()
    assert version > 0


def test_loading_for_update_finds_exactly_the_key_or_nothing(db_session, resident_and_supervisor):
    resident_id, _supervisor_id = resident_and_supervisor
    tree_grid = db_session.get(Resident, resident_id).grid_id
    other = Resident(id="ffffffff-ffff-4fff-8fff-ffffffffffff", grid_id=tree_grid, version=0,
                     name="王芳", sex="F", birth_year=1940, address="3号楼", created_at=utcnow())
    db_session.add(other)
    db_session.commit()
    for key in (resident_id, other.id):
        assert load_for_update(db_session, Resident, key).id == key
    assert load_for_update(db_session, Resident, "00000000-0000-4000-8000-000000000000") is None
    db_session.rollback()


def _conflict(resident_id: str, grid_id: int, conflict_id: str) -> Conflict:
    return Conflict(id=conflict_id, grid_id=grid_id, resident_id=resident_id, field="phone",
                    kept_value="a", lost_value="b", kept_by={}, lost_by={}, detected_at=utcnow(),
                    status="open")


def test_rows_loaded_together_for_update_are_read_afresh_and_may_be_written(
        db_session, engine, resident_and_supervisor):
    resident_id, _supervisor_id = resident_and_supervisor
    grid_id = db_session.get(Resident, resident_id).grid_id
    db_session.add_all([_conflict(resident_id, grid_id, c * 36) for c in "ab"])
    db_session.commit()
    stale = db_session.get(Conflict, "a" * 36)
    db_session.commit()
    with engine.begin() as other:  # someone settles it meanwhile
        other.execute(update(Conflict).where(Conflict.id == "a" * 36).values(status="settled"))
    locked = load_all_for_update(db_session, select(Conflict).order_by(Conflict.id))
    assert [c.id for c in locked] == ["a" * 36, "b" * 36]
    assert locked[0] is stale and stale.status == "settled"
    batch = ChangeBatch(db_session)
    for conflict in locked:
        batch.add_conflict(conflict)  # no UnlockedWrite: each was loaded under its lock
    db_session.rollback()


def test_a_record_created_before_the_transaction_began_counts_as_locked(engine):
    # A fresh session has not begun its transaction yet; a record made there is the
    # transaction's own, still after it is flushed.
    with Session(engine) as session:
        grid_id = make_district(session, communities=1, grids=1).grids[0].id
        session.commit()
        resident = Resident(id="eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", grid_id=grid_id,
                            version=0, name="李建国", sex="M", birth_year=1938, address="5号楼",
                            created_at=utcnow())
        assert session.get_transaction() is None
        check_locked(session, resident)
        session.add(resident)
        session.flush()
        check_locked(session, resident)  # persistent now, and still this transaction's
        session.rollback()


def test_the_lock_lets_visits_refer_to_the_resident_meanwhile(db_session,
                                                              resident_and_supervisor):
    """``FOR NO KEY UPDATE``: a concurrent push may insert a visit of the resident (its foreign
    key takes a KEY SHARE lock) while a web edit holds the resident; ``FOR UPDATE`` would make it
    wait. Checked on the statement as PostgreSQL would receive it (SQLite has no FOR clause)."""
    resident_id, _supervisor_id = resident_and_supervisor
    sent = []
    listen = lambda state: sent.append(state.statement)  # noqa: E731
    event.listen(db_session, "do_orm_execute", listen)
    try:
        load_for_update(db_session, Resident, resident_id)
        load_all_for_update(db_session, select(Conflict).order_by(Conflict.id))
    finally:
        event.remove(db_session, "do_orm_execute", listen)
    compiled = [str(statement.compile(dialect=postgresql.dialect())) for statement in sent]
    assert len(compiled) == 2
    assert all(text.endswith("FOR NO KEY UPDATE") for text in compiled), compiled
    db_session.rollback()
