"""Clocks lie: a tablet a day or a year off loses no edit and wins nothing unfairly."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.models import Conflict, Device, Resident, Visit
from shared.clock import utcnow
from testkit.ops import update_op, visit_op

SKEWS = [timedelta(days=1), timedelta(days=-1), timedelta(days=365), timedelta(days=-365)]


def reload(db_session, model, key):
    db_session.rollback()
    db_session.expire_all()
    return db_session.get(model, key)


@pytest.mark.parametrize("skew", SKEWS, ids=["day-fast", "day-slow", "year-fast", "year-slow"])
def test_a_visit_from_a_skewed_tablet_is_kept_and_dated_by_the_servers_clock(
        skew, neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    tablet_now = utcnow() + skew
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id,
                  device_time=tablet_now - timedelta(hours=2))
    assert alice.push_ok([op], device_time=tablet_now)[0]["status"] == "applied"
    visit = reload(db_session, Visit, op["entity_id"])
    assert abs(visit.visited_at - (utcnow() - timedelta(hours=2))) < timedelta(minutes=1)
    assert abs(visit.device_time - (tablet_now - timedelta(hours=2))) < timedelta(seconds=2)
    device = db_session.get(Device, alice.device_id)
    assert abs(device.clock_skew_seconds - skew.total_seconds()) < 60


@pytest.mark.parametrize("skew", SKEWS, ids=["day-fast", "day-slow", "year-fast", "year-slow"])
def test_an_edit_after_seeing_a_value_supersedes_it_whatever_the_clock(
        skew, neighbourhood, device_for, db_session):
    hood = neighbourhood
    alice, bob = device_for("alice"), device_for("bob")
    first = alice.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id,
                                     hood.resident_a.version, phone="13800000001")])[0]
    skewed_now = utcnow() + skew
    bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, first["version"],
                           device_time=skewed_now, phone="13800000002")],
                device_time=skewed_now)
    assert reload(db_session, Resident, hood.resident_a.id).phone == "13800000002"
    assert db_session.scalars(select(Conflict)).all() == []


@pytest.mark.parametrize("skew", SKEWS, ids=["day-fast", "day-slow", "year-fast", "year-slow"])
def test_a_skewed_clock_does_not_change_who_wins_a_conflict(skew, neighbourhood, device_for,
                                                           db_session):
    """Same two concurrent edits, once with honest clocks and once with bob's clock off:
    the same value wins, and the losing value is kept either way."""
    hood = neighbourhood
    winners = []
    for bob_skew in (timedelta(0), skew):
        alice, bob = device_for("alice"), device_for("bob")
        # Each round starts from the same state: one informed edit that replaces every value.
        device_for("bob").push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id, reload(
            db_session, Resident, hood.resident_a.id).version, care_notes="丙")])
        base = reload(db_session, Resident, hood.resident_a.id).version
        alice_op = update_op(1, hood.grid_a.id, hood.resident_a.id, base, care_notes="甲")
        bob_op = update_op(1, hood.grid_a.id, hood.resident_a.id, base,
                           device_time=utcnow() + bob_skew, care_notes="乙")
        # Fix the op ids so only the clock differs between the two runs.
        alice_op["op_id"] = "00000000-0000-4000-8000-00000000000a"
        bob_op["op_id"] = "00000000-0000-4000-8000-00000000000b"
        alice.push_ok([alice_op])
        bob.push_ok([bob_op], device_time=utcnow() + bob_skew)
        resident = reload(db_session, Resident, hood.resident_a.id)
        winners.append(resident.care_notes)
        conflict = db_session.scalars(select(Conflict).order_by(
            Conflict.detected_at.desc())).first()
        assert {conflict.kept_value, conflict.lost_value} == {"甲", "乙"}
    assert winners[0] == winners[1]


def test_a_corrected_visit_time_is_kept_in_whole_seconds_as_the_wire_carries_it(
        neighbourhood, device_for, db_session):
    """Otherwise two visits in the same second could be ordered one way by the server's
    follow-up rule and the other way by a tablet reading the pulled copies."""
    hood, alice = neighbourhood, device_for("alice")
    tablet_now = utcnow() + timedelta(hours=3, microseconds=123456)
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id, device_time=tablet_now)
    assert alice.push_ok([op], device_time=tablet_now)[0]["status"] == "applied"
    assert reload(db_session, Visit, op["entity_id"]).visited_at.microsecond == 0
