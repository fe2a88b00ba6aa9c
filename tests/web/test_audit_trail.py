"""Every change to a resident, from any source, is in the audit log: who (person, tablet), when,
which fields, and the previous value of master-record fields; shown on the resident page and in
the filtered audit page (issue 8, finding 9)."""
from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from testkit.web_helpers import api_login

from server.models import AuditEntry, Device, Resident
from shared import protocol as p
from shared.clock import isoformat, utcnow
from testkit.ops import update_op, visit_op


def push(client, token, ops):
    response = client.post("/api/v1/sync/push", headers={"Authorization": f"Bearer {token}"},
                           json={"protocol": 2, "device_time": isoformat(utcnow()), "ops": ops})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def entries(db_session, action, resident_id=None):
    query = select(AuditEntry).where(AuditEntry.action == action)
    if resident_id:
        query = query.where(AuditEntry.entity_id == resident_id)
    db_session.expire_all()
    return db_session.scalars(query.order_by(AuditEntry.id)).all()


def test_a_tablet_changing_a_phone_number_is_on_the_residents_trail(client, as_user, scenario,
                                                                   db_session):
    zhang = scenario.residents["zhang"]
    device_id = str(uuid.uuid4())
    token = api_login(client, "vol_b", scenario.password, device_id)
    results = push(client, token, [update_op(1, zhang.grid_id, zhang.id, zhang.version,
                                             phone="13912340000")])
    assert results[0]["status"] == p.APPLIED
    [entry] = entries(db_session, "edit_resident", zhang.id)
    assert entry.person_id == scenario.people["vol_b"].id and entry.device_id == device_id
    assert entry.grid_id == zhang.grid_id and entry.entity == p.RESIDENT
    assert entry.detail["source"] == "tablet" and entry.detail["fields"] == ["phone"]
    assert entry.detail["before"] == {"phone": "13800000001"}
    assert entry.detail["after"] == {"phone": "13912340000"}
    assert abs((entry.at - utcnow()).total_seconds()) < 60
    html = as_user("kunwu_sup").get(f"/residents/{zhang.id}").get_data(as_text=True)
    history = html[html.index('id="history"'):]
    assert "刘芳" in history and "测试平板" in history and "平板" in history
    assert "电话：13800000001 → 13912340000" in history


def test_visits_and_notes_from_a_tablet_name_their_fields(client, scenario, db_session):
    wang = scenario.residents["wang"]
    token = api_login(client, "vol_a", scenario.password)
    op = visit_op(1, wang.grid_id, wang.id, readings={"systolic": 130, "diastolic": 80},
                  note="一切正常")
    bad = visit_op(2, wang.grid_id, str(uuid.uuid4()))  # unknown resident: rejected
    results = push(client, token, [op, bad])
    assert [r["status"] for r in results] == [p.APPLIED, p.REJECTED]
    [entry] = entries(db_session, "add_visit")
    assert entry.entity_id == wang.id and entry.detail["visit"] == op["entity_id"]
    assert entry.detail["fields"] == ["note", "outcome", "readings"]
    assert "一切正常" not in str(entry.detail)  # visits name their fields, not their values


def test_web_edits_conflict_settlements_and_imports_are_recorded(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    zhang = scenario.residents["zhang"]
    assert web.post(f"/conflicts/{scenario.conflict.id}/settle",
                    data={"choice": "lost"}).status_code == 302
    [settled] = entries(db_session, "settle_conflict", zhang.id)
    assert settled.detail["source"] == "conflict"
    assert settled.detail["before"] == {"phone": "13800000001"}
    assert settled.detail["after"] == {"phone": "13900000002"}
    grid = scenario.grids["kunwu1"]
    content = (f"网格,姓名,性别,出生年份,地址\n{grid.code},周桂英,女,1940,昆吾路10号1单元101\n"
               ).encode()
    preview = web.post("/import", data={"file": (io.BytesIO(content), "名册.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    upload = re.search(r'name="upload" value="([^"]+)"', preview).group(1)
    assert web.post("/import", data={"upload": upload, "mode": "all"}).status_code == 302
    db_session.rollback()
    zhou = db_session.scalars(select(Resident).where(Resident.name == "周桂英")).one()
    [added] = entries(db_session, "add_resident", zhou.id)
    assert added.person_id == scenario.people["kunwu_sup"].id
    assert added.detail["source"] == "import" and "name" in added.detail["fields"]


def _entry(db_session, action, at, person, resident=None, device=None):
    db_session.add(AuditEntry(action=action, at=at, person_id=person.id,
                              device_id=device.id if device else None,
                              entity=p.RESIDENT if resident else None,
                              entity_id=resident.id if resident else None,
                              grid_id=resident.grid_id if resident else None,
                              detail={"source": "tablet", "fields": ["phone"]}))


def test_audit_page_filters_by_person_resident_action_and_local_days(as_user, scenario,
                                                                    db_session):
    zhang, wang = scenario.residents["zhang"], scenario.residents["wang"]
    vol_a, vol_b = scenario.people["vol_a"], scenario.people["vol_b"]
    # 2025-03-31 17:30 UTC is 2025-04-01 01:30 in Shanghai: it belongs to 1 April.
    _entry(db_session, "edit_resident", datetime(2025, 3, 31, 17, 30, tzinfo=timezone.utc),
           vol_a, zhang, scenario.devices["tablet_a"])
    _entry(db_session, "add_visit", datetime(2025, 3, 31, 15, 30, tzinfo=timezone.utc),
           vol_b, wang)
    _entry(db_session, "add_visit", datetime(2025, 4, 2, 3, 0, tzinfo=timezone.utc),
           vol_a, wang)
    db_session.commit()
    web = as_user("kunwu_sup")

    def actions(query):
        response = web.get(f"/audit?{query}")
        assert response.status_code == 200
        return re.findall(r'<tr data-action="([a-z_]+)">', response.get_data(as_text=True))

    assert actions("from=2025-04-01&to=2025-04-01") == ["edit_resident"]
    assert actions("from=2025-03-31&to=2025-03-31") == ["add_visit"]
    assert actions("from=2025-03-31&to=2025-04-02") == ["add_visit", "edit_resident",
                                                        "add_visit"]
    assert actions(f"person={vol_a.id}&from=2025-03-01&to=2025-04-30") == ["add_visit",
                                                                          "edit_resident"]
    assert actions(f"resident={wang.id}&action=add_visit&to=2025-12-31") == ["add_visit", "add_visit"]
    assert actions(f"resident={zhang.id}&from=2025-04-01&to=2025-12-31") == ["edit_resident"]
    assert web.get("/audit?from=2026-13-01").status_code == 400
    # Another community's supervisor sees none of it, whatever the filter.
    other = as_user("pushang_sup")
    html = other.get(f"/audit?person={vol_a.id}&from=2025-03-01&to=2025-12-31").get_data(as_text=True)
    assert re.findall(r'data-action="([a-z_]+)"', html) == []
    assert other.get(f"/audit?resident={zhang.id}").status_code == 404


def test_a_500_op_push_writes_one_audit_row_per_applied_op(client, scenario, db_session):
    wang = scenario.residents["wang"]
    token = api_login(client, "vol_a", scenario.password)
    ops = [visit_op(seq, wang.grid_id, wang.id) for seq in range(1, 501)]
    assert {r["status"] for r in push(client, token, ops)} == {p.APPLIED}
    rows = entries(db_session, "add_visit")
    assert len(rows) == 500
    assert {row.detail["op"] for row in rows} == {op["op_id"] for op in ops}
    device = db_session.scalars(select(Device).where(
        Device.person_id == scenario.people["vol_a"].id, Device.token_hash.is_not(None))).all()
    assert {row.device_id for row in rows} <= {d.id for d in device}


def test_audit_page_tells_counts_in_words_not_codes(client, as_user, scenario):
    wang = scenario.residents["wang"]
    token = api_login(client, "vol_a", scenario.password)
    push(client, token, [visit_op(1, wang.grid_id, wang.id),
                         visit_op(2, scenario.grids["pushang1"].id, wang.id)])
    web = as_user("admin")  # a push's summary names no grid: the admin's to read
    web.get("/export/download?kind=residents&format=csv")
    html = web.get("/audit").get_data(as_text=True)
    assert "已保存 1 条" in html and "未保存成功 1 条" in html
    assert "applied" not in html and "rejected=" not in html and "kind=" not in html
