"""Requests through push and pull: moves as ops, settled by the server, logged for the grid."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.threelists.models import RequestEvent, ServiceRequest
from shared import protocol as p
from shared import requests as r
from shared.clock import utcnow
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.ops import ApiDevice, visit_op
from testkit.request_ops import raise_op, request_op


@pytest.fixture
def grid(db_session):
    tree = make_district(db_session, streets=1, communities=1, grids=2)
    grid_a, grid_b = tree.grids
    make_person(db_session, "wang", p.VOLUNTEER, [grid_a], "王芳")
    make_person(db_session, "li", p.REPRESENTATIVE, [grid_a], "李建国")
    make_person(db_session, "zhao", p.REPRESENTATIVE, [grid_a], "赵淑华")
    make_person(db_session, "chen", p.VOLUNTEER, [grid_b], "陈玉珍")
    resident = make_resident(db_session, grid_a, name="张利霞")
    db_session.commit()
    return grid_a, grid_b, resident


def device(client, username):
    return ApiDevice(client, username, PASSWORD)


def requests_pulled(dev) -> dict[str, dict]:
    return {c["id"]: c["data"] for c in dev.pull_all()["changes"] if c["entity"] == p.REQUEST}


def test_a_request_raised_offline_reaches_every_tablet_of_its_grid_only(client, grid):
    grid_a, grid_b, resident = grid
    wang, li, chen = device(client, "wang"), device(client, "li"), device(client, "chen")
    request_id = str(uuid.uuid4())
    [result] = wang.push_ok([raise_op(wang.next_seq(), grid_a.id, request_id,
                                      category="medicine", resident_id=resident.id,
                                      urgency="urgent", channel="visit")])
    assert result["status"] == p.APPLIED and result["version"] > 0
    pulled = requests_pulled(li)[request_id]
    assert pulled["state"] == r.RAISED and pulled["category"] == "medicine"
    assert pulled["resident_id"] == resident.id and pulled["raised_by_name"] == "王芳"
    assert [e["action"] for e in pulled["timeline"]] == [r.RAISE]
    assert pulled["timeline"][0]["person_name"] == "王芳"
    assert "device_id" not in pulled["timeline"][0]  # people, never devices
    assert request_id not in requests_pulled(chen)


def test_two_offline_claims_one_owner_the_other_learns_who_and_since_when(client, grid):
    grid_a, _grid_b, _resident = grid
    wang, li, zhao = device(client, "wang"), device(client, "li"), device(client, "zhao")
    request_id = str(uuid.uuid4())
    wang.push_ok([raise_op(wang.next_seq(), grid_a.id, request_id)])
    li_time = utcnow() - timedelta(minutes=30)
    li_results = li.push_ok([
        request_op(li.next_seq(), grid_a.id, request_id, r.CLAIM, device_time=li_time,
                   plan="周三带电工上门"),
        request_op(li.next_seq(), grid_a.id, request_id, r.PROGRESS, text="已联系物业")])
    zhao_results = zhao.push_ok([
        request_op(zhao.next_seq(), grid_a.id, request_id, r.CLAIM),
        request_op(zhao.next_seq(), grid_a.id, request_id, r.NOTE,
                   text="我昨天也去看过，灯罩也碎了")])
    assert [x["status"] for x in li_results] == [p.APPLIED, p.APPLIED]
    claim, note = zhao_results
    assert claim["status"] == p.REJECTED
    assert claim["reason"]["code"] == r.ALREADY_CLAIMED
    assert claim["reason"]["params"]["owner_name"] == "李建国"
    assert claim["reason"]["params"]["since"] == li_time.replace(microsecond=0).isoformat() \
        .replace("+00:00", "Z")
    assert note["status"] == p.APPLIED  # nothing either of them wrote is lost
    pulled = requests_pulled(zhao)[request_id]
    assert pulled["owner_name"] == "李建国" and pulled["state"] == r.IN_PROGRESS
    assert pulled["plan"] == "周三带电工上门"
    assert [e["action"] for e in pulled["timeline"]] == [r.RAISE, r.CLAIM, r.PROGRESS, r.NOTE]


def test_a_retried_refusal_keeps_its_reason_and_params(client, grid):
    grid_a, _, _ = grid
    wang, li, zhao = device(client, "wang"), device(client, "li"), device(client, "zhao")
    request_id = str(uuid.uuid4())
    wang.push_ok([raise_op(wang.next_seq(), grid_a.id, request_id)])
    li.push_ok([request_op(li.next_seq(), grid_a.id, request_id, r.CLAIM)])
    op = request_op(zhao.next_seq(), grid_a.id, request_id, r.CLAIM)
    [first] = zhao.push_ok([op])
    [second] = zhao.push_ok([op])
    assert first == second and first["reason"]["params"]["owner_name"] == "李建国"


def test_closing_a_reopened_request_is_refused_with_when_it_was_reopened(client, grid,
                                                                         db_session):
    grid_a, _, _ = grid
    wang, li = device(client, "wang"), device(client, "li")
    request_id = str(uuid.uuid4())
    wang.push_ok([raise_op(wang.next_seq(), grid_a.id, request_id)])
    li.push_ok([request_op(li.next_seq(), grid_a.id, request_id, r.CLAIM),
                request_op(li.next_seq(), grid_a.id, request_id, r.FINISH)])
    # Li hears "not satisfied" and records it; Wang, offline, had recorded "satisfied".
    li.push_ok([request_op(li.next_seq(), grid_a.id, request_id, r.VERDICT,
                           verdict=r.NOT_SATISFIED)])
    [late] = wang.push_ok([request_op(wang.next_seq(), grid_a.id, request_id, r.VERDICT,
                                      verdict=r.SATISFIED)])
    assert late["status"] == p.REJECTED and late["reason"]["code"] == r.REOPENED_SINCE
    assert late["reason"]["params"]["since"]
    stored = db_session.get(ServiceRequest, request_id)
    db_session.refresh(stored)
    assert stored.state == r.REOPENED and stored.closed_at is None


def test_refusals_for_moves_on_requests_elsewhere_or_unknown(client, grid):
    grid_a, grid_b, resident = grid
    wang, chen = device(client, "wang"), device(client, "chen")
    request_id = str(uuid.uuid4())
    wang.push_ok([raise_op(wang.next_seq(), grid_a.id, request_id)])
    results = chen.push_ok([
        # the request exists, but in another grid: answered as if it did not exist
        request_op(chen.next_seq(), grid_b.id, request_id, r.NOTE, text="看看"),
        request_op(chen.next_seq(), grid_a.id, request_id, r.NOTE, text="看看"),
        raise_op(chen.next_seq(), grid_b.id, resident_id=resident.id),
        raise_op(chen.next_seq(), grid_b.id, category="flying"),
        request_op(chen.next_seq(), grid_b.id, str(uuid.uuid4()), r.CLAIM, extra="x")])
    codes = [x["reason"]["code"] for x in results]
    assert codes == [r.NO_SUCH_REQUEST, p.REJ_OUT_OF_SCOPE, p.REJ_UNKNOWN_ENTITY,
                     p.REJ_INVALID, p.REJ_INVALID]
    assert "category" in results[3]["reason"]["message"]
    # a volunteer may not claim
    [claim] = wang.push_ok([request_op(wang.next_seq(), grid_a.id, request_id, r.CLAIM)])
    assert claim["reason"] == {"code": r.ROLE_NOT_ALLOWED, "message": claim["reason"]["message"],
                               "params": {"action": r.CLAIM, "role": p.VOLUNTEER}}


def test_a_batch_raising_and_moving_one_request_logs_it_once_with_every_event(client, grid,
                                                                              db_session):
    grid_a, _, resident = grid
    li = device(client, "li")
    request_id = str(uuid.uuid4())
    results = li.push_ok([
        visit_op(li.next_seq(), grid_a.id, resident.id, needs=["repairs"]),
        raise_op(li.next_seq(), grid_a.id, request_id, resident_id=resident.id),
        request_op(li.next_seq(), grid_a.id, request_id, r.CLAIM),
        request_op(li.next_seq(), grid_a.id, request_id, r.FINISH)])
    assert [x["status"] for x in results] == [p.APPLIED] * 4
    versions = {x["version"] for x in results[1:]}
    assert len(versions) == 1  # one log row for the request, at its latest position
    rows = db_session.scalars(select(RequestEvent).where(RequestEvent.request_id == request_id)
                              .order_by(RequestEvent.ordinal)).all()
    assert [e.action for e in rows] == [r.RAISE, r.CLAIM, r.FINISH]
    assert all(e.device_id == li.device_id and e.via == "tablet" for e in rows)
    stored = db_session.get(ServiceRequest, request_id)
    assert stored.version == versions.pop()
    pulled = requests_pulled(li)[request_id]
    assert pulled["state"] == r.DONE and pulled["owner_name"] == "李建国"
    grids = li.pull_all()["grids"]
    assert all(g["digest"] for g in grids)
