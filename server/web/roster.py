"""Roster files: reading the residents lists communities already keep (CSV or .xlsx).

A file is checked as a whole before anything is written: every row is parsed and validated with
the wire schema, and every bad row is reported with its line number and reason. Column headers
may be in Chinese (as the communities' spreadsheets have them) or in English; the export of
residents writes the same headers, so an export can be edited and imported again.
"""
from __future__ import annotations

import base64
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import legacy, vocabulary
from shared import protocol as p
from shared.schemas import ResidentDataSchema

from ..models import Resident
from .access import Scope
from .cells import uninert
from .i18n import current_locale
from .i18n import gettext as _

MAX_ROWS = 20_000
#: Lines read at most, empty ones included (a sheet can claim a million empty rows).
MAX_LINES = 2 * MAX_ROWS
#: Columns read at most: the roster has 13; more are reported as unknown, up to this many.
MAX_COLUMNS = 64
MAX_FILE_BYTES = 3 * 1024 * 1024
#: What a .xlsx may unpack to, all its parts together: our own export of 20,000 residents
#: unpacks to ~18 MB.
MAX_XLSX_UNPACKED_BYTES = 48 * 1024 * 1024

#: (field, Chinese header, English header); "grid" is the grid's code or name.
COLUMNS = (
    ("grid", "网格", "grid"),
    ("name", "姓名", "name"),
    ("sex", "性别", "sex"),
    ("birth_year", "出生年份", "birth_year"),
    ("address", "地址", "address"),
    ("phone", "电话", "phone"),
    ("emergency_contact", "紧急联系人", "emergency_contact"),
    ("emergency_phone", "紧急联系电话", "emergency_phone"),
    ("care_categories", "关爱类别", "care_categories"),
    ("ability_level", "能力等级", "ability_level"),
    ("visit_cadence_days", "走访周期(天)", "visit_cadence_days"),
    ("safety_devices", "安全设备", "safety_devices"),
    ("care_notes", "照护备注", "care_notes"),
)
REQUIRED_COLUMNS = ("name", "sex", "birth_year", "address")
#: Optional: names a resident already on the roster (the resident export writes it). A row that
#: names an existing resident, by this id or by the same name and address, and gives another
#: grid moves that resident there with their whole history; its other cells change nothing.
IDENTITY_COLUMN = ("resident_id", "居民编号", "resident_id")
#: Headers of rosters written before 关爱类别 and the five ability levels: still read, mapped as
#: the old protocol's fields are (shared/legacy.py).
LEGACY_COLUMNS = (("living_situation", "居住情况", "living_situation"),
                  ("care_level", "照护等级", "care_level"))

SEX_WORDS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
LIVING_WORDS = {"独居": p.ALONE, "空巢": p.EMPTY_NEST, "高龄": p.AGED_80_PLUS, "失能": p.DISABLED}
CARE_WORDS = {"自理": "self_care", "半护理": "assisted", "协助": "assisted",
              "全护理": "full_care", "全护": "full_care"}
DEVICE_WORDS = {"跌倒报警器": "fall_alarm", "烟感报警器": "smoke_detector", "烟感": "smoke_detector",
                "燃气报警器": "gas_alarm", "紧急呼叫按钮": "emergency_button",
                "紧急呼叫": "emergency_button", "门磁": "door_sensor"}
#: Chinese words for each code, for writing files people read (the first word is the label).
CATEGORY_WORDS = {**{zh: code for code, (zh, _en) in vocabulary.WORDS["care_category"].items()},
                  "失能": p.CareCategory.DISABLED.value, "失智": p.CareCategory.DISABLED.value,
                  "特困": p.CareCategory.DESTITUTE.value}
CODE_WORDS = {code: word for words in (LIVING_WORDS, CARE_WORDS, DEVICE_WORDS)
              for word, code in reversed(list(words.items()))}
_LIST_SPLIT = re.compile(r"[、,，;；/\s]+")


def _header_map(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column index of each known field, and the headers nobody knows."""
    names = {}
    for field_name, zh, en in COLUMNS + (IDENTITY_COLUMN,) + LEGACY_COLUMNS:
        names[zh] = field_name
        names[en] = field_name
        names[zh.replace("(天)", "")] = field_name
    found, unknown = {}, []
    for index, header in enumerate(headers):
        key = (header or "").strip()
        if key in names or key.lower() in names:
            found.setdefault(names.get(key) or names[key.lower()], index)
        elif key:
            unknown.append(key)
    return found, unknown


@dataclass
class RosterRow:
    line: int
    name: str = ""  # as written in the file, to point at the row even when it is invalid
    grid_id: int | None = None
    grid_label: str = ""
    fields: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: The id written in the file's resident id column, if any.
    given_id: str = ""
    #: Set when the row moves a resident already on the roster: who, and from which grid.
    resident_id: str | None = None
    moves_from: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def is_move(self) -> bool:
        return self.resident_id is not None


@dataclass
class RosterCheck:
    filename: str
    rows: list[RosterRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.valid]

    @property
    def bad_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.valid]

    @property
    def moves(self) -> list[RosterRow]:
        return [row for row in self.valid_rows if row.is_move]

    @property
    def all_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.bad_rows


class TooManyRows(ValueError):
    """The file has more rows than one import takes; reading stopped there."""


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The file's cells as text, row by row (line 1 is the header).

    Reads row by row and stops as soon as the file has more than :data:`MAX_ROWS` residents
    (raising :class:`TooManyRows`), so a huge file costs no more than the limit. The text an
    export neutralised (``'=…``) comes back as it was typed.
    """
    table: list[list[str]] = []
    filled = 0
    for line, cells in enumerate(_rows(filename, content), start=1):
        if line > 1 and any(cell.strip() for cell in cells):
            filled += 1
        if filled > MAX_ROWS or line > MAX_LINES:
            raise TooManyRows(_("Too many rows (at most %(max)s).", max=MAX_ROWS))
        table.append([uninert(cell) for cell in cells])
    return table


def _rows(filename: str, content: bytes) -> Iterator[list[str]]:
    if filename.lower().endswith(".xlsx"):
        yield from _xlsx_rows(content)
        return
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("The file is neither UTF-8 nor GBK text."))
    for row in csv.reader(io.StringIO(text)):
        yield row[:MAX_COLUMNS]


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _check_unpacked_size(content)
    # read_only: openpyxl parses the sheet as it is iterated, never the whole of it at once.
    # (A sheet that does not state its size, as Excel's always do, gets one extra streaming pass
    # while loading, to measure it; the unpacked-size limit bounds that pass too.)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # the library's reason is English and technical
        raise ValueError(_unreadable()) from error
    try:
        rows = iter(())
        if workbook.worksheets:  # a workbook without a sheet reads as an empty file
            rows = workbook.worksheets[0].iter_rows(max_row=MAX_LINES + 1, max_col=MAX_COLUMNS,
                                                    values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise ValueError(_unreadable()) from error
            yield ["" if cell is None else _cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _unreadable() -> str:
    return _("The spreadsheet is damaged or not a spreadsheet; save it again from Excel or WPS, "
             "or as CSV.")


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a .xlsx whose parts unpack to more than the limit, before parsing any of them.

    A few hundred kB of compressed XML can unpack to gigabytes. The sizes come from the zip's
    directory; Python's zipfile never unpacks more than the size stated there.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ValueError(_("This is not an .xlsx file; save it again from Excel or WPS, or "
                           "as CSV.")) from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TooManyRows(_("The spreadsheet is too large once unpacked (at most %(mb)s MB); "
                            "split it into several files.",
                            mb=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)))


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split_codes(text: str, words: dict[str, str], allowed, label: str, errors: list[str]):
    codes = []
    for part in filter(None, _LIST_SPLIT.split(text)):
        code = words.get(part, part.lower())
        if code not in allowed:
            errors.append(_("%(column)s: unknown value “%(value)s”", column=label, value=part))
        elif code not in codes:
            codes.append(code)
    return codes


def field_label(field_name: str) -> str:
    labels = {"grid": _("Grid"), "name": _("Name"), "sex": _("Sex"),
              "birth_year": _("Birth year"), "address": _("Address"), "phone": _("Phone"),
              "emergency_contact": _("Emergency contact"),
              "emergency_phone": _("Emergency phone"),
              "visit_cadence_days": _("Visit every (days)"),
              "safety_devices": _("Safety devices"), "care_notes": _("Care notes"),
              "status": _("Status"), "resident_id": _("Resident ID")}
    return labels.get(field_name) or vocabulary.label("field", field_name, current_locale())


def schema_message(message: str) -> str:
    """marshmallow's English messages, in the page's language where we know them."""
    known = {"Missing data for required field.": _("Missing data for required field."),
             "Not a valid integer.": _("Not a valid integer."),
             "String does not match expected pattern.": _("Not a valid phone number.")}
    if message in known:
        return known[message]
    if message.startswith("Must be greater than or equal to"):
        return _("Out of range.")
    if message.startswith("Length must be between"):
        return _("Too long or empty.")
    if message.startswith("Must be one of"):
        return _("Not an allowed value.")
    return message


def _row_fields(cells: list[str], columns: dict[str, int], errors: list[str]) -> dict:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    fields: dict = {}
    for name in ("name", "address", "phone", "emergency_contact", "emergency_phone",
                 "care_notes"):
        value = cell(name)
        if value:  # an empty required cell is left out, so the schema says it is missing
            fields[name] = value
    sex = cell("sex")
    if sex:
        fields["sex"] = SEX_WORDS.get(sex.lower(), sex)
    for name in ("birth_year", "visit_cadence_days"):
        text = cell(name)
        if text:
            # Text that is not a number goes to the schema as is, which names the error once.
            fields[name] = int(text) if re.fullmatch(r"[0-9]+", text) else text
    if cell("care_categories"):
        fields["care_categories"] = _split_codes(
            cell("care_categories"), CATEGORY_WORDS, p.CARE_CATEGORIES,
            field_label("care_categories"), errors)
    elif cell("living_situation"):
        fields.update(legacy.map_resident_data({"living_situation": _split_codes(
            cell("living_situation"), LIVING_WORDS, p.LIVING_SITUATIONS,
            vocabulary.label("field", "care_categories", current_locale()), errors)}))
    if cell("ability_level"):
        fields["ability_level"] = vocabulary.code_for("ability_level", cell("ability_level")) \
            or cell("ability_level")
    elif cell("care_level"):
        fields.update(legacy.map_resident_data({"care_level": CARE_WORDS.get(
            cell("care_level"), cell("care_level").lower())}))
    if cell("safety_devices"):
        fields["safety_devices"] = _split_codes(
            cell("safety_devices"), DEVICE_WORDS, p.SAFETY_DEVICES,
            field_label("safety_devices"), errors)
    return fields


_schema = ResidentDataSchema()


def check_roster(session: Session, scope: Scope, filename: str, content: bytes,
                 default_grid_id: int | None = None) -> RosterCheck:
    """Parse and validate a roster file. Writes nothing."""
    result = RosterCheck(filename)
    if len(content) > MAX_FILE_BYTES:
        result.file_errors.append(_("The file is too large (at most 3 MB)."))
        return result
    try:
        table = read_table(filename, content)
    except TooManyRows as error:
        result.file_errors.append(str(error))
        return result
    except Exception as error:  # a broken upload of any kind is the person's to fix
        result.file_errors.append(_("The file cannot be read: %(reason)s", reason=str(error)))
        return result
    if not table:
        result.file_errors.append(_("The file is empty."))
        return result
    columns, unknown = _header_map(table[0])
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if "grid" not in columns and default_grid_id is None:
        missing.insert(0, "grid")
    if missing:
        result.file_errors.append(_("Missing columns: %(columns)s",
                                    columns=", ".join(field_label(c) for c in missing)))
    if unknown:
        result.file_errors.append(_("Unknown columns: %(columns)s", columns=", ".join(unknown)))
    data_rows = [(line, cells) for line, cells in enumerate(table[1:], start=2)
                 if any((c or "").strip() for c in cells)]
    if result.file_errors:
        return result
    if not data_rows:
        result.file_errors.append(_("The file has no residents."))
        return result

    grids = {scope.areas[g].code: g for g in scope.grid_ids}
    by_name: dict[str, list[int]] = {}
    for grid_id in scope.grid_ids:
        by_name.setdefault(scope.areas[grid_id].name, []).append(grid_id)
    seen: dict[tuple, int] = {}
    for line, cells in data_rows:
        row = RosterRow(line)
        label = cells[columns["grid"]].strip() if "grid" in columns and \
            columns["grid"] < len(cells) else ""
        if label:
            row.grid_label = label
            candidates = [grids[label]] if label in grids else by_name.get(label, [])
            if len(candidates) == 1:
                row.grid_id = candidates[0]
            elif len(candidates) > 1:
                row.errors.append(_("Grid: the name “%(grid)s” is ambiguous; use its code.",
                                    grid=label))
            else:
                row.errors.append(_("Grid: “%(grid)s” is not a grid in your area.", grid=label))
        elif default_grid_id is not None and scope.allows_grid(default_grid_id):
            row.grid_id = default_grid_id
            row.grid_label = scope.areas[default_grid_id].code
        else:
            row.errors.append(f"{field_label('grid')}: {_('Missing data for required field.')}")
        fields = _row_fields(cells, columns, row.errors)
        id_index = columns.get("resident_id")
        row.given_id = cells[id_index].strip().lower() \
            if id_index is not None and id_index < len(cells) else ""
        row.name = fields.get("name", "")
        try:
            row.fields = _schema.load(fields)
        except ValidationError as error:
            for name, messages in sorted(error.messages.items()):
                text = " ".join(schema_message(m) for m in _flatten(messages))
                row.errors.append(f"{field_label(name)}: {text}")
        if row.grid_id is not None and row.fields:
            key = (row.grid_id, row.fields.get("name"), row.fields.get("address"))
            if key in seen:
                row.errors.append(_("Same name and address as line %(line)s.", line=seen[key]))
            else:
                seen[key] = line
        result.rows.append(row)
    _match_existing(session, scope, result)
    return result


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]


def _match_existing(session: Session, scope: Scope, result: RosterCheck) -> None:
    """Rows naming a resident already on the roster (in the importer's area): by the id
    column, or else by the same name and address. In the row's grid: already there, an error;
    in another grid: the row moves them."""
    rows = [row for row in result.rows if row.fields and row.grid_id is not None]
    given = sorted({row.given_id for row in rows if _is_uuid(row.given_id)})
    names = sorted({row.fields.get("name") for row in rows if not row.given_id})
    by_id, by_name = {}, {}
    columns = (Resident.id, Resident.grid_id, Resident.name, Resident.address)
    for start in range(0, len(given), 500):
        for found in session.execute(select(*columns).where(
                Resident.id.in_(given[start:start + 500]))):
            by_id[found.id] = found
    for start in range(0, len(names), 500):
        for found in session.execute(select(*columns).where(
                Resident.name.in_(names[start:start + 500]))):
            if scope.allows_grid(found.grid_id):
                by_name.setdefault((found.name, found.address), []).append(found)
    moved: dict[str, int] = {}
    for row in rows:
        if row.given_id:
            found = by_id.get(row.given_id)
            if found is None or not scope.allows_grid(found.grid_id):
                row.errors.append(_("Resident ID: no such resident in your area."))
                continue
            if found.name != row.fields.get("name"):
                row.errors.append(_("Resident ID: this ID is %(name)s's, not this row's.",
                                    name=found.name))
                continue
        else:
            matches = by_name.get((row.fields.get("name"), row.fields.get("address")), [])
            if not matches:
                continue
            if len(matches) > 1:
                row.errors.append(_("Several residents on the roster have this name and "
                                    "address; give the resident ID."))
                continue
            found = matches[0]
        if found.grid_id == row.grid_id:
            row.errors.append(_("Already on the roster (same name and address)."))
        elif found.id in moved:
            row.errors.append(_("Same resident as line %(line)s.", line=moved[found.id]))
        else:
            moved[found.id] = row.line
            row.resident_id, row.moves_from = found.id, found.grid_id


def _is_uuid(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                             text))


# ---- carrying the file from the preview to the import ---------------------------------------

def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="knockdoor-roster-import")


def pack_upload(secret_key: str, filename: str, content: bytes) -> str:
    """The uploaded file, signed, for the preview form to send back with the import button.

    Carried by the page rather than kept on the server, so any app host can finish the import
    and nothing personal lingers on disk.
    """
    data = base64.b64encode(zlib.compress(content, 6)).decode()
    return _serializer(secret_key).dumps({"name": filename, "data": data})


def unpack_upload(secret_key: str, token: str, max_age: int = 3600) -> tuple[str, bytes]:
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature as error:
        raise ValueError(_("The preview has expired; upload the file again.")) from error
    return payload["name"], zlib.decompress(base64.b64decode(payload["data"]))
