"""Changes made on the server itself (server.sync.edits): imports and settling conflicts."""
from __future__ import annotations

from sqlalchemy import select

from server.models import ChangeLogEntry, Conflict, Resident
import pytest

from server.sync.edits import (KEEP_CURRENT, TAKE_OTHER, AlreadySettled, create_resident,
                               create_residents, edit_resident, lock_resident, settle_conflict)
from shared.search import search_keys
from shared import protocol as p
from shared.clock import utcnow
from testkit.factories import make_district, make_person, make_resident


def _open_conflict(session, resident: Resident, conflict_id: str, field="phone") -> Conflict:
    conflict = Conflict(id=conflict_id, grid_id=resident.grid_id, resident_id=resident.id,
                        field=field, kept_value="13800000001", lost_value="13900000002",
                        kept_by={}, lost_by={}, detected_at=utcnow(), status="open")
    session.add(conflict)
    return conflict


def _two_residents(session):
    tree = make_district(session, communities=1, grids=1)
    supervisor = make_person(session, "sup", p.SUPERVISOR, [tree.communities[0]])
    first = make_resident(session, tree.grids[0], phone="13800000001")
    second = make_resident(session, tree.grids[0], phone="13800000001")
    return supervisor, first, second


def test_settling_a_conflict_leaves_another_residents_conflicts_open(db_session):
    supervisor, first, second = _two_residents(db_session)
    second.phone = "13600000003"
    _open_conflict(db_session, second, "b" * 36)  # stored first: a table scan meets it first
    db_session.flush()
    _open_conflict(db_session, first, "a" * 36)
    db_session.commit()
    second_version = second.version
    settled = settle_conflict(db_session, supervisor, "a" * 36, KEEP_CURRENT)
    db_session.commit()
    assert [(c.id, c.settled_value) for c in settled] == [("a" * 36, "13800000001")]
    assert db_session.get(Conflict, "b" * 36).status == "open"
    db_session.expire_all()
    assert db_session.get(Resident, second.id).version == second_version  # not touched


def test_settling_any_open_conflict_of_a_field_closes_all_of_that_field(db_session):
    supervisor, first, _second = _two_residents(db_session)
    for conflict_id in ("a" * 36, "b" * 36, "c" * 36):
        _open_conflict(db_session, first, conflict_id)
    _open_conflict(db_session, first, "d" * 36, field="care_notes")
    earlier = _open_conflict(db_session, first, "e" * 36)  # settled before, by someone else
    earlier.status, earlier.settled_value = "settled", "13700000000"
    db_session.commit()
    settled = settle_conflict(db_session, supervisor, "b" * 36, KEEP_CURRENT)
    db_session.commit()
    assert [c.id for c in settled] == ["b" * 36, "a" * 36, "c" * 36]  # the chosen one first
    assert {db_session.get(Conflict, c).status for c in ("a" * 36, "b" * 36, "c" * 36)} == \
        {"settled"}
    assert db_session.get(Conflict, "d" * 36).status == "open"  # another field
    assert db_session.get(Conflict, "e" * 36).settled_value == "13700000000"  # stays as it was


def test_a_roster_import_adds_every_row_and_logs_each_resident(db_session):
    tree = make_district(db_session, communities=1, grids=2)
    rows = [(grid.id, {"name": name, "sex": "F", "birth_year": 1940, "address": "1号楼"})
            for grid, name in zip(tree.grids, ("王芳", "李秀英"))]
    assert create_residents(db_session, None, rows) == 2
    db_session.commit()
    residents = db_session.scalars(select(Resident).order_by(Resident.name)).all()
    assert sorted((r.grid_id, r.name) for r in residents) == sorted(
        (grid_id, fields["name"]) for grid_id, fields in rows)
    logged = set(db_session.scalars(select(ChangeLogEntry.entity_id).where(
        ChangeLogEntry.entity == p.RESIDENT)))
    assert logged == {r.id for r in residents} and all(r.version > 0 for r in residents)


def _resident(session, grid_id: int, resident_id: str) -> Resident:
    return create_resident(session, None, grid_id, {
        "name": "王芳", "sex": "F", "birth_year": 1940, "address": "1号楼",
        "phone": "13800000001"}, resident_id=resident_id)


def test_settling_leaves_the_conflicts_of_residents_before_and_after_it_open(db_session):
    tree = make_district(db_session, communities=1, grids=1)
    supervisor = make_person(db_session, "sup", p.SUPERVISOR, [tree.communities[0]])
    low, mid, high = (_resident(db_session, tree.grids[0].id, f"{digit * 8}-0000-4000-8000-"
                                f"{digit * 12}") for digit in "159")
    for resident, conflict_id in ((low, "a" * 36), (mid, "b" * 36), (high, "c" * 36)):
        _open_conflict(db_session, resident, conflict_id)
    _open_conflict(db_session, mid, "d" * 36, field="visit_cadence_days")  # a field after it
    db_session.commit()
    assert [c.id for c in settle_conflict(db_session, supervisor, "b" * 36, TAKE_OTHER)] == \
        ["b" * 36]
    db_session.commit()
    assert {c: db_session.get(Conflict, c * 36).status for c in "acd"} == \
        {"a": "open", "c": "open", "d": "open"}


def test_a_conflict_is_settled_once(db_session):
    supervisor, first, _second = _two_residents(db_session)
    _open_conflict(db_session, first, "a" * 36)
    db_session.commit()
    settle_conflict(db_session, supervisor, "a" * 36, TAKE_OTHER)
    db_session.commit()
    with pytest.raises(AlreadySettled):
        settle_conflict(db_session, supervisor, "a" * 36, KEEP_CURRENT)
    db_session.rollback()
    assert db_session.get(Conflict, "a" * 36).settled_value == "13900000002"


def test_a_web_edit_keeps_the_other_fields_stamps_and_renews_the_search_keys(db_session):
    supervisor, first, _second = _two_residents(db_session)
    db_session.commit()
    before = dict(first.field_stamps)
    resident = lock_resident(db_session, first.id)
    edit_resident(db_session, supervisor, resident, {"name": "李秀英"})
    db_session.commit()
    assert resident.search_keys == search_keys("李秀英", resident.address, resident.phone)
    assert set(resident.field_stamps) == set(before)  # every field still has its writers
    assert resident.field_stamps["phone"] == before["phone"]
    assert resident.field_stamps["name"] != before["name"]
