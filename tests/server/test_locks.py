"""A record is written only as read under its lock (server.sync.locks)."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from server.models import Conflict, Person, Resident
from server.sync.batch import ChangeBatch
from server.sync.edits import edit_resident, lock_resident
from server.sync.locks import UnlockedWrite, load_for_update
from shared import protocol as p
from shared.clock import utcnow
from tests.factories import make_district, make_person, make_resident


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
