"""Call lists (issue 12, point 11): overdue and no-answer residents with phone and address,
narrowed to "not visited in the last week / month", printable, exported as a call sheet; and
the clicks it takes to collect 15 phone numbers."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from server.models import AuditEntry
from shared.clock import utcnow
from testkit.factories import make_resident

def phones_on(html: str) -> set[str]:
    return set(re.findall(r'href="tel:([0-9*]+)"', html))


@pytest.fixture
def fifteen_overdue(db_session, scenario):
    """Fifteen residents of 昆吾社区第2网格 on the roster for 40 days and never visited."""
    added = []
    for number in range(15):
        resident = make_resident(db_session, scenario.grids["kunwu2"], name=f"测试{number:02d}",
                                 phone=f"1390000{number:04d}",
                                 address=f"昆吾路{20 + number}号1单元101")
        resident.created_at = utcnow() - timedelta(days=40)
        added.append(resident)
    db_session.commit()
    return added


def test_overdue_list_shows_phone_and_address_most_overdue_first(as_user, scenario):
    html = as_user("kunwu_sup").get("/calls?list=overdue").get_data(as_text=True)
    wang = scenario.residents["wang"]
    assert re.findall(r'<tr data-resident="([^"]+)">', html) == [wang.id]
    assert "长庆路12号院5号楼1单元102" in html and "超期未访" in html
    assert "电话联系名单" in html


def test_no_answer_list_and_the_not_visited_filters(as_user, scenario):
    web = as_user("kunwu_sup")
    wang = scenario.residents["wang"]
    html = web.get("/calls?list=no_answer").get_data(as_text=True)
    assert re.findall(r'<tr data-resident="([^"]+)">', html) == [wang.id]
    assert "无人应门" in html
    # 王秀英 was knocked on yesterday: visited within the week, so not on a "not visited" list.
    for unvisited in ("week", "month"):
        html = web.get(f"/calls?list=no_answer&unvisited={unvisited}").get_data(as_text=True)
        assert re.findall(r'<tr data-resident="([^"]+)">', html) == []
    # Overdue, but knocked on yesterday: not on the overdue list narrowed to "not visited".
    assert wang.id in web.get("/calls?list=overdue").get_data(as_text=True)
    assert wang.id not in web.get("/calls?list=overdue&unvisited=week").get_data(as_text=True)


def test_fifteen_phone_numbers_take_one_click_from_the_dashboard(as_user, fifteen_overdue):
    """Before: the overdue list had no phone numbers; each took a click to the resident's page
    and one back (about 31 clicks for 15). Now: one click from the dashboard."""
    web = as_user("kunwu_sup")
    dashboard = web.get("/").get_data(as_text=True)
    link = re.search(r'id="call-list-overdue" href="([^"]+)"', dashboard).group(1)
    clicks = 1
    page = web.get(link.replace("&amp;", "&")).get_data(as_text=True)
    wanted = {resident.phone for resident in fifteen_overdue}
    assert wanted <= phones_on(page) and clicks == 1
    for resident in fifteen_overdue:
        assert resident.address in page
    # A second click downloads them as a call sheet.
    sheet_link = re.search(r'id="call-sheet-xlsx" href="([^"]+)"', page).group(1)
    book = load_workbook(io.BytesIO(web.get(sheet_link.replace("&amp;", "&")).data))
    rows = list(book.active.iter_rows(values_only=True))
    assert book.active.title == "电话联系名单"
    assert rows[0][:3] == ("序号", "姓名", "联系电话") and "联系结果" in rows[0]
    assert wanted <= {row[2] for row in rows[1:]}


def test_call_sheet_csv_and_its_audit(as_user, fifteen_overdue, db_session):
    web = as_user("kunwu_sup")
    response = web.get("/calls/download?list=overdue&unvisited=month&format=csv")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {row["姓名"] for row in rows} >= {resident.name for resident in fifteen_overdue}
    assert all(row["联系结果"] == "" and row["住址"] for row in rows)
    assert all(row["情况"].startswith("超期未访") for row in rows)
    entry = db_session.query(AuditEntry).filter_by(action="export").one()
    assert entry.detail["kind"] == "calls_overdue" and entry.detail["rows"] == len(rows)


def test_wider_supervisors_get_masked_numbers(as_user, fifteen_overdue):
    html = as_user("street_sup").get("/calls?list=overdue").get_data(as_text=True)
    assert "13900000003" not in html and "139****0003" in html and "data-redacted" in html
    sheet = as_user("admin").get("/calls/download?list=overdue&format=csv").data.decode()
    assert "13900000003" not in sheet and "139****0003" in sheet


def test_bad_choices_are_refused_in_chinese_and_other_areas_are_not_found(as_user, scenario):
    web = as_user("kunwu_sup")
    refused = web.get("/calls?list=everyone")
    assert refused.status_code == 400 and "名单类型" in refused.get_data(as_text=True)
    assert web.get("/calls?unvisited=year").status_code == 400
    assert web.get("/calls/download?list=overdue&format=pdf").status_code == 400
    assert web.get(f"/calls?area={scenario.communities['pushang'].id}").status_code == 404


def test_the_page_prints_only_the_list(as_user, scenario):
    web = as_user("kunwu_sup")
    html = web.get("/calls?list=no_answer").get_data(as_text=True)
    assert 'class="filters no-print"' in html and 'class="print-only' in html
    css = web.get("/web-static/web.css").get_data(as_text=True)
    rules = css[css.index("@media print"):]
    assert "header.top" in rules and ".no-print" in rules and "display: none" in rules
