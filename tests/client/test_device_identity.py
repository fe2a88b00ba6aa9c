"""A device is its owner's (DESIGN §4.12, issue 7 §2).

The attack these tests replay: device ids are not secret, so a colleague signed in with a
volunteer's device id. The server moved the device to him; her next sync got
``401 token_unknown`` and her tablet wiped itself, with an unsent visit (blood pressure
182/112) in it; his later edits then counted as "the same device, later sequence" and replaced
hers with no conflict.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from client.service import DeviceWiped, SignInError, SignInRequired
from server.models import Conflict, Device, Person, Visit
from shared import protocol as p
from testkit.factories import PASSWORD
from testkit.ops import update_op


def _login(app, username: str, device_id: str):
    return app.test_client().post("/api/v1/auth/login", json={
        "protocol": p.PROTOCOL_VERSION, "username": username, "password": PASSWORD,
        "device_id": device_id, "device_name": "借来的平板"})


def test_another_persons_sign_in_with_my_device_id_never_wipes_my_unsent_visit(
        grid, tablet_for, app, db_session):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    visit_id = alice.record_visit(resident.id, p.MET,
                                  readings={"systolic": 182, "diastolic": 112})

    answer = _login(app, "bob", alice.account.device_id)  # the intruder, with her device id

    assert answer.status_code == 403
    assert answer.get_json()["error"] == p.ERR_DEVICE_NOT_YOURS
    assert "token" not in answer.get_json()
    device = db_session.scalars(select(Device)).one()
    db_session.refresh(device)
    assert device.person_id == grid.volunteer.id
    report = alice.sync()  # her tablet is still hers: nothing is wiped
    assert report.ok and alice.unsent_count() == 0
    db_session.rollback()  # a fresh snapshot
    visit = db_session.get(Visit, visit_id)
    assert visit is not None and visit.details["readings"] == {"systolic": 182, "diastolic": 112}


def test_an_intruders_edits_never_silently_replace_the_owners(grid, tablet_for, app,
                                                             db_session):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    base = alice.resident(resident.id).record["version"]
    alice.edit_resident(resident.id, {"phone": "13800000001"})
    assert alice.sync().applied == 1

    # Bob has not seen her change. He tries her device id first, then signs in as himself.
    device_id = alice.account.device_id
    answer = _login(app, "bob", device_id)
    if answer.status_code != 200:
        device_id = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
        answer = _login(app, "bob", device_id)
    token = answer.get_json()["token"]
    push = app.test_client().post("/api/v1/sync/push", headers={
        "Authorization": f"Bearer {token}"}, json={
        "protocol": p.PROTOCOL_VERSION, "device_time": "2026-11-30T02:00:00Z",
        "ops": [update_op(1000, grid.grid.id, resident.id, base, phone="13900000002")]})
    assert push.status_code == 200

    # Two concurrent edits of one field: whichever wins, the other is kept in a conflict.
    conflict = db_session.scalars(select(Conflict)).one()
    assert {conflict.kept_value, conflict.lost_value} == {"13800000001", "13900000002"}


def test_signing_in_again_as_the_same_person_keeps_the_device_and_its_sequence(
        grid, tablet_for, db_session):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    alice.record_visit(resident.id, p.MET)
    alice.sync()
    device_id, old_token = alice.account.device_id, alice.store.get_meta("token")
    alice.store.set_meta({"token": None})  # sent back to sign-in (e.g. the token expired)
    alice.sign_in("http://in-process", "alice", PASSWORD, "alice 的平板")
    assert alice.account.device_id == device_id
    assert alice.store.get_meta("token") != old_token
    second = alice.record_visit(resident.id, p.NO_ANSWER)
    [row] = [row for row in alice.store.outbox() if row["entity_id"] == second]
    assert row["seq"] == 2  # the sequence goes on where it was
    assert alice.sync().applied == 1
    assert db_session.scalars(select(Device)).one().id == device_id


@pytest.mark.parametrize("refusal", ["token_unknown", "token_expired", "account_inactive"])
def test_any_refusal_but_revocation_keeps_the_outbox_for_after_the_next_sign_in(
        grid, tablet_for, db_session, refusal):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    visit_id = alice.record_visit(resident.id, p.MET, readings={"systolic": 182,
                                                               "diastolic": 112})
    device = db_session.scalars(select(Device)).one()
    person = db_session.get(Person, device.person_id)
    if refusal == "token_unknown":  # e.g. signed in again elsewhere with this device's id
        device.token_hash = "0" * 64
    elif refusal == "token_expired":
        from datetime import timedelta
        device.last_seen_at = device.last_seen_at - timedelta(days=400)
    else:
        person.active = False
    db_session.commit()

    with pytest.raises(SignInRequired) as caught:
        alice.sync()
    assert caught.value.code == refusal
    assert not alice.signed_in
    assert alice.unsent_count() == 1 and alice.today_list()  # nothing wiped

    if refusal == "account_inactive":
        person.active = True
        db_session.commit()
    alice.sign_in("http://in-process", "alice", PASSWORD, "alice 的平板")
    assert alice.sync().ok and alice.unsent_count() == 0
    db_session.rollback()  # a fresh snapshot
    assert db_session.get(Visit, visit_id) is not None


def test_only_an_explicit_revocation_wipes(grid, tablet_for, db_session):
    from shared.clock import utcnow
    alice = tablet_for("alice")
    alice.sync()
    alice.record_visit(alice.today_list()[0].id, p.MET)
    db_session.scalars(select(Device)).one().revoked_at = utcnow()
    db_session.commit()
    with pytest.raises(DeviceWiped):
        alice.sync()
    assert alice.unsent_count() == 0 and alice.today_list() == []
    assert p.WIPE_CODES == {p.ERR_DEVICE_REVOKED}


def test_another_person_cannot_sign_in_over_unsent_work_and_gets_a_fresh_device_otherwise(
        grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    alice.record_visit(resident.id, p.MET)
    alice.store.set_meta({"token": None})  # back at the sign-in screen, her visit unsent
    with pytest.raises(SignInError) as caught:
        alice.sign_in("http://in-process", "bob", PASSWORD, "借来的平板")
    assert caught.value.code == "unsent_of_another"
    assert alice.unsent_count() == 1

    alice.sign_in("http://in-process", "alice", PASSWORD, "alice 的平板")
    alice.sync()
    device_id = alice.account.device_id
    alice.store.set_meta({"token": None})  # her token expires; her colleague picks it up
    bob = alice
    bob.sign_in("http://in-process", "bob", PASSWORD, "借来的平板")
    assert bob.account.display_name == "李建国" and bob.account.device_id != device_id
    assert bob.sync().ok


def test_conflict_records_on_a_grids_tablets_carry_no_device_ids(phone_clash, db_session):
    alice, bob = phone_clash.alice, phone_clash.bob
    device_ids = set(db_session.scalars(select(Device.id)))
    for tablet in (alice, bob):
        with tablet.store.reading() as db:
            pulled = " ".join(text for (text,) in db.execute("SELECT payload FROM conflicts"))
        assert pulled and not any(device_id in pulled for device_id in device_ids)
    # the server keeps who wrote it, for supervisors
    conflict = db_session.scalars(select(Conflict)).one()
    assert {conflict.kept_by["device_id"], conflict.lost_by["device_id"]} == device_ids
    # and each tablet still knows which side was its own
    assert len(alice.my_conflicts()) == len(bob.my_conflicts()) == 1
