"""The merge does not trust what a client chooses: its base version or its op id."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.models import Conflict, Resident
from server.sync.edits import CORRECTED, create_resident, settle_conflict
from shared import protocol as p
from testkit.factories import make_person
from testkit.ops import update_op

GREEDY_OP_ID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
HONEST_OP_ID = "00000000-0000-4000-8000-000000000000"
RESIDENT_ID = "44026093-c558-4c94-ac43-ddc5d34159f9"


def _settled_phone(hood, device_for, db_session) -> str:
    """alice and bob clash over the phone; a supervisor settles it with a corrected number."""
    alice, bob = device_for("alice"), device_for("bob")
    base = hood.resident_a.version
    alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, base, phone="13800000001")])
    clash = bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, base,
                                   phone="13800000002")])[0]
    supervisor = make_person(db_session, "sup", p.SUPERVISOR, [hood.tree.communities[0]])
    db_session.commit()
    settle_conflict(db_session, supervisor, clash["conflict_ids"][0], CORRECTED, "13711112222")
    db_session.commit()
    return "13711112222"


def test_a_base_version_from_the_future_does_not_overwrite_a_settled_value(
        neighbourhood, device_for, db_session):
    hood = neighbourhood
    settled = _settled_phone(hood, device_for, db_session)
    tablet = device_for("alice")  # another tablet of alice's, claiming to know the future
    result = tablet.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, 10**12,
                                           phone="13000000000")])[0]
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert db_session.get(Resident, hood.resident_a.id).phone == settled
    # Not silently dropped either: the value waits for a supervisor, as a conflict.
    assert result["status"] == "conflict" and len(result["conflict_ids"]) == 1
    conflict = db_session.get(Conflict, result["conflict_ids"][0])
    assert (conflict.kept_value, conflict.lost_value, conflict.status) == \
        (settled, "13000000000", "open")


def test_a_claimed_future_base_gets_no_more_than_a_base_of_zero(neighbourhood, device_for,
                                                                 db_session):
    """Clamped to "saw nothing": a later honest edit that saw the current value still wins."""
    hood = neighbourhood
    alice, bob = device_for("alice"), device_for("bob")
    alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, 10**12,
                             care_notes="乱写的")])
    db_session.rollback(); db_session.expire_all()
    stamps = db_session.get(Resident, hood.resident_a.id).field_stamps["care_notes"]
    assert [stamp["b"] for stamp in stamps] == [0]  # credited with having seen nothing
    # An edit based on a real version is taken at its word.
    version = db_session.get(Resident, hood.resident_a.id).version
    bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, version, care_notes="右腿不便")])
    db_session.rollback(); db_session.expire_all()
    resident = db_session.get(Resident, hood.resident_a.id)
    assert resident.care_notes == "右腿不便"
    assert [stamp["b"] for stamp in resident.field_stamps["care_notes"]] == [version]


@pytest.mark.parametrize("greedy_first", [True, False])
def test_an_op_id_of_all_fs_does_not_win_a_tie(neighbourhood, device_for, db_session,
                                               greedy_first):
    """Two tablets change the phone from the same version; the op whose id is ffff… used to
    win every such tie. In this case it loses, whichever arrives first."""
    hood = neighbourhood
    resident = create_resident(db_session, None, hood.grid_a.id,
                               {"name": "张利霞", "sex": "F", "birth_year": 1941,
                                "address": "建设路17号院3号楼2单元401"}, resident_id=RESIDENT_ID)
    db_session.commit()
    base = resident.version
    honest = {**update_op(1, hood.grid_a.id, RESIDENT_ID, base, phone="13900000000"),
              "op_id": HONEST_OP_ID}
    greedy = {**update_op(1, hood.grid_a.id, RESIDENT_ID, base, phone="13000000000"),
              "op_id": GREEDY_OP_ID}
    # Under the old rule (the op id breaks the tie) the ffff… op would have won here.
    assert max(HONEST_OP_ID, GREEDY_OP_ID) == GREEDY_OP_ID
    order = [("bob", greedy), ("alice", honest)] if greedy_first else \
        [("alice", honest), ("bob", greedy)]
    for username, op in order:
        device_for(username).push_ok([op])
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert db_session.get(Resident, RESIDENT_ID).phone == "13900000000"
    conflict = db_session.scalars(select(Conflict).where(
        Conflict.resident_id == RESIDENT_ID)).one()
    assert (conflict.kept_value, conflict.lost_value) == ("13900000000", "13000000000")
