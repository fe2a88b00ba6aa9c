"""Visits and residents as a spreadsheet a supervisor reads (CSV or .xlsx), in their language.

A table is a list of :class:`Column` and rows of plain values: text, numbers, instants (written
in the district's time, never UTC) and district days. Codes never reach the file: every coded
value is written as the word the web view shows (:mod:`.labels`), lists joined and labels
punctuated by :mod:`shared.punctuation`. Headers carry their units (收缩压（mmHg）).

The resident export heads each field with its word (所属网格, 姓名, 性别, 住址, 联系电话 …: the fields'
words, shared/resident_fields.py), which the roster import reads back,
and writes grids by name, so a community can edit an export in Excel and import it again; the
import skips the columns that are for reading only (序号, 状态, 上次走访 …).

Every text cell is written as inert text (:func:`.cells.inert`): text that a spreadsheet would
run as a formula gets an apostrophe in front, and .xlsx text cells are typed as strings. The
roster import takes the apostrophe off again. Instants and days are real date cells in .xlsx
(Excel sorts and filters them as dates); CSV writes them as ``2026-11-24 09:30``. A .xlsx has a
frozen header row, filters on every column and columns wide enough to read.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from shared import punctuation, resident_fields
from shared.district_day import local_time, month_start

from ..district import district_zone
from .cells import inert
from .i18n import current_locale
from .labels import word

TEXT, NUMBER, INSTANT, DAY, PERCENT = "text", "number", "instant", "day", "percent"
INSTANT_FORMAT = "yyyy-mm-dd hh:mm"
DAY_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = TEXT
    width: int = 12  # characters, for .xlsx
    unit: str | None = None

    def header(self, locale: str) -> str:
        english = locale == "en"
        return punctuation.with_unit(self.en if english else self.zh, self.unit, locale)


#: Read-only columns of the resident export; the roster import recognises and skips them.
ROW_NUMBER = Column("row_number", "序号", "No.", NUMBER, 6)
STATUS = Column("status", "状态", "Status", TEXT, 8)
LAST_VISIT = Column("last_visit_at", "上次走访", "Last visit", INSTANT, 17)
LAST_MET = Column("last_met_at", "上次见到本人", "Last met", INSTANT, 17)


def field_column(name: str) -> Column:
    """A resident field's column, headed by its words (shared/resident_fields.py)."""
    field = resident_fields.BY_NAME[name]
    return Column(field.name, field.zh, field.en,
                  NUMBER if field.kind == resident_fields.NUMBER else TEXT, field.file_width or 12)


#: The resident fields the files carry.
FIELD_COLUMNS = tuple(field_column(field.name) for field in resident_fields.IN_FILES)
RESIDENT_COLUMNS = (
    ROW_NUMBER,
    Column("grid", "所属网格", "grid", TEXT, 18),
    *FIELD_COLUMNS,
    STATUS, LAST_VISIT, LAST_MET,
    Column("resident_id", "居民编号", "resident_id", TEXT, 38),
)
#: Headers the import reads past (they describe the resident; they change nothing).
READ_ONLY_HEADERS = tuple(name for column in (ROW_NUMBER, STATUS, LAST_VISIT, LAST_MET)
                          for name in (column.zh, column.en))

READINGS = (("systolic", "收缩压", "Systolic", "mmHg"), ("diastolic", "舒张压", "Diastolic", "mmHg"),
            ("pulse", "脉搏", "Pulse", "次/分"), ("blood_sugar", "血糖", "Blood sugar", "mmol/L"),
            ("temperature", "体温", "Temperature", "℃"))

VISIT_COLUMNS = (
    Column("visited_at", "走访时间", "Visited at", INSTANT, 17),
    Column("grid", "所属网格", "Grid", TEXT, 18),
    Column("name", "姓名", "Name", TEXT, 10),
    Column("address", "住址", "Address", TEXT, 30),
    Column("author", "走访人", "Visited by", TEXT, 10),
    Column("outcome", "走访结果", "Outcome", TEXT, 10),
    Column("away_reason", "外出原因", "Away reason", TEXT, 16),
    *(Column(key, zh, en, NUMBER, 10 if unit != "mmol/L" else 13, unit)
      for key, zh, en, unit in READINGS),
    Column("mood", "精神状态", "Mood", TEXT, 9),
    Column("needs", "需求", "Needs", TEXT, 18),
    Column("services", "服务", "Services", TEXT, 18),
    Column("safety_checks", "安全设备检查", "Safety checks", TEXT, 26),
    Column("note", "情况记录", "Note", TEXT, 36),
    Column("follow_up_on", "回访日期", "Follow up on", DAY, 11),
    Column("correction", "更正", "Correction", TEXT, 8),
    Column("corrects", "更正的走访编号", "Corrects visit", TEXT, 38),
    Column("recorded_at", "上传时间", "Received at", INSTANT, 17),
    Column("visit_id", "走访编号", "Visit ID", TEXT, 38),
    Column("resident_id", "居民编号", "Resident ID", TEXT, 38),
)


@dataclass
class Sheet:
    """What one export holds: its columns, rows of plain values and its name for people."""

    columns: tuple[Column, ...]
    rows: list[list]
    title: str  # the sheet's name, in the reader's language

    @property
    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def headers(self, locale: str) -> list[str]:
        return [column.header(locale) for column in self.columns]


def _local(moment: datetime | None) -> datetime | None:
    """The instant as the district's wall-clock time (naive: a spreadsheet knows no zones)."""
    if moment is None:
        return None
    return local_time(moment, district_zone()).replace(tzinfo=None)


def _words(kind: str, codes, locale: str) -> str:
    return punctuation.items((word(kind, code) for code in codes or ()), locale)


def _checks(checks: dict | None, locale: str) -> str:
    return punctuation.items((punctuation.labelled(word("safety_devices", device),
                                                   word("check", result), locale)
                              for device, result in (checks or {}).items()), locale)


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def sheet_title(kind: str, locale: str) -> str:
    english = locale == "en"
    return {"visits": "Visits" if english else "走访记录",
            "residents": "Residents" if english else "居民名册"}[kind]


def resident_sheet(rows) -> Sheet:
    """``rows``: (Resident, grid name) pairs, in the order to write them."""
    locale = current_locale()
    table = []
    for number, (resident, grid_name) in enumerate(rows, start=1):
        table.append([
            number, grid_name,
            *(_field_cell(field, getattr(resident, field.name), locale)
              for field in resident_fields.IN_FILES),
            word("status", resident.status),
            _local(resident.last_visit_at), _local(resident.last_met_at), resident.id])
    return Sheet(RESIDENT_COLUMNS, table, sheet_title("residents", locale))


def _field_cell(field, value, locale: str):
    """A resident field's value as the file holds it: words for codes, "" for no text."""
    if field.kind == resident_fields.CHOICES:
        return _words(field.name, value, locale)
    if field.kind == resident_fields.CHOICE:
        return word(field.name, value) if value else ""
    if field.kind == resident_fields.NUMBER:
        return value
    return value or ""


def visit_sheet(rows) -> Sheet:
    """``rows``: (Visit, resident name, address, grid name, author name) tuples."""
    locale = current_locale()
    table = []
    for visit, resident_name, address, grid_name, author in rows:
        details = visit.details or {}
        readings = details.get("readings") or {}
        table.append([
            _local(visit.visited_at), grid_name, resident_name, address, author or "",
            word("outcome", visit.outcome) if visit.outcome else "",
            details.get("away_reason") or "",
            *(readings.get(key) for key, *_rest in READINGS),
            word("mood", details["mood"]) if details.get("mood") else "",
            _words("needs", details.get("needs"), locale),
            _words("services", details.get("services"), locale),
            _checks(details.get("safety_checks"), locale),
            details.get("note") or "", _day(details.get("follow_up_on")),
            word("correction", visit.correction) if visit.correction else "",
            visit.corrects_id or "", _local(visit.recorded_at), visit.id, visit.resident_id])
    return Sheet(VISIT_COLUMNS, table, sheet_title("visits", locale))


LAST_MONTH, THIS_MONTH = "last_month", "this_month"
PERIODS = (LAST_MONTH, THIS_MONTH)


def period_days(period: str, today: date) -> tuple[date, date]:
    """The district days a preset covers: last month is the whole calendar month before today's."""
    this_month = month_start(today)
    if period == LAST_MONTH:
        return month_start(this_month - timedelta(days=1)), this_month - timedelta(days=1)
    return this_month, today


def file_name(kind: str, first: date, last: date, today: date, fmt: str) -> str:
    """``走访记录_2026-11-01至2026-11-30.xlsx``: the file's name in the reader's language."""
    locale = current_locale()
    title = sheet_title(kind, locale)
    span = punctuation.range_of(first.isoformat(), last.isoformat(), locale) \
        if kind == "visits" else today.isoformat()
    return f"{title}_{span.replace(' ', '_')}.{fmt}"


def content_disposition(name: str, fallback: str) -> str:
    """An attachment header with the name in UTF-8 (RFC 6266) and an ASCII name for old clients."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


# ---- writing ----------------------------------------------------------------------------------

def _csv_value(value, column: Column):
    if value is None:
        return ""
    if column.kind == INSTANT and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.kind == DAY and isinstance(value, date):
        return value.isoformat()
    if column.kind == PERCENT and isinstance(value, (int, float)):
        return f"{100 * value:.1f}%"
    return inert(value)


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([inert(header) for header in sheet.headers(current_locale())])
    for row in sheet.rows:
        writer.writerow([_csv_value(value, column) for value, column in zip(row, sheet.columns)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(*sheets: Sheet) -> bytes:
    """One workbook, a worksheet per sheet (each with a frozen header row and filters)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book_sheet = workbook.create_sheet(sheet.title[:31])  # Excel's limit for a sheet's name
    book_sheet.freeze_panes = "A2"  # the header row stays in view
    for index, column in enumerate(sheet.columns, start=1):
        book_sheet.column_dimensions[get_column_letter(index)].width = column.width + 2
    last_column = get_column_letter(len(sheet.columns))
    book_sheet.auto_filter.ref = f"A1:{last_column}{len(sheet.rows) + 1}"
    bold = Font(bold=True)

    def text_cell(value: str, font=None):
        # openpyxl refuses control characters in a cell; they carry nothing a reader needs.
        written = WriteOnlyCell(book_sheet, inert(ILLEGAL_CHARACTERS_RE.sub("", value)))
        written.data_type = "s"  # text, whatever it looks like: never a formula
        if font is not None:
            written.font = font
        return written

    def cell(value, column: Column):
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            written = WriteOnlyCell(book_sheet, value)
            written.number_format = INSTANT_FORMAT
            return written
        if isinstance(value, date):
            written = WriteOnlyCell(book_sheet, value)
            written.number_format = DAY_FORMAT
            return written
        if isinstance(value, str):
            return text_cell(value)
        if column.kind == PERCENT:
            written = WriteOnlyCell(book_sheet, value)
            written.number_format = PERCENT_FORMAT
            return written
        return value

    book_sheet.append([text_cell(header, bold) for header in sheet.headers(current_locale())])
    for row in sheet.rows:
        book_sheet.append([cell(value, column) for value, column in zip(row, sheet.columns)])
