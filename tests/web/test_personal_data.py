"""Personal data by role (docs/security.md): whole files of phone numbers and health readings
only for the community supervisors who call and visit; lists never show phone numbers; field
people see their own grids' records on the tablet and nothing of other grids."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from testkit.web_helpers import api_login, api_pull_all
from testkit.web_scenario import today_local

from server.models import AuditEntry
from server.web.privacy import mask_phone

ZHANG_PHONE = "13800000001"


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def resident_export(web) -> dict[str, list[str]]:
    rows = csv_rows(web.get("/export/download?kind=residents&format=csv").data)
    return {row[2]: dict(zip(rows[0], row)) for row in rows[1:]}


def visit_export(web) -> list[dict]:
    today = today_local()
    rows = csv_rows(web.get(f"/export/download?kind=visits&format=csv"
                            f"&from={today - timedelta(days=5)}&to={today}").data)
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_phone_masking():
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone("0393-8881234") == "039*****1234"
    assert mask_phone("1234") == "****" and mask_phone(None) == ""


def test_community_supervisor_exports_phones_and_readings_in_full(as_user, scenario):
    web = as_user("kunwu_sup")
    assert resident_export(web)["张利霞"]["联系电话"] == ZHANG_PHONE
    zhang_visit = next(row for row in visit_export(web) if row["姓名"] == "张利霞")
    assert zhang_visit["收缩压（mmHg）"] == "185" and zhang_visit["舒张压（mmHg）"] == "100"
    assert "data-redacted" not in web.get("/export").get_data(as_text=True)


@pytest.mark.parametrize("username", ["street_sup", "admin"])
def test_wider_supervisors_export_masked_phones_and_no_readings(as_user, scenario, username,
                                                               db_session):
    web = as_user(username)
    export = web.get("/export/download?kind=residents&format=csv").data.decode("utf-8-sig")
    assert ZHANG_PHONE not in export and "138****0001" in export
    for row in visit_export(web):
        assert row["收缩压（mmHg）"] == row["舒张压（mmHg）"] == row["脉搏（次/分）"] == ""
    assert "data-redacted" in web.get("/export").get_data(as_text=True)
    # ... while one resident's own page shows the number, and the opening is recorded.
    zhang = scenario.residents["zhang"]
    assert ZHANG_PHONE in web.get(f"/residents/{zhang.id}").get_data(as_text=True)
    assert db_session.query(AuditEntry).filter_by(action="view_resident",
                                                  entity_id=zhang.id).count() == 1


#: Not the conflict queue: settling a conflict over a phone number needs both numbers.
LISTS = ["/", "/residents", "/residents?show=all", "/grids/{grid}", "/health", "/visits", "/audit"]


@pytest.mark.parametrize("username", ["kunwu_sup", "street_sup", "admin"])
def test_lists_never_show_phone_numbers(as_user, scenario, username):
    zhang = scenario.residents["zhang"]
    as_user("kunwu_sup").post(f"/conflicts/{scenario.conflict.id}/settle", data={"choice": "lost"})
    web = as_user(username)
    # The audit page lists changes across residents: phone numbers masked there ...
    assert "138****0001 → 139****0002" in web.get("/audit").get_data(as_text=True)
    # ... and in full in the resident's own 操作记录.
    page = web.get(f"/residents/{zhang.id}").get_data(as_text=True)
    assert "13800000001 → 13900000002" in page[page.index('id="history"'):]
    for path in LISTS:
        html = web.get(path.format(grid=scenario.grids["kunwu1"].id)).get_data(as_text=True)
        assert "13800000001" not in html and "13900000002" not in html, path
        assert "13700000009" not in html, path


def test_field_people_see_their_own_grids_records_in_full_and_nothing_else(client, scenario):
    token = api_login(client, "vol_a", scenario.password)  # 昆吾社区 grids 1 and 2
    records = api_pull_all(client, token)
    zhang, zhao = scenario.residents["zhang"], scenario.residents["zhao"]
    assert records[("resident", zhang.id)]["phone"] == ZHANG_PHONE
    readings = [data["readings"] for (entity, _id), data in records.items()
                if entity == "visit" and data.get("resident_id") == zhang.id
                and data.get("readings")]
    assert readings and readings[0]["systolic"] == 185
    assert ("resident", zhao.id) not in records
    assert "13700000009" not in str(records)
