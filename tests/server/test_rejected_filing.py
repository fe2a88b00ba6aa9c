"""A rejected op is filed under a grid of the device's own, and its reason tells nothing about
where a resident lives."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from server.models import AppliedOp, Assignment
from shared import protocol as p
from testkit.factories import make_area, make_resident
from testkit.ops import visit_op


def filed_grid(db_session, op_id: str) -> int | None:
    db_session.rollback()
    return db_session.scalar(select(AppliedOp.grid_id).where(AppliedOp.op_id == op_id))


def test_an_op_claiming_another_grid_is_filed_under_the_devices_own(neighbourhood, device_for,
                                                                     db_session):
    hood = neighbourhood
    other_community = make_area(db_session, p.COMMUNITY, "濮上社区", hood.tree.streets[0])
    far_grid = make_area(db_session, p.GRID, "濮上社区第1网格", other_community)
    stranger = make_resident(db_session, far_grid, name="赵桂芳")
    db_session.commit()
    alice = device_for("alice")
    claims = [visit_op(1, far_grid.id, stranger.id, note="请拨打 400-000-0000 领取补贴"),
              visit_op(2, far_grid.id, stranger.id, outcome="任意文字"),  # invalid, keyable
              visit_op(3, 987654, stranger.id)]  # a grid that does not exist
    results = alice.push_ok(claims)
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert [filed_grid(db_session, op["op_id"]) for op in claims] == [hood.grid_a.id] * 3


def test_an_op_within_the_devices_grids_is_filed_under_the_grid_it_names(neighbourhood,
                                                                          device_for,
                                                                          db_session):
    hood = neighbourhood
    op = visit_op(1, hood.grid_a.id, str(uuid.uuid4()))  # no such resident
    assert device_for("alice").push_ok([op])[0]["status"] == "rejected"
    assert filed_grid(db_session, op["op_id"]) == hood.grid_a.id


def test_an_ended_assignment_files_under_the_last_grid_the_person_had(neighbourhood, device_for,
                                                                      db_session):
    hood = neighbourhood
    alice = device_for("alice")
    for assignment in db_session.scalars(select(Assignment).where(
            Assignment.person_id == hood.alice.id)):
        assignment.ends_on = date.today() - timedelta(days=60)
    db_session.commit()
    op = visit_op(1, hood.grid_b.id, hood.resident_b.id)
    assert alice.push_ok([op])[0]["status"] == "rejected"
    assert filed_grid(db_session, op["op_id"]) == hood.grid_a.id


def test_the_reason_is_the_same_whether_a_resident_lives_elsewhere_or_nowhere(neighbourhood,
                                                                               device_for):
    hood = neighbourhood
    nowhere = str(uuid.uuid4())
    elsewhere, missing = device_for("alice").push_ok([
        visit_op(1, hood.grid_a.id, hood.resident_b.id),  # lives in grid B
        visit_op(2, hood.grid_a.id, nowhere)])
    assert elsewhere["status"] == missing["status"] == "rejected"
    assert elsewhere["reason"]["code"] == missing["reason"]["code"]
    assert elsewhere["reason"]["message"].replace(hood.resident_b.id, "?") == \
        missing["reason"]["message"].replace(nowhere, "?")
    assert str(hood.grid_b.id) not in elsewhere["reason"]["message"].replace(
        hood.resident_b.id, "?")
