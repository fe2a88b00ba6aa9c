"""Scope on the server: reassignment moves data, ended assignments still deliver, revocation."""
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from server.models import Assignment, Visit
from shared import protocol as p
from testkit.clock import today_in_china
from testkit.factories import assign
from testkit.ops import update_op, visit_op


def end_assignment(db_session, person, days_ago: int) -> None:
    """Ends the person's assignments ``days_ago`` days before the district's today."""
    for assignment in db_session.scalars(select(Assignment).where(
            Assignment.person_id == person.id)):
        assignment.ends_on = today_in_china() - timedelta(days=days_ago)
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
    # Answered as for a resident that does not exist: the answer must not tell where one lives.
    assert result["status"] == "rejected" and result["reason"]["code"] == "unknown_entity"


def test_reassignment_evicts_the_old_grid_and_brings_the_new_one(around_midnight, neighbourhood,
                                                                 device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    alice.pull_all()
    end_assignment(db_session, hood.alice, days_ago=1)
    assign(db_session, hood.alice, hood.grid_b, starts_on=today_in_china())
    db_session.commit()
    page = alice.pull_all()
    assert page["evict_grids"] == [hood.grid_a.id]
    assert {c["data"]["name"] for c in page["changes"]} == {"刘桂兰"}
    assert [g["id"] for g in page["grids"]] == [hood.grid_b.id]


def test_unsent_ops_for_a_recently_ended_assignment_are_still_delivered(around_midnight,
                                                                        neighbourhood,
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
    from testkit.factories import make_person
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


# ---- the district's day (Asia/Shanghai by default) -------------------------------------------

#: 00:30 on 1 December in China is still 30 November in UTC.
JUST_AFTER_LOCAL_MIDNIGHT = "2026-11-30T16:30:00Z"


def test_an_assignment_that_ended_yesterday_in_china_gives_no_access_after_local_midnight(
        neighbourhood, device_for, db_session):
    hood = neighbourhood
    with time_machine.travel(JUST_AFTER_LOCAL_MIDNIGHT, tick=False):
        alice = device_for("alice")
        alice.pull_all()
        for assignment in db_session.scalars(select(Assignment).where(
                Assignment.person_id == hood.alice.id)):
            assignment.ends_on = date(2026, 11, 30)  # yesterday, in the district
        db_session.commit()
        page = alice.pull_all()
        assert page["evict_grids"] == [hood.grid_a.id]
        assert page["grids"] == [] and page["changes"] == []


def test_an_assignment_ending_today_in_the_district_still_gives_access(around_midnight,
                                                                      neighbourhood, device_for,
                                                                      db_session):
    hood, alice = neighbourhood, device_for("alice")
    end_assignment(db_session, hood.alice, days_ago=0)
    page = alice.pull_all()
    assert page["evict_grids"] == [] and [g["id"] for g in page["grids"]] == [hood.grid_a.id]
    result = alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id,
                                      hood.resident_a.version, phone="13800000001")])[0]
    assert result["status"] == "applied"


def test_an_assignment_ended_yesterday_evicts_at_every_hour(around_midnight, neighbourhood,
                                                           device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    alice.pull_all()
    end_assignment(db_session, hood.alice, days_ago=1)
    page = alice.pull_all()
    assert page["evict_grids"] == [hood.grid_a.id] and page["grids"] == []


def test_the_grace_for_unsent_ops_is_counted_in_district_days(around_midnight, neighbourhood,
                                                             device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    end_assignment(db_session, hood.alice, days_ago=p.ASSIGNMENT_GRACE_DAYS)
    inside = alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id)])[0]
    assert inside["status"] == "applied"
    end_assignment(db_session, hood.alice, days_ago=p.ASSIGNMENT_GRACE_DAYS + 1)
    outside = alice.push_ok([visit_op(2, hood.grid_a.id, hood.resident_a.id)])[0]
    assert outside["status"] == "rejected" and outside["reason"]["code"] == "out_of_scope"
