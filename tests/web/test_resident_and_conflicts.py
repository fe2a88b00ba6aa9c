"""The resident page, editing the master record, and settling conflicts; every change reaches
the grid's tablets at their next pull, and is audited."""
from __future__ import annotations

import re
import uuid

from testkit.web_helpers import api_login, api_pull_all

from server.models import AuditEntry, Conflict, Resident
from shared.clock import isoformat, utcnow


def form_values(resident: Resident, **changes) -> dict:
    values = {"name": resident.name, "sex": resident.sex, "birth_year": resident.birth_year,
              "address": resident.address, "phone": resident.phone or "",
              "emergency_contact": resident.emergency_contact or "",
              "emergency_phone": resident.emergency_phone or "",
              "care_categories": resident.care_categories,
              "ability_level": resident.ability_level or "",
              "visit_cadence_days": resident.visit_cadence_days or "",
              "safety_devices": resident.safety_devices, "care_notes": resident.care_notes or "",
              "status": resident.status, "version": resident.version}
    values.update(changes)
    return values


def test_resident_page_shows_the_record_and_audits_the_view(as_user, scenario, db_session):
    zhang = scenario.residents["zhang"]
    html = as_user("kunwu_sup").get(f"/residents/{zhang.id}").get_data(as_text=True)
    assert "张利霞" in html and "185/100" in html and "血压偏高" in html
    assert "13900000002" in html  # the open conflict, side by side
    entry = db_session.query(AuditEntry).filter_by(action="view_resident").one()
    assert entry.entity_id == zhang.id and entry.person_id == scenario.people["kunwu_sup"].id
    assert entry.remote_addr == "127.0.0.1"
    assert "张利霞" not in str(entry.detail)  # the audit log holds no personal data


def test_editing_reaches_the_tablets(as_user, scenario, db_session, client):
    li = scenario.residents["li"]
    web = as_user("kunwu_sup")
    version_before = li.version
    response = web.post(f"/residents/{li.id}", data=form_values(
        li, phone="13612345678", care_categories=["alone", "empty_nest"]))
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Resident, li.id)
    assert saved.phone == "13612345678" and saved.care_categories == ["alone", "empty_nest"]
    assert saved.version > version_before
    entry = db_session.query(AuditEntry).filter_by(action="edit_resident").one()
    assert entry.detail["fields"] == ["care_categories", "phone"]
    assert entry.detail["source"] == "web"
    assert entry.detail["before"] == {"phone": None, "care_categories": ["empty_nest"]}
    assert entry.detail["after"] == {"phone": "13612345678",
                                     "care_categories": ["alone", "empty_nest"]}
    token = api_login(client, "vol_b", scenario.password)
    pulled = api_pull_all(client, token)
    assert pulled[("resident", li.id)]["phone"] == "13612345678"


def test_bad_edits_change_nothing(as_user, scenario, db_session):
    li = scenario.residents["li"]
    web = as_user("kunwu_sup")
    response = web.post(f"/residents/{li.id}", data=form_values(li, birth_year="1800",
                                                                phone="abc"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "出生年份" in html and "电话" in html
    stale = web.post(f"/residents/{li.id}", data=form_values(li, phone="13612345678",
                                                             version=li.version - 1))
    assert stale.status_code == 409
    db_session.expire_all()
    assert db_session.get(Resident, li.id).phone is None


def test_conflict_queue_shows_both_sides(as_user, scenario):
    html = as_user("kunwu_sup").get("/conflicts").get_data(as_text=True)
    assert "13800000001" in html and "13900000002" in html
    assert "王建国" in html and "刘芳" in html
    assert "平板时间" in html and "平台时间" in html


def settle(web, conflict_id, **data):
    return web.post(f"/conflicts/{conflict_id}/settle", data=data)


def test_settling_with_the_other_value_reaches_the_tablets(as_user, scenario, db_session,
                                                           client):
    web = as_user("kunwu_sup")
    assert settle(web, scenario.conflict.id, choice="lost").status_code == 302
    db_session.expire_all()
    conflict = db_session.get(Conflict, scenario.conflict.id)
    assert conflict.status == "settled" and conflict.settled_value == "13900000002"
    assert db_session.get(Resident, conflict.resident_id).phone == "13900000002"
    assert db_session.query(AuditEntry).filter_by(action="settle_conflict").count() == 1
    pulled = api_pull_all(client, api_login(client, "vol_a", scenario.password))
    assert pulled[("resident", conflict.resident_id)]["phone"] == "13900000002"
    assert pulled[("conflict", conflict.id)]["status"] == "settled"
    # Settling twice changes nothing.
    assert settle(web, conflict.id, choice="kept").status_code == 302
    db_session.expire_all()
    assert db_session.get(Resident, conflict.resident_id).phone == "13900000002"


def test_settling_with_a_corrected_value(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    conflict_id, zhang_id = scenario.conflict.id, scenario.residents["zhang"].id
    db_session.rollback()  # the test's own reads start fresh snapshots below
    bad = settle(web, conflict_id, choice="corrected", value_phone="not a phone")
    assert bad.status_code == 303
    assert db_session.get(Conflict, conflict_id).status == "open"
    db_session.rollback()
    response = settle(web, conflict_id, choice="corrected", value_phone="13711112222")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Conflict, conflict_id).settled_value == "13711112222"
    assert db_session.get(Resident, zhang_id).phone == "13711112222"


def test_conflict_made_by_two_tablets_is_queued(as_user, scenario, client, db_session):
    zhang = scenario.residents["zhang"]
    base = zhang.version
    for username, phone in (("vol_a", "13000000001"), ("vol_b", "13000000002")):
        push_phone(client, scenario, username, base, phone)
    html = as_user("kunwu_sup").get("/conflicts").get_data(as_text=True)
    assert len(re.findall(r'<article class="conflict card"', html)) == 2
    assert "13000000001" in html and "13000000002" in html


def test_rejected_tablet_changes_are_listed_for_the_devices_own_grid(as_user, scenario, client):
    """Listed for the supervisor of the volunteer's own grid, never for the community the op
    claims: a volunteer cannot write into another community's list."""
    zhao = scenario.residents["zhao"]  # 濮上社区: outside vol_a's grids
    token = api_login(client, "vol_a", scenario.password)
    now = isoformat(utcnow())
    response = client.post("/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                           json={"protocol": 2, "device_time": now, "ops": [{
                               "op_id": str(uuid.uuid4()), "seq": 1, "entity": "resident",
                               "action": "update", "entity_id": zhao.id,
                               "grid_id": zhao.grid_id, "base_version": zhao.version,
                               "device_time": now, "data": {"phone": "13055556666"}}]})
    assert response.get_json()["results"][0]["status"] == "rejected"
    html = as_user("kunwu_sup").get("/conflicts").get_data(as_text=True)
    assert "被拒绝的平板修改" in html and zhao.id in html
    assert "被拒绝的平板修改" not in as_user("pushang_sup").get("/conflicts").get_data(as_text=True)


def push_phone(client, scenario, username: str, base: int, phone: str) -> dict:
    """One tablet edit of 张利霞's phone, based on version ``base``; returns its result."""
    zhang = scenario.residents["zhang"]
    token = api_login(client, username, scenario.password)
    now = isoformat(utcnow())
    response = client.post("/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                           json={"protocol": 2, "device_time": now, "ops": [{
                               "op_id": str(uuid.uuid4()), "seq": 1, "entity": "resident",
                               "action": "update", "entity_id": zhang.id,
                               "grid_id": zhang.grid_id, "base_version": base,
                               "device_time": now, "data": {"phone": phone}}]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]


def test_keeping_the_current_value_keeps_a_later_informed_edit(as_user, scenario, db_session,
                                                               client):
    """The conflict kept 13800000001; since then a volunteer who saw it changed the number.
    "Keep the current value" keeps her number: it never writes back the value kept then."""
    zhang, conflict_id = scenario.residents["zhang"], scenario.conflict.id
    assert push_phone(client, scenario, "vol_a", zhang.version, "13611112222")["status"] == \
        "applied"
    web = as_user("kunwu_sup")
    for page in ("/conflicts", f"/residents/{zhang.id}"):
        html = web.get(page).get_data(as_text=True)
        card = html[html.index(f'id="conflict-{conflict_id}"'):]
        # The real current value is shown as current; the old kept one is not called current.
        assert '<p class="value" data-side="current">13611112222</p>' in card
        assert "当前值（已保留）" not in card and "发现不一致时保留的值" in card
    assert settle(web, conflict_id, choice="kept").status_code == 302
    db_session.rollback(); db_session.expire_all()
    conflict = db_session.get(Conflict, conflict_id)
    assert (conflict.status, conflict.settled_value) == ("settled", "13611112222")
    assert db_session.get(Resident, zhang.id).phone == "13611112222"
    pulled = api_pull_all(client, api_login(client, "vol_b", scenario.password))
    assert pulled[("resident", zhang.id)]["phone"] == "13611112222"
    assert pulled[("conflict", conflict_id)]["settled_value"] == "13611112222"


def test_the_current_value_is_labelled_current_when_it_is_the_kept_one(as_user, scenario):
    zhang = scenario.residents["zhang"]
    html = as_user("kunwu_sup").get(f"/residents/{zhang.id}").get_data(as_text=True)
    card = html[html.index(f'id="conflict-{scenario.conflict.id}"'):]
    assert "当前值（已保留）" in card and 'data-side="current"' not in card


def test_settling_closes_the_other_open_conflicts_of_the_same_field(as_user, scenario,
                                                                   db_session, client):
    zhang = scenario.residents["zhang"]
    # Two tablets clash over the same phone: a second open conflict of that field.
    push_phone(client, scenario, "vol_a", zhang.version, "13000000001")
    clash = push_phone(client, scenario, "vol_b", zhang.version, "13000000002")
    assert clash["status"] == "conflict"
    other_field = Conflict(id=str(uuid.uuid4()), grid_id=zhang.grid_id, resident_id=zhang.id,
                           field="care_notes", kept_value="右腿不便", lost_value="左腿不便",
                           kept_by={}, lost_by={}, detected_at=utcnow(), status="open")
    db_session.add(other_field)
    db_session.commit()
    web = as_user("kunwu_sup")
    response = settle(web, scenario.conflict.id, choice="corrected", value_phone="13711112222")
    assert response.status_code == 302
    db_session.rollback(); db_session.expire_all()
    phone_conflicts = db_session.query(Conflict).filter_by(resident_id=zhang.id,
                                                           field="phone").all()
    assert len(phone_conflicts) == 2
    assert {(c.status, c.settled_value) for c in phone_conflicts} == \
        {("settled", "13711112222")}
    assert db_session.get(Conflict, other_field.id).status == "open"  # another field: open
    entry = db_session.query(AuditEntry).filter_by(action="settle_conflict").one()
    assert entry.detail["also_settled"] == [clash["conflict_ids"][0]]
    assert "同一项的其他待核对也一并核对完毕：1 条。" in web.get("/conflicts").get_data(
        as_text=True)
    pulled = api_pull_all(client, api_login(client, "vol_a", scenario.password))
    assert pulled[("conflict", clash["conflict_ids"][0])]["status"] == "settled"
    assert pulled[("resident", zhang.id)]["phone"] == "13711112222"


def test_a_conflict_settled_meanwhile_by_someone_else_says_who_and_changes_nothing(
        as_user, scenario, db_session):
    conflict_id = scenario.conflict.id
    late = as_user("kunwu_sup")
    late.get("/conflicts")  # the page is open with the conflict still open
    assert settle(as_user("street_sup"), conflict_id, choice="lost").status_code == 302
    response = settle(late, conflict_id, choice="kept")
    assert response.status_code == 302
    html = late.get("/conflicts").get_data(as_text=True)
    assert "魏建涛 已经核对过这一项，定为“13900000002”；这次没有做任何修改。" in html
    db_session.rollback(); db_session.expire_all()
    conflict = db_session.get(Conflict, conflict_id)
    assert conflict.settled_by_id == scenario.people["street_sup"].id
    assert db_session.get(Resident, conflict.resident_id).phone == "13900000002"
    assert db_session.query(AuditEntry).filter_by(action="settle_conflict").count() == 1
