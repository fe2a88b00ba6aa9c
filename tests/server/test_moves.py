"""A resident moves to another grid: the old grid's tablets drop them (and only them), the new
grid's receive them with their whole history, both grids' digests still match, and ops the old
grid's tablets made before they heard of the move are delivered, not lost."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.models import CaseNote, Conflict, Resident, ResidentMove, Visit
from server.sync.edits import lock_resident
from server.sync.moves import MoveRefused, move_resident
from shared import protocol as p
from shared.clock import utcnow
from shared.digest import canonical_json, combine, record_hash
from testkit.factories import make_area, make_person, make_resident
from testkit.ops import note_op, update_op, visit_op


class Replica:
    """What a tablet keeps of its pulls: the latest copy of each record, departures applied."""

    def __init__(self, device) -> None:
        self.device = device
        self.records: dict[tuple[str, str], dict] = {}
        self.digests: dict[int, str] = {}

    def sync(self) -> list[dict]:
        page = self.device.pull_all()
        for change in page["changes"]:
            data = change["data"]
            if change["entity"] == p.DEPARTURE:
                self.records = {key: rec for key, rec in self.records.items() if not (
                    rec["grid_id"] == data["grid_id"] and data["resident_id"] in (
                        rec.get("resident_id"), rec["id"] if key[0] == p.RESIDENT else None))}
            else:
                self.records[(change["entity"], change["id"])] = data
        for grid in page["evict_grids"]:
            self.records = {k: r for k, r in self.records.items() if r["grid_id"] != grid}
        self.digests = {grid["id"]: grid["digest"] for grid in page["grids"]}
        return page["changes"]

    def local_digests(self) -> dict[int, str]:
        hashes: dict[int, list[int]] = {grid: [] for grid in self.digests}
        for (entity, _id), data in self.records.items():
            hashes.setdefault(data["grid_id"], []).append(
                record_hash(entity, canonical_json(data)))
        return {grid: combine(values) for grid, values in hashes.items()}

    def holds(self, resident_id: str) -> bool:
        return any(key == (p.RESIDENT, resident_id) or rec.get("resident_id") == resident_id
                   for key, rec in self.records.items())


@pytest.fixture
def history(neighbourhood, device_for):
    """张利霞 (grid A) with a visit, a case note and a conflict; alice and carol caught up."""
    hood = neighbourhood
    alice, bob = device_for("alice"), device_for("bob")
    resident = hood.resident_a
    alice.push_ok([visit_op(1, hood.grid_a.id, resident.id),
                   note_op(2, hood.grid_a.id, resident.id),
                   update_op(3, hood.grid_a.id, resident.id, resident.version, phone="13800000001")])
    bob.push_ok([update_op(1, hood.grid_a.id, resident.id, resident.version,
                           phone="13800000002")])
    return alice


def move(db_session, resident_id: str, grid, **kw) -> ResidentMove:
    resident = lock_resident(db_session, resident_id)
    moved = move_resident(db_session, None, resident, grid.id, via="web", reason="搬到女儿家", **kw)
    db_session.commit()
    return moved


def test_the_old_grid_drops_only_the_moved_resident_and_downloads_nothing_again(
        neighbourhood, history, device_for, db_session):
    hood = neighbourhood
    make_resident(db_session, hood.grid_a, name="李桂兰")
    db_session.commit()
    alice = Replica(device_for("alice"))
    alice.sync()
    assert alice.local_digests() == alice.digests
    move(db_session, hood.resident_a.id, hood.grid_b)
    changes = alice.sync()
    assert [c["entity"] for c in changes] == [p.DEPARTURE]  # one record, not the whole grid
    assert not alice.holds(hood.resident_a.id)
    assert [r["name"] for k, r in alice.records.items() if k[0] == p.RESIDENT] == ["李桂兰"]
    assert alice.local_digests() == alice.digests  # no mismatch, so no start-over


def test_the_new_grid_receives_the_resident_with_their_whole_history(
        neighbourhood, history, device_for, db_session):
    hood = neighbourhood
    carol = Replica(device_for("carol"))
    carol.sync()
    move(db_session, hood.resident_a.id, hood.grid_b)
    changes = carol.sync()
    assert sorted(c["entity"] for c in changes) == ["conflict", "note", "resident", "visit"]
    assert {c["grid_id"] for c in changes} == {hood.grid_b.id}
    assert all(c["data"]["grid_id"] == hood.grid_b.id for c in changes)
    assert carol.local_digests() == carol.digests
    for model in (Visit, CaseNote, Conflict):
        assert {row.grid_id for row in db_session.scalars(select(model))} == {hood.grid_b.id}


def test_a_tablet_holding_both_grids_ends_with_the_resident_in_the_new_grid(
        neighbourhood, history, device_for, db_session):
    hood = neighbourhood
    make_person(db_session, "sup", p.SUPERVISOR, [hood.tree.communities[0]])
    db_session.commit()
    sup = Replica(device_for("sup"))
    sup.sync()
    move(db_session, hood.resident_a.id, hood.grid_b)
    sup.sync()
    held = {key: rec["grid_id"] for key, rec in sup.records.items()
            if rec.get("resident_id") == hood.resident_a.id or key[1] == hood.resident_a.id}
    assert len(held) == 4 and set(held.values()) == {hood.grid_b.id}
    assert sup.local_digests() == sup.digests


def test_moving_away_and_back_and_on_keeps_every_grid_right(neighbourhood, history,
                                                            device_for, db_session):
    hood = neighbourhood
    grid_c = make_area(db_session, p.GRID, "网格1-1-3", hood.tree.communities[0])
    make_person(db_session, "dan", p.VOLUNTEER, [grid_c])
    db_session.commit()
    alice, carol, dan = (Replica(device_for(name)) for name in ("alice", "carol", "dan"))
    for tablet in (alice, carol, dan):
        tablet.sync()
    move(db_session, hood.resident_a.id, hood.grid_b)
    carol.sync()  # alice stays offline through both moves
    move(db_session, hood.resident_a.id, grid_c)
    for tablet in (alice, carol, dan):
        tablet.sync()
        assert tablet.local_digests() == tablet.digests
    assert not alice.holds(hood.resident_a.id) and not carol.holds(hood.resident_a.id)
    assert dan.holds(hood.resident_a.id)
    move(db_session, hood.resident_a.id, hood.grid_a)
    for tablet in (alice, carol, dan):
        tablet.sync()
        assert tablet.local_digests() == tablet.digests
    assert alice.holds(hood.resident_a.id) and not dan.holds(hood.resident_a.id)


def test_moving_to_the_same_grid_is_refused(neighbourhood, db_session):
    resident = lock_resident(db_session, neighbourhood.resident_a.id)
    with pytest.raises(MoveRefused):
        move_resident(db_session, None, resident, neighbourhood.grid_a.id, via="web")


def test_an_offline_visit_and_note_for_the_old_grid_are_filed_in_the_new_one(
        neighbourhood, history, device_for, db_session):
    hood = neighbourhood
    move(db_session, hood.resident_a.id, hood.grid_b)
    visit = visit_op(4, hood.grid_a.id, hood.resident_a.id, outcome="no_answer")
    note = note_op(5, hood.grid_a.id, hood.resident_a.id)
    results = history.push_ok([visit, note])
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert db_session.get(Visit, visit["entity_id"]).grid_id == hood.grid_b.id
    assert db_session.get(CaseNote, note["entity_id"]).grid_id == hood.grid_b.id
    carol = Replica(device_for("carol"))
    carol.sync()
    assert (p.VISIT, visit["entity_id"]) in carol.records
    assert carol.local_digests() == carol.digests


def test_an_old_grid_edit_of_a_moved_resident_waits_for_review_as_a_conflict(
        neighbourhood, history, device_for, db_session):
    hood = neighbourhood
    bob = device_for("bob")
    version = db_session.get(Resident, hood.resident_a.id).version
    move(db_session, hood.resident_a.id, hood.grid_b)
    before = db_session.get(Resident, hood.resident_a.id).care_notes
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, version, care_notes="腿脚不便")
    [result] = bob.push_ok([op])
    assert result["status"] == "conflict" and len(result["conflict_ids"]) == 1
    db_session.expire_all()
    assert db_session.get(Resident, hood.resident_a.id).care_notes == before
    conflict = db_session.get(Conflict, result["conflict_ids"][0])
    assert conflict.grid_id == hood.grid_b.id and conflict.lost_value == "腿脚不便"
    assert conflict.lost_by["op_id"] == op["op_id"] and conflict.status == "open"


def test_ops_long_after_the_move_are_refused_naming_the_new_grid(
        neighbourhood, history, device_for, db_session):
    hood = neighbourhood
    move(db_session, hood.resident_a.id, hood.grid_b,
         now=utcnow() - timedelta(days=p.ASSIGNMENT_GRACE_DAYS + 1))
    [result] = history.push_ok([visit_op(4, hood.grid_a.id, hood.resident_a.id)])
    assert result["status"] == "rejected"
    assert result["reason"]["code"] == p.REJ_RESIDENT_MOVED
    assert hood.grid_b.name in result["reason"]["message"]
    assert result["reason"]["params"] == {
        "resident_id": hood.resident_a.id, "grid_id": hood.grid_b.id,
        "grid_name": hood.grid_b.name, "days": p.ASSIGNMENT_GRACE_DAYS}


def test_a_grid_the_resident_never_lived_in_still_does_not_reach_them(
        neighbourhood, device_for, db_session):
    hood = neighbourhood
    [result] = device_for("alice").push_ok([visit_op(1, hood.grid_a.id, hood.resident_b.id)])
    # Answered as for a resident that does not exist: a rejection never tells where an id
    # belongs (security finding 5).
    assert result["status"] == "rejected"
    assert result["reason"]["code"] == p.REJ_UNKNOWN_ENTITY
    assert str(hood.grid_b.id) not in result["reason"]["message"].replace(hood.resident_b.id, "")
    assert hood.grid_b.name not in result["reason"]["message"]


def test_an_app_that_predates_departures_never_receives_one(neighbourhood, history, client,
                                                            db_session):
    hood = neighbourhood
    alice = history
    alice.pull_all()
    move(db_session, hood.resident_a.id, hood.grid_b)
    old_app = client.post("/api/v1/sync/pull", headers=alice.headers, json={
        "protocol": p.DEPARTURES_SINCE_PROTOCOL - 1, "cursor": alice.cursor}).get_json()
    assert old_app["changes"] == []  # its digest now differs: it pulls the grid again
    assert [c["entity"] for c in alice.pull_all()["changes"]] == [p.DEPARTURE]
