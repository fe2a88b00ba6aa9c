"""Exports a supervisor can read (issue 12, point 15): words not codes, the district's time as
real date cells, every field a supervisor needs, units in the headers, grid names, names of the
file and sheet in the reader's language, a frozen header row, filters and column widths, a
"last month" preset, and a resident export that reads back as the roster it is."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from testkit.web_scenario import add_visit, today_local

from server.models import Resident
from server.web.access import load_scope
from server.web.exports import LAST_MONTH, THIS_MONTH, period_days
from shared import protocol as p
from shared.clock import utcnow
from testkit.clock import CHINA

#: Every code a visit or resident may hold: none of them may reach a person's file.
CODES = set(p.OUTCOMES) | set(p.MOODS) | set(p.NEEDS) | set(p.SERVICES) | set(p.SAFETY_DEVICES) \
    | set(p.SAFETY_CHECK_RESULTS) | set(p.LIVING_SITUATIONS) | set(p.CARE_LEVELS) \
    | set(p.RESIDENT_STATUSES) | set(p.CORRECTIONS)
AWAY_REASON = "去郑州女儿家住一周"


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return load_workbook(io.BytesIO(response.data))


def header_row(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def by_header(sheet) -> list[dict]:
    headers = header_row(sheet)
    return [dict(zip(headers, (cell for cell in row))) for row in sheet.iter_rows(min_row=2)]


def file_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    return unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))


@pytest.fixture
def visited(db_session, scenario):
    """Two more visits at zhang's: the door closed (away, with a reason) and a safety check."""
    zhang, vol = scenario.residents["zhang"], scenario.people["vol_a"]
    away_at = utcnow() - timedelta(hours=5)
    add_visit(db_session, zhang, vol, away_at, p.AWAY, away_reason=AWAY_REASON)
    checked_at = utcnow() - timedelta(hours=4)
    add_visit(db_session, zhang, vol, checked_at, p.MET, mood="low",
              safety_checks={"fall_alarm": "faulty", "smoke_detector": "ok"},
              follow_up_on=(today_local() + timedelta(days=1)).isoformat())
    db_session.commit()
    return {"away_at": away_at, "checked_at": checked_at}


def visits_xlsx(web, lang: str = "zh_CN"):
    today = today_local()
    return web.get(f"/export/download?kind=visits&format=xlsx&lang={lang}"
                   f"&from={today - timedelta(days=5)}&to={today}")


def local_naive(moment: datetime) -> datetime:
    return moment.astimezone(CHINA).replace(tzinfo=None)


def test_chinese_visit_export_writes_words_local_times_and_every_field(as_user, visited):
    response = visits_xlsx(as_user("kunwu_sup"))
    book = workbook(response)
    sheet = book.active
    assert sheet.title == "走访记录"
    assert file_name(response).startswith("走访记录_") and file_name(response).endswith(".xlsx")
    headers = header_row(sheet)
    for header in ("走访时间", "所属网格", "姓名", "住址", "走访人", "走访结果", "外出原因",
                   "收缩压（mmHg）", "舒张压（mmHg）", "脉搏（次/分）", "血糖（mmol/L）", "体温（℃）",
                   "精神状态", "需求", "服务", "安全设备检查", "情况记录", "回访日期"):
        assert header in headers, header
    rows = by_header(sheet)
    values = {str(cell.value) for row in rows for cell in row.values() if cell.value is not None}
    assert not values & CODES, values & CODES
    zhang = [row for row in rows if row["姓名"].value == "张利霞"]
    away = next(row for row in zhang if row["外出原因"].value == AWAY_REASON)
    assert away["走访结果"].value == "外出"
    assert away["所属网格"].value == "昆吾社区第1网格"  # the grid's name, not its code
    assert away["住址"].value == "长庆路12号院3号楼2单元401"
    # The district's wall-clock time as a real date cell: eight hours ahead of UTC.
    cell = away["走访时间"]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert abs(cell.value - local_naive(visited["away_at"])) < timedelta(seconds=1)
    checked = next(row for row in zhang if row["安全设备检查"].value)
    assert checked["安全设备检查"].value == "跌倒报警器：故障、烟雾报警器：正常"
    assert checked["回访日期"].is_date
    assert checked["回访日期"].value.date() == today_local() + timedelta(days=1)
    readings = next(row for row in zhang if row["收缩压（mmHg）"].value is not None)
    assert readings["收缩压（mmHg）"].value == 185 and readings["脉搏（次/分）"].value == 82
    assert readings["需求"].value == "买药" or "药" in readings["需求"].value
    assert readings["服务"].value and readings["服务"].value != "health_check"


def test_xlsx_has_a_frozen_header_filters_and_widths(as_user, visited):
    sheet = workbook(visits_xlsx(as_user("kunwu_sup"))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}" \
        f"{sheet.max_row}"
    widths = [sheet.column_dimensions[sheet.cell(1, i).column_letter].width
              for i in range(1, sheet.max_column + 1)]
    assert all(width >= 8 for width in widths)
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["C"].width  # 住址 > 姓名
    assert all(cell.font.bold for cell in sheet[1])


def test_csv_visit_export_writes_the_districts_time(as_user, visited):
    today = today_local()
    response = as_user("kunwu_sup").get(f"/export/download?kind=visits&format=csv"
                                        f"&from={today - timedelta(days=5)}&to={today}")
    assert file_name(response).endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    away = next(row for row in rows if row["外出原因"] == AWAY_REASON)
    assert away["走访时间"] == local_naive(visited["away_at"]).strftime("%Y-%m-%d %H:%M")
    assert away["走访结果"] == "外出"


def test_english_export_is_english_throughout(as_user, visited):
    response = visits_xlsx(as_user("kunwu_sup"), lang="en")
    sheet = workbook(response).active
    assert sheet.title == "Visits" and file_name(response).startswith("Visits_")
    headers = header_row(sheet)
    assert "Systolic (mmHg)" in headers and "Safety checks" in headers
    checks = {row["Safety checks"].value for row in by_header(sheet)} - {None}
    assert checks == {"Fall alarm: Faulty, Smoke detector: Working"}
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert not re.search(r"[\u4e00-\u9fff]{2,}(社区|网格)?$", headers[0])
    assert "走访" not in " ".join(headers) and "Away" in text


def test_period_presets_cover_whole_months():
    assert period_days(LAST_MONTH, date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert period_days(LAST_MONTH, date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_days(LAST_MONTH, date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_days(THIS_MONTH, date(2026, 11, 30)) == (date(2026, 11, 1), date(2026, 11, 30))


def test_last_month_preset_exports_last_months_visits(as_user, scenario, db_session):
    today = today_local()
    first, last = period_days(LAST_MONTH, today)
    # Noon in the district on the last day of last month, and on the 1st of this month.
    inside = datetime(last.year, last.month, last.day, 12, tzinfo=CHINA)
    outside = inside + timedelta(days=1)
    zhang, vol = scenario.residents["zhang"], scenario.people["vol_a"]
    add_visit(db_session, zhang, vol, inside, p.MET, note="上月最后一天")
    add_visit(db_session, zhang, vol, outside, p.MET, note="本月第一天")
    db_session.commit()
    web = as_user("kunwu_sup")
    assert f"{first.isoformat()}至{last.isoformat()}" in web.get("/export").get_data(as_text=True)
    response = web.get("/export/download?kind=visits&format=csv&period=last_month"
                       "&from=2020-01-01&to=2020-01-02")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    notes = {row["情况记录"] for row in rows}
    assert "上月最后一天" in notes and "本月第一天" not in notes
    assert all(row["走访时间"][:7] == first.isoformat()[:7] for row in rows)
    assert file_name(response) == f"走访记录_{first.isoformat()}至{last.isoformat()}.csv"
    assert web.get("/export/download?kind=visits&format=csv&period=yesterday").status_code == 400


def test_resident_export_has_words_dates_and_the_roster_headers(as_user, scenario, db_session):
    zhang = scenario.residents["zhang"]
    zhang.safety_devices = ["fall_alarm", "gas_alarm"]
    zhang.living_situation = [p.ALONE, p.DISABLED]
    db_session.commit()
    response = as_user("kunwu_sup").get("/export/download?kind=residents&format=xlsx")
    sheet = workbook(response).active
    assert sheet.title == "居民名册" and file_name(response).startswith("居民名册_")
    headers = header_row(sheet)
    for header in ("序号", "所属网格", "姓名", "性别", "出生年份", "住址", "联系电话", "紧急联系人",
                   "关爱类别", "走访周期（天）", "安全设备", "照护备注", "居民编号"):
        assert header in headers, header
    rows = {row["姓名"].value: row for row in by_header(sheet)}
    assert rows["张利霞"]["所属网格"].value == "昆吾社区第1网格"
    assert rows["张利霞"]["性别"].value == "女" and rows["张利霞"]["状态"].value != "active"
    assert rows["张利霞"]["关爱类别"].value.startswith("独居")
    assert "、" in rows["张利霞"]["安全设备"].value
    assert rows["张利霞"]["上次走访"].is_date
    assert [row["序号"].value for row in by_header(sheet)] == list(range(1, len(rows) + 1))
    values = {str(c.value) for row in rows.values() for c in row.values() if c.value is not None}
    assert not values & CODES


@pytest.mark.parametrize("fmt,lang", [("csv", "zh_CN"), ("xlsx", "zh_CN"), ("xlsx", "en")])
def test_resident_export_reads_back_as_the_roster(app, as_user, scenario, db_session, fmt, lang):
    """An export imported again changes nothing: every row is read as the resident already in
    that grid, with no problem and no difference (LANGUAGE.md rule 8)."""
    from server.roster.plan import check_roster
    zhang = scenario.residents["zhang"]
    zhang.safety_devices = ["fall_alarm", "smoke_detector"]
    zhang.living_situation = [p.ALONE]
    zhang.visit_cadence_days = 10
    zhang.emergency_contact, zhang.emergency_phone = "张建军", "13900000011"
    db_session.commit()
    body = as_user("kunwu_sup").get(
        f"/export/download?kind=residents&format={fmt}&lang={lang}").data
    with app.test_request_context(f"/?lang={lang}"):
        scope = load_scope(scenario.people["kunwu_sup"])
        check = check_roster(db_session, scope, f"export.{fmt}", body, "test-key")
    assert check.file_errors == []
    assert len(check.rows) == 6
    problems = {row.name: row.errors + row.warnings for row in check.rows
                if row.errors or row.warnings}
    assert problems == {}
    changed = {row.name: row.changes for row in check.rows if not row.is_existing or row.changes}
    assert changed == {}
    read = next(row for row in check.rows if row.name == "张利霞")
    resident = db_session.get(Resident, zhang.id)
    assert read.grid_id == resident.grid_id and read.existing_id == resident.id
