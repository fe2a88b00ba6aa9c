"""The printable tablet sign-in sheet: a QR code with the server's address and a one-time code,
never the password; made by a supervisor for the people they manage, audited."""
from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from server.models import AuditEntry
from shared import protocol as p


def sheet(web, person_id: int):
    return web.post(f"/people/{person_id}/sign-in-sheet")


def test_the_sheet_shows_a_qr_code_the_address_and_a_code_that_signs_in(as_user, scenario,
                                                                        client, db_session):
    web, vol_a = as_user("kunwu_sup"), scenario.people["vol_a"]
    assert f'action="/people/{vol_a.id}/sign-in-sheet"' in web.get(f"/people/{vol_a.id}") \
        .get_data(as_text=True)
    response = sheet(web, vol_a.id)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<svg" in html and 'role="img"' in html and "平板登录单" in html
    code = re.search(r'id="sheet-code">([A-Z0-9-]+)<', html).group(1)
    server = re.search(r'id="sheet-server">([^<]+)<', html).group(1)
    assert server == "http://localhost"
    assert scenario.password not in html and "服务器" not in html
    answer = client.post("/api/v1/auth/provision", json={
        "protocol": p.PROTOCOL_VERSION, "code": code, "device_id": str(uuid.uuid4()),
        "device_name": "平板"})
    assert answer.status_code == 200 and answer.get_json()["person"]["username"] == "vol_a"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "provision_code"))
    assert entry.person_id == scenario.people["kunwu_sup"].id
    assert entry.entity_id == str(vol_a.id)


def test_each_sheet_has_its_own_code(as_user, scenario):
    web, vol_a = as_user("kunwu_sup"), scenario.people["vol_a"]
    codes = {re.search(r'id="sheet-code">([A-Z0-9-]+)<', sheet(web, vol_a.id)
                       .get_data(as_text=True)).group(1) for _ in range(2)}
    assert len(codes) == 2


def test_only_for_people_one_manages(as_user, scenario):
    web = as_user("kunwu_sup")
    assert sheet(web, scenario.people["vol_c"].id).status_code == 404  # another community
    assert sheet(web, scenario.people["admin"].id).status_code == 404
    assert web.client.post(f"/people/{scenario.people['vol_a'].id}/sign-in-sheet") \
        .status_code == 400  # no CSRF token


def test_the_qr_code_holds_the_provisioning_link(as_user, scenario):
    from server.provisioning import payload
    link = payload("http://localhost", "ACD347KMNP")
    assert urlsplit(link).scheme == "knockdoor"
    assert parse_qs(urlsplit(link).query)["code"] == ["ACD34-7KMNP"]
