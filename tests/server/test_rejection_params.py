"""A rejection carries a code and the parameters its message names (ids, grid, fields), so the
tablet can word it for the volunteer in their language; a retry gets the same parameters."""
import uuid
from datetime import date

from sqlalchemy import select

from server.models import AppliedOp, Assignment
from shared import protocol as p
from testkit.ops import note_op, update_op, visit_op


def test_an_op_for_a_grid_out_of_scope_names_the_grid(neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    op = visit_op(1, hood.grid_b.id, hood.resident_b.id)
    (result,) = alice.push_ok([op])
    assert result["reason"]["code"] == p.RejectCode.OUT_OF_SCOPE
    # never one of alice's grids: its name is not hers to learn
    params = {"grid_id": hood.grid_b.id, "grid_name": None}
    assert result["reason"]["params"] == params
    # kept with the op, and the same answer for a retry
    assert db_session.get(AppliedOp, (alice.device_id, op["op_id"])).reason_params == params
    assert alice.push_ok([op])[0]["reason"] == result["reason"]


def test_a_grid_once_ones_own_is_named(neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    for assignment in db_session.scalars(select(Assignment).where(
            Assignment.person_id == hood.alice.id)):
        # ended long ago: the grid is out of scope, but the tablet once held it
        assignment.starts_on, assignment.ends_on = date(2020, 1, 1), date(2020, 1, 2)
    db_session.commit()
    (result,) = alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id)])
    assert result["reason"]["params"] == {"grid_id": hood.grid_a.id,
                                          "grid_name": hood.grid_a.name}


def test_a_grid_that_does_not_exist_has_no_name(neighbourhood, device_for):
    alice = device_for("alice")
    (result,) = alice.push_ok([visit_op(1, 999_999, str(uuid.uuid4()))])
    assert result["reason"]["params"] == {"grid_id": 999_999, "grid_name": None}


def test_an_unknown_resident_is_named_with_the_grid(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    stranger = str(uuid.uuid4())
    (result,) = alice.push_ok([note_op(1, hood.grid_a.id, stranger)])
    assert result["reason"]["code"] == "unknown_entity"
    assert result["reason"]["params"] == {"entity": "resident", "entity_id": stranger,
                                          "resident_id": stranger, "grid_id": hood.grid_a.id}


def test_an_invalid_op_names_its_bad_fields(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id, outcome="asleep",
                  readings={"systolic": 999})
    (result,) = alice.push_ok([op])
    assert result["reason"]["code"] == "invalid_op"
    assert sorted(result["reason"]["params"]["fields"]) == ["data.outcome",
                                                            "data.readings.systolic"]
    assert alice.push_ok([op])[0]["reason"]["params"] == result["reason"]["params"]


def test_fields_a_role_may_not_change_are_listed_with_the_role(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, hood.resident_a.version,
                   name="改名", birth_year=1940)
    (result,) = alice.push_ok([op])
    assert result["reason"]["code"] == "field_not_editable"
    assert result["reason"]["params"] == {"fields": ["birth_year", "name"], "role": "volunteer"}


def test_a_record_that_exists_and_a_reused_number_are_named(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    first = visit_op(1, hood.grid_a.id, hood.resident_a.id)
    alice.push_ok([first])
    again = {**visit_op(2, hood.grid_a.id, hood.resident_a.id), "entity_id": first["entity_id"]}
    reused = visit_op(1, hood.grid_a.id, hood.resident_a.id)
    altered = {**first, "data": {**first["data"], "outcome": "no_answer"}}
    exists, seq, op_id = alice.push_ok([again, reused, altered])
    assert exists["reason"]["params"] == {"entity": "visit", "entity_id": first["entity_id"]}
    assert seq["reason"] == {"code": "seq_reused", "params": {"seq": 1},
                             "message": "Sequence number 1 was already used by another op."}
    assert op_id["reason"]["code"] == "op_id_reused"
    assert op_id["reason"]["params"] == {"op_id": first["op_id"]}


def test_an_op_that_is_not_an_object_has_no_fields_to_name(neighbourhood, device_for):
    alice = device_for("alice")
    (result,) = alice.push_ok(["not an op"])
    assert result["reason"]["code"] == "invalid_op" and result["reason"]["params"] == \
        {"fields": []}


def test_the_codes_are_enumerations_equal_to_their_wire_values():
    assert p.RejectCode("out_of_scope") is p.REJ_OUT_OF_SCOPE
    assert p.ErrorCode("device_revoked") is p.ERR_DEVICE_REVOKED
    assert {code.value for code in p.RejectCode} >= {"invalid_op", "resident_moved",
                                                     "undeliverable"}
    assert f"{p.REJ_SEQ_REUSED}" == "seq_reused" and p.ERR_NOT_FOUND == "not_found"
