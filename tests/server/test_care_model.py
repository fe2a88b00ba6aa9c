"""The programme's model over the sync API: the new resident and visit fields, the previous
protocol's ops mapped on arrival, the district's rules sent to the tablets, and the alerts a
community lead gets (dangerous readings, the follow-up ladder, proposed status changes)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server import alerts
from server.models import Alert, AuditEntry, Pairing, Person, Resident, Visit
from shared import protocol as p
from shared.clock import isoformat, utcnow
from testkit.ops import update_op, visit_op


def fresh(session) -> None:
    """End the session's snapshot and forget what it loaded: read what the app committed."""
    session.commit()
    session.expire_all()


def push_as(device, protocol: int, ops: list[dict]) -> list[dict]:
    response = device.client.post("/api/v1/sync/push", headers=device.headers, json={
        "protocol": protocol, "device_time": isoformat(utcnow()), "ops": ops})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_an_old_tablets_edit_in_todays_codes_is_mapped(neighbourhood, device_for, db_session):
    """Protocol 3: living_situation with the 80+ tag, three care levels."""
    hood, bob = neighbourhood, device_for("bob")
    resident = hood.resident_a
    op = update_op(1, hood.grid_a.id, resident.id, resident.version,
                   living_situation=["alone", "aged_80_plus", "disabled"], care_level="assisted")
    results = push_as(bob, 3, [op])
    assert [r["status"] for r in results] == ["applied"], results
    fresh(db_session)
    saved = db_session.get(Resident, resident.id)
    assert saved.care_categories == ["alone", "disabled"]  # 80+ is the birth year's to say
    assert saved.ability_level == "moderate"  # 需要部分照顾 → 中度失能
    # the same op again is a duplicate, not a reused op id: its fingerprint is its own
    assert push_as(bob, 3, [op])[0]["status"] == "duplicate"


def test_an_updated_tablets_queued_old_op_is_mapped_too(neighbourhood, device_for, db_session):
    """Made before the app was updated, sent after: protocol 4 on the envelope."""
    hood, bob = neighbourhood, device_for("bob")
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, hood.resident_a.version,
                   care_level="full_care")
    assert push_as(bob, p.PROTOCOL_VERSION, [op])[0]["status"] == "applied"
    fresh(db_session)
    assert db_session.get(Resident, hood.resident_a.id).ability_level == "severe"


def test_a_bad_old_value_is_refused_naming_the_new_field(neighbourhood, device_for, db_session):
    hood, bob = neighbourhood, device_for("bob")
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, hood.resident_a.version,
                   care_level="cyborg")
    result = push_as(bob, 3, [op])[0]
    assert result["status"] == "rejected" and "ability_level" in result["reason"]["message"]
    fresh(db_session)
    assert db_session.get(Resident, hood.resident_a.id).ability_level is None


def test_the_new_resident_fields_travel_to_the_tablets(neighbourhood, device_for, db_session):
    hood, bob = neighbourhood, device_for("bob")
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, hood.resident_a.version,
                   ability_level="severe", ability_assessed_on="2026-10-12",
                   ability_assessor="社区卫生服务中心 王医生",
                   safety_devices=["fall_alarm", "pull_cord"],
                   device_details={"pull_cord": {"installed_on": "2026-09-01",
                                                 "alarm_to": "王建国（儿子）"}})
    assert push_as(bob, p.PROTOCOL_VERSION, [op])[0]["status"] == "applied"
    pulled = {c["id"]: c["data"] for c in bob.pull_all()["changes"] if c["entity"] == "resident"}
    record = pulled[hood.resident_a.id]
    assert record["ability_level"] == "severe" and record["ability_assessed_on"] == "2026-10-12"
    assert record["device_details"]["pull_cord"]["alarm_to"] == "王建国（儿子）"
    assert "living_situation" not in record and "care_level" not in record


def test_a_volunteer_may_not_set_the_risk_tier(neighbourhood, device_for, db_session):
    """The community sets a tier with its reason; a volunteer records what they see."""
    hood, alice = neighbourhood, device_for("alice")
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, hood.resident_a.version,
                   risk_tier="routine")
    result = push_as(alice, p.PROTOCOL_VERSION, [op])[0]
    assert result["status"] == "rejected"
    assert result["reason"]["code"] == p.REJ_FIELD_NOT_EDITABLE


def test_the_pull_carries_the_districts_rules(app, neighbourhood, device_for):
    app.config["DISTRICT_RULES"] = {"cadence_days": {"key": 14}}
    from server.district import load_rules
    app.config["DISTRICT_RULES"] = load_rules(app.config["DISTRICT_RULES"])
    page = device_for("bob").pull().get_json()
    assert page["rules"]["cadence_days"] == {"high": 7, "key": 14, "routine": 90}
    assert page["rules"]["thresholds"]["systolic_high"] == 180


def test_a_visit_by_phone_with_a_checklist_and_an_emergency(neighbourhood, device_for,
                                                            db_session):
    hood, bob = neighbourhood, device_for("bob")
    results = push_as(bob, p.PROTOCOL_VERSION, [
        visit_op(1, hood.grid_a.id, hood.resident_a.id, method="phone",
                 checklist={"family": "儿子半年没回来"}, advice=["anti_fraud"]),
        visit_op(2, hood.grid_a.id, hood.resident_a.id, outcome="emergency"),
        visit_op(3, hood.grid_a.id, hood.resident_a.id, outcome="emergency",
                 emergency_action="已拨打120，通知女儿"),
        visit_op(4, hood.grid_a.id, hood.resident_a.id, checklist={"pets": "猫"})])
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "rejected"]
    assert "emergency_action" in results[1]["reason"]["message"]
    assert "checklist" in results[3]["reason"]["message"]
    fresh(db_session)
    resident = db_session.get(Resident, hood.resident_a.id)
    emergency = db_session.scalars(select(Visit).where(Visit.outcome == "emergency")).one()
    assert resident.last_met_at == emergency.visited_at  # handled at the door: a meeting


# ---- alerts --------------------------------------------------------------------------------

def test_a_dangerous_reading_alerts_the_community_lead(neighbourhood, device_for, db_session):
    hood, bob = neighbourhood, device_for("bob")
    push_as(bob, p.PROTOCOL_VERSION, [
        visit_op(1, hood.grid_a.id, hood.resident_a.id,
                 readings={"systolic": 185, "diastolic": 110, "pulse": 88}),
        visit_op(2, hood.grid_a.id, hood.resident_a.id,
                 readings={"systolic": 132, "diastolic": 82})])
    raised = db_session.scalars(select(Alert)).all()
    assert [(a.kind, a.resident_id) for a in raised] == [(alerts.READING, hood.resident_a.id)]
    assert [d["reading"] for d in raised[0].detail["dangers"]] == ["systolic", "diastolic"]


def test_the_third_no_answer_in_a_row_alerts_the_lead_once(neighbourhood, device_for,
                                                          db_session):
    hood, bob = neighbourhood, device_for("bob")  # resident_a lives alone (the factory's)
    start = utcnow() - timedelta(days=3)
    for seq in (1, 2):
        push_as(bob, p.PROTOCOL_VERSION, [visit_op(
            seq, hood.grid_a.id, hood.resident_a.id, "no_answer",
            device_time=start + timedelta(days=seq))])
        fresh(db_session)
        assert db_session.scalars(select(Alert)).all() == []
    for seq in (3, 4):
        push_as(bob, p.PROTOCOL_VERSION, [visit_op(
            seq, hood.grid_a.id, hood.resident_a.id, "no_answer",
            device_time=start + timedelta(days=seq - 0.5))])
    fresh(db_session)
    assert [a.kind for a in db_session.scalars(select(Alert))] == [alerts.LADDER]


def test_the_ladder_counts_the_no_answers_since_the_last_meeting(neighbourhood, device_for,
                                                                 db_session):
    """The lead is told how many times in a row nobody answered: a no-answer before the last
    meeting is not one of them (the alert once counted every no-answer ever recorded)."""
    hood, bob = neighbourhood, device_for("bob")
    start = utcnow() - timedelta(days=20)
    outcomes = ["no_answer", "no_answer", "met", "no_answer", "no_answer", "no_answer"]
    push_as(bob, p.PROTOCOL_VERSION, [
        visit_op(seq, hood.grid_a.id, hood.resident_a.id, outcome,
                 device_time=start + timedelta(days=seq))
        for seq, outcome in enumerate(outcomes, 1)])
    fresh(db_session)
    alert = db_session.scalars(select(Alert)).one()
    assert (alert.kind, alert.detail) == (alerts.LADDER, {"no_answers": 3})


def test_a_correction_counts_whatever_its_own_date(neighbourhood, device_for, db_session):
    """The ladder reads the visits since the last meeting, and every correction: one dated
    before that meeting (another tablet's clock) may still amend a no-answer after it."""
    hood, bob = neighbourhood, device_for("bob")
    start = utcnow() - timedelta(days=20)
    ops = [visit_op(seq, hood.grid_a.id, hood.resident_a.id, outcome,
                    device_time=start + timedelta(days=seq))
           for seq, outcome in ((2, "met"), (3, "no_answer"), (4, "no_answer"))]
    amend = visit_op(5, hood.grid_a.id, hood.resident_a.id, "met",
                     device_time=start + timedelta(days=1),
                     corrects=ops[2]["entity_id"], correction="amend")
    results = push_as(bob, p.PROTOCOL_VERSION, ops + [amend])
    assert [r["status"] for r in results] == ["applied"] * 4, results
    push_as(bob, p.PROTOCOL_VERSION, [visit_op(6, hood.grid_a.id, hood.resident_a.id,
                                               "no_answer", device_time=start + timedelta(days=5))])
    fresh(db_session)
    # no-answers in a row since the meeting: day 3 and day 5 (day 4 was amended to a meeting)
    assert db_session.scalars(select(Alert)).all() == []


def test_deceased_proposes_the_status_a_lead_confirms(neighbourhood, device_for, db_session,
                                                       as_web_user):
    hood, bob = neighbourhood, device_for("bob")
    push_as(bob, p.PROTOCOL_VERSION, [visit_op(1, hood.grid_a.id, hood.resident_a.id,
                                               "deceased", note="邻居说上周去世了")])
    fresh(db_session)
    assert db_session.get(Resident, hood.resident_a.id).status == "active"  # only proposed
    alert = db_session.scalars(select(Alert)).one()
    assert alert.kind == alerts.STATUS and alert.detail == {"status": "deceased"}

    web = as_web_user()
    page = web.get("/alerts").get_data(as_text=True)
    assert "待确认的状态变更" in page and "已去世" in page and "张利霞" in page
    assert web.post(f"/alerts/{alert.id}", data={"resolution": "seen"}).status_code == 400
    response = web.post(f"/alerts/{alert.id}", data={"resolution": "confirmed"})
    assert response.status_code == 302
    fresh(db_session)
    resident = db_session.get(Resident, hood.resident_a.id)
    assert resident.status == "deceased" and resident.version > 0
    assert db_session.get(Alert, alert.id).resolution == alerts.CONFIRMED
    assert db_session.scalars(select(AuditEntry).where(
        AuditEntry.action == "close_alert")).one().detail["resolution"] == "confirmed"
    # the tablets learn of it, and the resident leaves the due lists there too
    pulled = {c["id"]: c["data"] for c in bob.pull_all()["changes"] if c["entity"] == "resident"}
    assert pulled[hood.resident_a.id]["status"] == "deceased"
    assert "没有待处理的提醒" in web.get("/alerts").get_data(as_text=True)


def test_a_lead_outside_the_grid_cannot_close_its_alerts(neighbourhood, device_for, db_session,
                                                          as_web_user):
    hood, bob = neighbourhood, device_for("bob")
    push_as(bob, p.PROTOCOL_VERSION, [visit_op(1, hood.grid_a.id, hood.resident_a.id, "moved")])
    alert = db_session.scalars(select(Alert)).one()
    web = as_web_user(grid=hood.grid_b)
    assert "张利霞" not in web.get("/alerts").get_data(as_text=True)
    assert web.post(f"/alerts/{alert.id}", data={"resolution": "confirmed"}).status_code == 404
    fresh(db_session)
    assert db_session.get(Resident, hood.resident_a.id).status == "active"


@pytest.fixture
def as_web_user(app, neighbourhood, db_session):
    """A community lead of the neighbourhood's community (or of one grid), signed in."""
    from testkit.factories import PASSWORD, make_person
    from testkit.web_helpers import WebClient

    def sign_in(grid=None):
        area = grid or neighbourhood.tree.communities[0]
        username = f"lead{area.id}"
        if db_session.scalar(select(Person).where(Person.username == username)) is None:
            make_person(db_session, username, p.SUPERVISOR, [area], "郑主任")
            db_session.commit()
        return WebClient(app.test_client(), username, PASSWORD)
    return sign_in


# ---- people: roles, deputies' congress, 结对帮扶 --------------------------------------------

def test_the_new_roles_visit_with_a_tablet():
    assert {p.COMMUNITY_WORKER, p.COUNCIL_DELEGATE} <= set(p.FIELD_ROLES)
    assert p.COUNCIL_DELEGATE != p.REPRESENTATIVE  # 居民议事会代表 is not a 人大代表


def test_a_deputy_is_added_with_their_congress(neighbourhood, db_session, as_web_user):
    web = as_web_user()
    grid = neighbourhood.grid_a
    bad = web.post("/people", data={"display_name": "孙志刚", "username": "sunzg",
                                    "password": "long enough", "role": p.VOLUNTEER,
                                    "representative_level": "national", "area_id": grid.id})
    assert bad.status_code == 422 and "人大代表级别" in bad.get_data(as_text=True)
    done = web.post("/people", data={"display_name": "孙志刚", "username": "sunzg",
                                     "password": "long enough", "role": p.REPRESENTATIVE,
                                     "representative_level": "township", "area_id": grid.id})
    assert done.status_code == 302
    fresh(db_session)
    deputy = db_session.scalar(select(Person).where(Person.username == "sunzg"))
    assert deputy.representative_level == "township"
    assert "乡镇人大代表" in web.get(f"/people/{deputy.id}").get_data(as_text=True)


def test_a_resident_is_paired_with_a_visitor_shown_on_both_sides(neighbourhood, db_session,
                                                                  as_web_user):
    hood, web = neighbourhood, as_web_user()
    resident, visitor = hood.resident_a, hood.alice
    page = web.get(f"/residents/{resident.id}").get_data(as_text=True)
    assert "结对帮扶" in page and "尚未结对" in page
    assert web.post(f"/residents/{resident.id}/pairings",
                    data={"person_id": visitor.id}).status_code == 302
    assert "王秀英" in web.get(f"/residents/{resident.id}").get_data(as_text=True)
    assert "张利霞" in web.get(f"/people/{visitor.id}").get_data(as_text=True)
    fresh(db_session)
    pairing = db_session.scalars(select(Pairing)).one()
    assert (pairing.resident_id, pairing.person_id, pairing.ends_on) == (
        resident.id, visitor.id, None)
    # carol works grid B: a lead of grid B sees neither the resident nor the pairing
    other = as_web_user(grid=hood.grid_b)
    assert other.post(f"/pairings/{pairing.id}/end").status_code == 404
    assert web.post(f"/pairings/{pairing.id}/end").status_code == 302
    fresh(db_session)
    assert db_session.get(Pairing, pairing.id).ends_on is not None
    assert "尚未结对" in web.get(f"/residents/{resident.id}").get_data(as_text=True)


def test_a_residents_devices_show_when_installed_and_whom_they_alarm(neighbourhood, device_for,
                                                                      db_session, as_web_user):
    hood, bob = neighbourhood, device_for("bob")
    op = update_op(1, hood.grid_a.id, hood.resident_a.id, hood.resident_a.version,
                   safety_devices=["pull_cord"],
                   device_details={"pull_cord": {"installed_on": "2026-09-01",
                                                 "alarm_to": "王建国（儿子）"}})
    assert push_as(bob, p.PROTOCOL_VERSION, [op])[0]["status"] == "applied"
    page = as_web_user().get(f"/residents/{hood.resident_a.id}").get_data(as_text=True)
    assert "拉绳报警器 · 2026-09-01 安装 · 报警通知 王建国（儿子）" in page


def test_a_bad_rules_file_stops_the_server_naming_the_setting(tmp_path):
    from server import create_app
    from shared.district_rules import RulesError

    bad = tmp_path / "rules.json"
    bad.write_text('{"cadence_days": {"high": 0}}', encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules\.json: cadence_days\.high"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "DISTRICT_RULES": str(bad)})
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RulesError, match="cannot read rules.json as JSON"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "DISTRICT_RULES": str(bad)})
    good = tmp_path / "good.json"
    good.write_text('{"cadence_days": {"key": 14}}', encoding="utf-8")
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "DISTRICT_RULES": str(good)})
    assert app.config["DISTRICT_RULES"].cadence_days["key"] == 14
