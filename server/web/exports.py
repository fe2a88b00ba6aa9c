"""Writing visits and residents as CSV or .xlsx.

Resident exports use the roster import's column headers, so a community can edit an export in
Excel and import it again. CSV files start with a byte-order mark so that Excel opens the
Chinese text as UTF-8.

Every cell is written as inert text (:func:`.cells.inert`): text that a spreadsheet would run
as a formula gets an apostrophe in front, and .xlsx cells are typed as strings. The roster import
takes the apostrophe off again, so an export still imports back unchanged.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable

from shared import vocabulary
from shared.district_day import export_text

from .cells import inert
from .i18n import current_locale
from .roster import CODE_WORDS, COLUMNS
from ..district import district_zone

VISIT_COLUMNS = (
    ("visit_id", "走访编号"), ("grid", "网格"), ("resident_id", "居民编号"), ("name", "姓名"),
    ("visited_at", "走访时间"), ("outcome", "结果"), ("author", "走访人"),
    ("systolic", "收缩压"), ("diastolic", "舒张压"), ("pulse", "脉搏"),
    ("blood_sugar", "血糖"), ("temperature", "体温"), ("mood", "情绪"), ("needs", "需求"),
    ("services", "服务"), ("note", "备注"), ("follow_up_on", "跟进日期"),
    ("correction", "更正"), ("corrects", "更正对象"), ("recorded_at", "服务器接收时间"),
)


def _headers(columns) -> list[str]:
    english = current_locale() == "en"
    return [en if english else zh for en, zh in columns]


def _words(codes: Iterable[str]) -> str:
    english = current_locale() == "en"
    return (", " if english else "、").join(code if english else CODE_WORDS.get(code, code) for code in codes or ())


def resident_table(rows) -> tuple[list[str], list[list]]:
    headers = _headers([(en, zh) for _field, zh, en in COLUMNS]) + \
        _headers([("status", "状态"), ("resident_id", "居民编号")])
    english = current_locale() == "en"
    table = []
    for resident, _grid_name, grid_code in rows:
        sex = resident.sex if english else {"M": "男", "F": "女"}.get(resident.sex, resident.sex)
        ability = resident.ability_level or ""
        categories = ", ".join(resident.care_categories or ())
        if not english:  # the roster import reads the words back (and the English codes)
            ability = vocabulary.label("ability_level", ability) if ability else ""
            categories = vocabulary.join(vocabulary.label("care_category", code)
                                         for code in resident.care_categories or ())
        table.append([grid_code, resident.name, sex, resident.birth_year, resident.address,
                      resident.phone or "", resident.emergency_contact or "",
                      resident.emergency_phone or "", categories, ability,
                      resident.visit_cadence_days or "", _words(resident.safety_devices),
                      resident.care_notes or "", resident.status, resident.id])
    return headers, table


def visit_table(rows) -> tuple[list[str], list[list]]:
    table = []
    zone = district_zone()  # every time in an export is the district's, never UTC
    for visit, resident_name, grid_code, author in rows:
        details = visit.details or {}
        readings = details.get("readings") or {}
        table.append([
            visit.id, grid_code, visit.resident_id, resident_name,
            export_text(visit.visited_at, zone), visit.outcome or "",
            author or "", readings.get("systolic", ""), readings.get("diastolic", ""),
            readings.get("pulse", ""), readings.get("blood_sugar", ""),
            readings.get("temperature", ""), details.get("mood") or "",
            ",".join(details.get("needs") or ()), ",".join(details.get("services") or ()),
            details.get("note") or "", details.get("follow_up_on") or "",
            visit.correction or "", visit.corrects_id or "", export_text(visit.recorded_at, zone)])
    return _headers(VISIT_COLUMNS), table


def to_csv(headers: list[str], table: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([inert(value) for value in headers])
    writer.writerows([inert(value) for value in row] for row in table)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], table: list[list], sheet_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        if not isinstance(value, str):
            return value
        # openpyxl refuses control characters in a cell; they carry nothing a reader needs.
        written = WriteOnlyCell(sheet, inert(ILLEGAL_CHARACTERS_RE.sub("", value)))
        written.data_type = "s"  # text, whatever it looks like: never a formula
        return written

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append([cell(value) for value in headers])
    for row in table:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
