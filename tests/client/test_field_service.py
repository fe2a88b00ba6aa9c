"""What a volunteer can do on the tablet, offline first."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from client.service import FieldService, InvalidInput, SignInError, UnsentChanges
from client.transport import FlaskTransport
from server.models import Assignment, Device, Visit
from shared.clock import utcnow
from testkit.clock import today_in_china
from testkit.factories import PASSWORD


def test_first_sync_brings_my_grids_residents_only(grid, tablet_for):
    alice = tablet_for("alice")
    report = alice.sync()
    assert report.ok and report.pulled == 3
    assert {r.name for r in alice.today_list()} == {"张利霞", "王秀英", "李桂兰"}


def test_search_by_pinyin_initials_name_or_address(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    assert [r.name for r in alice.today_list("zlx")] == ["张利霞"]
    assert [r.name for r in alice.today_list("王秀")] == ["王秀英"]
    assert len(alice.today_list("长庆路")) == 3


def test_a_visit_is_saved_at_once_offline_and_counted_as_unsent(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    alice.record_visit(resident.id, "met", readings={"systolic": 135, "diastolic": 85})
    assert alice.unsent_count() == 1
    detail = alice.resident(resident.id)
    assert detail.visits[0]["state"] == "pending" and detail.visits[0]["readings"]["systolic"] == 135
    assert detail.summary.due.status == "not_due"


def test_unsent_changes_are_listed_oldest_first_with_who_they_concern(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    alice.record_visit(resident.id, "met")
    alice.add_note(resident.id, "需要帮忙买药")
    unsent = alice.unsent_ops()
    assert [(op["entity"], op["resident_name"]) for op in unsent] == \
        [("visit", "张利霞"), ("note", "张利霞")]
    alice.sync()
    assert alice.unsent_ops() == []


def test_the_today_list_pins_follow_ups_then_orders_by_urgency(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    by_name = {r.name: r for r in alice.today_list()}
    alice.record_visit(by_name["李桂兰"].id, "no_answer")
    alice.record_visit(by_name["王秀英"].id, "met")
    names = [r.name for r in alice.today_list()]
    assert names[0] == "李桂兰"  # no answer at the door of someone living alone
    assert names[-1] == "王秀英"  # just met: not due


def test_implausible_readings_are_refused_naming_the_reading(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list()[0]
    with pytest.raises(InvalidInput) as caught:
        alice.record_visit(resident.id, "met", readings={"systolic": 400})
    assert "systolic" in str(caught.value)
    assert alice.unsent_count() == 0


def test_a_volunteer_cannot_edit_a_name_on_the_tablet(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list()[0]
    with pytest.raises(InvalidInput):
        alice.edit_resident(resident.id, {"name": "别人"})
    alice.edit_resident(resident.id, {"phone": "13800000009"})
    assert alice.resident(resident.id).record["phone"] == "13800000009"


def test_work_reaches_the_other_tablet_of_the_grid(grid, tablet_for):
    alice, bob = tablet_for("alice"), tablet_for("bob")
    alice.sync()
    bob.sync()
    resident = alice.today_list("zlx")[0]
    alice.record_visit(resident.id, "met", note="精神不错")
    alice.add_note(resident.id, "需要帮忙买药")
    alice.sync()
    bob.sync()
    detail = bob.resident(resident.id)
    assert [v["note"] for v in detail.visits] == ["精神不错"]
    assert [n["text"] for n in detail.notes] == ["需要帮忙买药"]
    assert alice.store.local_digests() == bob.store.local_digests()


def test_a_same_field_clash_shows_as_a_conflict_on_both_tablets(phone_clash):
    alice, bob, resident_id = phone_clash.alice, phone_clash.bob, phone_clash.resident_id
    assert phone_clash.bob_report.conflicts == 1
    assert alice.resident(resident_id).record["phone"] == bob.resident(resident_id).record["phone"]
    assert len(alice.my_conflicts()) == len(bob.my_conflicts()) == 1


def test_a_rejected_change_stays_visible_with_its_reason(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list()[0]
    for assignment in db_session.scalars(select(Assignment)):
        assignment.ends_on = today_in_china() - timedelta(days=60)
    db_session.commit()
    alice.record_visit(resident.id, "met")
    report = alice.sync()
    assert report.rejected == 1
    [rejected] = alice.rejected_ops()
    assert rejected["reason_code"] == "out_of_scope" and rejected["resident_name"]
    alice.dismiss_rejected(rejected["op_id"])
    assert alice.rejected_ops() == []


def test_reassignment_evicts_the_old_grid_but_delivers_its_unsent_visit(around_midnight, grid,
                                                                        tablet_for, db_session):
    from testkit.factories import assign
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    visit_id = alice.record_visit(resident.id, "met")
    for assignment in db_session.scalars(select(Assignment)):
        assignment.ends_on = today_in_china() - timedelta(days=1)
    assign(db_session, grid.volunteer, grid.other_grid, starts_on=today_in_china())
    db_session.commit()
    report = alice.sync()
    assert report.ok and report.evicted_grids == [grid.grid.id]
    assert [r.name for r in alice.today_list()] == ["刘德华"]
    assert db_session.get(Visit, visit_id) is not None  # delivered within the grace period
    assert alice.unsent_count() == 0


def test_a_revoked_tablet_wipes_itself(grid, tablet_for, db_session):
    from client.service import DeviceWiped
    alice = tablet_for("alice")
    alice.sync()
    alice.record_visit(alice.today_list()[0].id, "met")
    device = db_session.scalars(select(Device)).one()
    device.revoked_at = utcnow()
    db_session.commit()
    with pytest.raises(DeviceWiped):
        alice.sync()
    assert not alice.signed_in and alice.today_list() == [] and alice.unsent_count() == 0


def test_signing_out_warns_about_unsent_changes(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    alice.add_note(alice.today_list()[0].id, "记一笔")
    with pytest.raises(UnsentChanges) as caught:
        alice.sign_out()
    assert caught.value.count == 1
    alice.sign_out(force=True)
    assert not alice.signed_in
    assert alice.remembered_sign_in()["username"] == "alice"


def test_sign_in_errors_say_what_went_wrong(grid, app, tmp_path):
    service = FieldService(tmp_path / "t", transport_factory=lambda _u: FlaskTransport(app))
    with pytest.raises(SignInError) as caught:
        service.sign_in("http://in-process", "alice", "wrong", "平板")
    assert caught.value.code == "bad_credentials"
    unreachable = FieldService(tmp_path / "u")
    with pytest.raises(SignInError) as caught:
        unreachable.sign_in("http://127.0.0.1:9", "alice", PASSWORD, "平板")
    assert caught.value.code == "unreachable"


def test_an_offline_sync_reports_the_problem_and_keeps_the_work(grid, tablet_for):
    from client.transport import TransportError

    class NoSignal:
        def post(self, *args, **kwargs):
            raise TransportError("no signal", retryable=True)

    alice = tablet_for("alice")
    alice.sync()
    alice.record_visit(alice.today_list()[0].id, "met")
    alice.engine.transport = NoSignal()
    report = alice.sync()
    assert not report.ok and report.error_code == "offline"
    assert alice.unsent_count() == 1 and alice.last_sync().error == "no signal"
