"""The resident page, editing the master record, and settling conflicts; every change reaches
the grid's tablets at their next pull, and is audited."""
from __future__ import annotations

import re
import uuid

from web_helpers import api_login, api_pull_all

from server.models import AuditEntry, Conflict, Resident
from shared.clock import isoformat, utcnow


def form_values(resident: Resident, **changes) -> dict:
    values = {"name": resident.name, "sex": resident.sex, "birth_year": resident.birth_year,
              "address": resident.address, "phone": resident.phone or "",
              "emergency_contact": resident.emergency_contact or "",
              "emergency_phone": resident.emergency_phone or "",
              "living_situation": resident.living_situation, "care_level": resident.care_level,
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
        li, phone="13612345678", living_situation=["alone", "empty_nest"]))
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Resident, li.id)
    assert saved.phone == "13612345678" and saved.living_situation == ["alone", "empty_nest"]
    assert saved.version > version_before
    entry = db_session.query(AuditEntry).filter_by(action="edit_resident").one()
    assert entry.detail["fields"] == ["living_situation", "phone"]
    assert entry.detail["source"] == "web"
    assert entry.detail["before"] == {"phone": None, "living_situation": ["empty_nest"]}
    assert entry.detail["after"] == {"phone": "13612345678",
                                     "living_situation": ["alone", "empty_nest"]}
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
    assert "设备时间" in html and "服务器时间" in html


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
        token = api_login(client, username, scenario.password)
        now = isoformat(utcnow())
        response = client.post("/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                               json={"protocol": 2, "device_time": now, "ops": [{
                                   "op_id": str(uuid.uuid4()), "seq": 1, "entity": "resident",
                                   "action": "update", "entity_id": zhang.id,
                                   "grid_id": zhang.grid_id, "base_version": base,
                                   "device_time": now, "data": {"phone": phone}}]})
        assert response.status_code == 200, response.get_json()
    html = as_user("kunwu_sup").get("/conflicts").get_data(as_text=True)
    assert len(re.findall(r'<article class="conflict card"', html)) == 2
    assert "13000000001" in html and "13000000002" in html


def test_rejected_tablet_changes_are_listed_for_their_grid(as_user, scenario, client):
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
    html = as_user("pushang_sup").get("/conflicts").get_data(as_text=True)
    assert "被拒绝的平板修改" in html and zhao.id in html
    assert "被拒绝的平板修改" not in as_user("kunwu_sup").get("/conflicts").get_data(as_text=True)
