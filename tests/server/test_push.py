"""Pushing ops: each applied exactly once, each answered on its own."""
from datetime import timedelta

from sqlalchemy import func, select

from server.models import AppliedOp, AuditEntry, CaseNote, Conflict, Resident, Visit
from shared import protocol as p
from shared.clock import utcnow
from testkit.ops import note_op, update_op, visit_op


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_visits_and_notes_are_applied_with_their_log_position(neighbourhood, device_for,
                                                              db_session):
    hood, alice = neighbourhood, device_for("alice")
    ops = [visit_op(1, hood.grid_a.id, hood.resident_a.id, readings={"systolic": 150,
                                                                     "diastolic": 90}),
           note_op(2, hood.grid_a.id, hood.resident_a.id)]
    results = alice.push_ok(ops)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert all(r["version"] > 0 for r in results)
    visit = db_session.get(Visit, ops[0]["entity_id"])
    assert visit.details["readings"] == {"systolic": 150, "diastolic": 90}
    assert db_session.get(CaseNote, ops[1]["entity_id"]).text == "需要帮忙买药"


def test_every_applied_op_is_audited_with_the_address_it_came_from(neighbourhood, device_for,
                                                                   db_session):
    hood, alice = neighbourhood, device_for("alice")
    ops = [visit_op(1, hood.grid_a.id, hood.resident_a.id),
           note_op(2, hood.grid_a.id, hood.resident_a.id)]
    alice.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    alice.push_ok(ops)
    entries = db_session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["add_visit", "add_note"]))).all()
    assert sorted(entry.detail["op"] for entry in entries) == sorted(op["op_id"] for op in ops)
    assert {entry.remote_addr for entry in entries} == {"203.0.113.9"}


def test_a_retried_push_is_answered_duplicate_and_changes_nothing(neighbourhood, device_for,
                                                                  db_session):
    hood, alice = neighbourhood, device_for("alice")
    ops = [visit_op(1, hood.grid_a.id, hood.resident_a.id)]
    first = alice.push_ok(ops)
    again = alice.push_ok(ops)
    assert again[0]["status"] == "duplicate"
    assert again[0]["version"] == first[0]["version"]
    assert count(db_session, Visit) == 1


def test_the_same_op_twice_in_one_batch_is_applied_once(neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id)
    results = alice.push_ok([op, op])
    assert [r["status"] for r in results] == ["applied", "duplicate"]
    assert count(db_session, Visit) == 1


def test_one_bad_op_does_not_block_the_others(neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    bad = visit_op(2, hood.grid_a.id, hood.resident_a.id, outcome="asleep")
    ops = [visit_op(1, hood.grid_a.id, hood.resident_a.id), bad,
           visit_op(3, hood.grid_a.id, hood.resident_a.id)]
    results = alice.push_ok(ops)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["reason"]["code"] == "invalid_op"
    assert "data.outcome" in results[1]["reason"]["message"]
    rejected = db_session.get(AppliedOp, (alice.device_id, bad["op_id"]))
    assert rejected.status == "rejected" and "data.outcome" in rejected.reason
    assert alice.push_ok([bad])[0]["status"] == "rejected"  # a retry gets the same answer


def test_a_replayed_op_with_altered_content_is_refused_and_the_first_stands(
        neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id, note="原来的")
    alice.push_ok([op])
    altered = {**op, "data": {**op["data"], "note": "篡改的"}}
    result = alice.push_ok([altered])[0]
    assert result["status"] == "rejected" and result["reason"]["code"] == "op_id_reused"
    assert db_session.get(Visit, op["entity_id"]).details["note"] == "原来的"


def test_a_sequence_number_cannot_be_reused_by_another_op(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id)])
    result = alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id)])[0]
    assert result["reason"]["code"] == "seq_reused"


def test_edits_to_different_fields_merge_silently(neighbourhood, device_for, db_session):
    hood = neighbourhood
    alice, bob = device_for("alice"), device_for("bob")
    base = hood.resident_a.version
    alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, base, phone="13800000001")])
    bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, base,
                           care_notes="右腿不便")])
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    resident = db_session.get(Resident, hood.resident_a.id)
    assert (resident.phone, resident.care_notes) == ("13800000001", "右腿不便")
    assert count(db_session, Conflict) == 0


def test_concurrent_edits_of_one_field_keep_the_loser_in_a_conflict(neighbourhood, device_for,
                                                                    db_session):
    hood = neighbourhood
    alice, bob = device_for("alice"), device_for("bob")
    base = hood.resident_a.version
    alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, base, phone="13800000001")])
    result = bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, base,
                                    phone="13800000002")])[0]
    assert result["status"] == "conflict" and len(result["conflict_ids"]) == 1
    conflict = db_session.get(Conflict, result["conflict_ids"][0])
    assert {conflict.kept_value, conflict.lost_value} == {"13800000001", "13800000002"}
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert db_session.get(Resident, hood.resident_a.id).phone == conflict.kept_value
    assert {conflict.kept_by["person_name"], conflict.lost_by["person_name"]} == \
        {"王秀英", "李建国"}


def test_an_edit_made_after_seeing_a_value_supersedes_it_without_conflict(
        neighbourhood, device_for, db_session):
    hood = neighbourhood
    alice, bob = device_for("alice"), device_for("bob")
    first = alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id,
                                     hood.resident_a.version, phone="13800000001")])[0]
    bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, first["version"],
                           phone="13800000002")])
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert db_session.get(Resident, hood.resident_a.id).phone == "13800000002"
    assert count(db_session, Conflict) == 0


def test_a_volunteer_may_not_change_a_residents_name(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    result = alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id,
                                      hood.resident_a.version, name="别人")])[0]
    assert result["status"] == "rejected"
    assert result["reason"]["code"] == "field_not_editable" and "name" in \
        result["reason"]["message"]


def test_a_no_answer_visit_to_someone_living_alone_opens_a_follow_up_until_met(
        neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id, outcome="no_answer",
                            device_time=utcnow() - timedelta(hours=2))])
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert db_session.get(Resident, hood.resident_a.id).follow_up_since is not None
    alice.push_ok([visit_op(2, hood.grid_a.id, hood.resident_a.id, outcome="met")])
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    resident = db_session.get(Resident, hood.resident_a.id)
    assert resident.follow_up_since is None and resident.last_met_at is not None


def test_voiding_a_visit_keeps_both_and_recomputes_the_last_meeting(neighbourhood, device_for,
                                                                    db_session):
    hood, alice = neighbourhood, device_for("alice")
    visit = visit_op(1, hood.grid_a.id, hood.resident_a.id, outcome="met")
    alice.push_ok([visit])
    void = visit_op(2, hood.grid_a.id, hood.resident_a.id, outcome=None,
                    corrects=visit["entity_id"], correction="void")
    del void["data"]["outcome"]
    assert alice.push_ok([void])[0]["status"] == "applied"
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert count(db_session, Visit) == 2
    assert db_session.get(Resident, hood.resident_a.id).last_met_at is None


def test_a_grid_worker_can_add_a_resident_and_a_volunteer_cannot(neighbourhood, device_for,
                                                                 db_session):
    import uuid
    hood = neighbourhood
    new = {"name": "赵凤英", "sex": "F", "birth_year": 1938, "address": "建设路3号"}

    def create(seq):
        return {"op_id": str(uuid.uuid4()), "seq": seq, "entity": "resident",
                "action": "create", "entity_id": str(uuid.uuid4()), "grid_id": hood.grid_a.id,
                "device_time": "2026-11-27T01:00:00Z", "data": new}
    assert device_for("bob").push_ok([create(1)])[0]["status"] == "applied"
    assert device_for("alice").push_ok([create(1)])[0]["status"] == "rejected"
    assert db_session.scalar(select(func.count()).select_from(Resident).where(
        Resident.name == "赵凤英")) == 1


def test_the_effect_and_its_tracking_commit_together(neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    ops = [visit_op(i, hood.grid_a.id, hood.resident_a.id) for i in range(1, 6)]
    alice.push_ok(ops)
    assert count(db_session, Visit) == count(db_session, AppliedOp) == 5
    assert {row.status for row in db_session.scalars(select(AppliedOp))} == {p.APPLIED}


def test_a_visit_made_and_voided_before_one_sync_arrives_as_both(neighbourhood, device_for,
                                                                 db_session):
    hood, alice = neighbourhood, device_for("alice")
    visit = visit_op(1, hood.grid_a.id, hood.resident_a.id, outcome="met")
    void = visit_op(2, hood.grid_a.id, hood.resident_a.id, corrects=visit["entity_id"],
                    correction="void")
    del void["data"]["outcome"]
    assert [r["status"] for r in alice.push_ok([visit, void])] == ["applied", "applied"]
    db_session.rollback(); db_session.expire_all()  # see what the app committed
    assert db_session.get(Resident, hood.resident_a.id).last_met_at is None
