"""Scope on the server: reassignment moves data, ended assignments still deliver, revocation."""
from datetime import date, timedelta

from sqlalchemy import select

from server.models import Assignment, Visit
from tests.factories import assign
from tests.ops import update_op, visit_op


def end_assignment(db_session, person, days_ago: int) -> None:
    for assignment in db_session.scalars(select(Assignment).where(
            Assignment.person_id == person.id)):
        assignment.ends_on = date.today() - timedelta(days=days_ago)
    db_session.commit()


def test_a_push_for_someone_elses_grid_is_rejected_and_changes_nothing(neighbourhood,
                                                                      device_for, db_session):
    hood = neighbourhood
    op = visit_op(1, hood.grid_b.id, hood.resident_b.id)
    result = device_for("alice").push_ok([op])[0]
    assert result["status"] == "rejected" and result["reason"]["code"] == "out_of_scope"
    assert db_session.get(Visit, op["entity_id"]) is None


def test_a_resident_cannot_be_reached_through_the_wrong_grid(neighbourhood, device_for):
    hood = neighbourhood
    result = device_for("alice").push_ok([visit_op(1, hood.grid_a.id, hood.resident_b.id)])[0]
    assert result["reason"]["code"] == "out_of_scope"


def test_reassignment_evicts_the_old_grid_and_brings_the_new_one(neighbourhood, device_for,
                                                                 db_session):
    hood, alice = neighbourhood, device_for("alice")
    alice.pull_all()
    end_assignment(db_session, hood.alice, days_ago=1)
    assign(db_session, hood.alice, hood.grid_b, starts_on=date.today())
    db_session.commit()
    page = alice.pull_all()
    assert page["evict_grids"] == [hood.grid_a.id]
    assert {c["data"]["name"] for c in page["changes"]} == {"刘桂兰"}
    assert [g["id"] for g in page["grids"]] == [hood.grid_b.id]


def test_unsent_ops_for_a_recently_ended_assignment_are_still_delivered(neighbourhood,
                                                                        device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    end_assignment(db_session, hood.alice, days_ago=3)
    result = alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id)])[0]
    assert result["status"] == "applied"


def test_ops_long_after_the_assignment_ended_are_rejected_with_a_reason(neighbourhood,
                                                                       device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    end_assignment(db_session, hood.alice, days_ago=30)
    result = alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id,
                                      hood.resident_a.version, phone="13800000001")])[0]
    assert result["status"] == "rejected"
    assert "not assigned" in result["reason"]["message"]


def test_a_supervisor_device_sees_every_grid_of_the_community(neighbourhood, db_session,
                                                              device_for):
    from tests.factories import make_person
    make_person(db_session, "sup", "supervisor", [neighbourhood.tree.communities[0]])
    db_session.commit()
    grids = {g["id"] for g in device_for("sup").pull_all()["grids"]}
    assert grids == {neighbourhood.grid_a.id, neighbourhood.grid_b.id}


def test_a_deactivated_person_is_refused_but_not_told_to_wipe(neighbourhood, device_for,
                                                              db_session):
    alice = device_for("alice")
    hood = neighbourhood
    hood.alice.active = False
    db_session.add(hood.alice)
    db_session.commit()
    response = alice.pull()
    assert response.status_code == 401 and response.get_json()["error"] == "account_inactive"
    # switching an account off is not a revocation: the tablet keeps its unsent work
    assert response.get_json()["details"]["action"] == "sign_in"
