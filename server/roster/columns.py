"""Finding the header row of a roster and what each column holds."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared import resident_fields

from .text import compact

#: The import's own names for the resident fields it reads its own way (a birth date, or an ID
#: number, gives the birth year; the old words of categories and levels are mapped).
IMPORT_NAMES = {"birth_year": "birth", "care_categories": "living_situation",
                "ability_level": "care_level"}
#: Columns the import reads its own way (server.roster.rows). "seq" (序号) and "age" (年龄) are
#: recognised and not imported.
READ_OWN_WAY = ("grid", "name", "sex", "birth", "id_number", "address", "phone",
                "emergency_contact", "emergency_phone", "emergency_both", "living_situation",
                "care_level", "visit_cadence_days", "safety_devices", "care_notes", "resident_id",
                "seq", "age")
#: Resident fields the files carry that are read as plain values: any added to the files later
#: (shared/resident_fields.py) is imported with no code here.
PLAIN_FIELDS = tuple(field for field in resident_fields.IN_FILES
                     if IMPORT_NAMES.get(field.name, field.name) not in READ_OWN_WAY)
#: What a column can hold.
FIELDS = READ_OWN_WAY + tuple(field.name for field in PLAIN_FIELDS)
IGNORED_FIELDS = ("seq", "age")
REQUIRED_FIELDS = ("name", "sex", "birth", "address")

#: The names communities give each column (compared without spaces, case or *).
COLUMN_WORDS = {
    "grid": ("网格", "所属网格", "网格名称", "网格编号", "网格号", "所在网格", "grid"),
    "name": ("姓名", "老人姓名", "居民姓名", "名字", "name"),
    "sex": ("性别", "sex"),
    "birth": ("出生日期", "出生年月", "出生年份", "出生年月日", "出生年", "出生时间", "生日",
              "出生日期(年月日)", "birth_year", "birthyear", "birthdate", "dateofbirth"),
    "id_number": ("身份证号", "身份证号码", "身份证", "公民身份号码", "身份证件号码", "证件号码",
                  "身份证号(18位)", "idnumber", "id_number"),
    "address": ("住址", "家庭住址", "地址", "现住址", "居住地址", "详细地址", "家庭地址",
                "现居住地址", "住址(门牌号)", "address"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "本人电话", "本人联系电话",
              "联系方式", "电话号码", "固定电话", "本人手机", "phone"),
    "emergency_contact": ("紧急联系人", "联系人", "监护人", "子女姓名", "联系人姓名",
                          "紧急联系人姓名", "emergency_contact"),
    "emergency_phone": ("紧急联系电话", "紧急联系人电话", "联系人电话", "监护人电话", "子女电话",
                        "子女联系电话", "紧急电话", "emergency_phone"),
    "emergency_both": ("紧急联系人及电话", "紧急联系人(及电话)", "联系人及电话",
                       "紧急联系人/电话", "紧急联系人和电话", "监护人及电话", "子女及电话"),
    "living_situation": ("居住情况", "类别", "老人类别", "人员类别", "居住状况", "关爱类别",
                         "居住类型", "特殊情况", "老人类型", "living_situation",
                         "care_categories"),
    "care_level": ("照护等级", "自理能力", "能力等级", "care_level", "ability_level"),
    "visit_cadence_days": ("走访周期", "走访周期(天)", "visit_cadence_days"),
    "safety_devices": ("安全设备", "safety_devices"),
    "care_notes": ("备注", "照护备注", "说明", "care_notes"),
    "resident_id": ("居民编号", "resident_id"),
    "seq": ("序号", "编号", "序", "no", "no.", "#"),
    "age": ("年龄", "岁数", "age"),
}
#: Every resident field in the files is also known by its own words (the export's headers).
_OWN_WORDS = {IMPORT_NAMES.get(field.name, field.name): (field.zh, field.en, field.name)
              for field in resident_fields.IN_FILES}
_LOOKUP = {compact(word).lower(): name
           for name, words in [*_OWN_WORDS.items(), *COLUMN_WORDS.items()] for word in words}
_NOISE = re.compile(r"[*:：]")
_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")
#: How far down a title, a note and a header may go.
HEADER_SCAN_ROWS = 15


def column_field(header) -> str | None:
    """The field a column name means, or None."""
    key = _NOISE.sub("", compact(header)).lower()
    if not key:
        return None
    for candidate in (key, _BRACKETED.sub("", key), re.sub(r"[()\[\]【】]", "", key)):
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
    return None


@dataclass
class Header:
    """Where the header is (0-based rows of the table) and what each column holds."""

    row: int
    data_start: int
    labels: list[str]
    fields: list[str | None]
    #: Columns whose field was set by the supervisor in the preview.
    chosen: set[int] = field(default_factory=set)

    def column_of(self, name: str) -> int | None:
        return self.fields.index(name) if name in self.fields else None

    def missing(self) -> list[str]:
        have = set(self.fields)
        return [name for name in REQUIRED_FIELDS if name not in have]


def _matches(row: list[str]) -> list[str | None]:
    return [column_field(cell) for cell in row]


def _is_header_line(row: list[str]) -> bool:
    """Every filled cell names a column (a second header line, not data)."""
    filled = [cell for cell in row if compact(cell)]
    return bool(filled) and all(column_field(cell) for cell in filled)


def find_header(table: list[list[str]]) -> Header | None:
    """The row naming the most known columns within the first rows, merged with a second
    header line below or above it (cells merged across two rows). None: no header found."""
    best, best_score = None, 1
    for index, row in enumerate(table[:HEADER_SCAN_ROWS]):
        score = len({f for f in _matches(row) if f})
        if score > best_score:
            best, best_score = index, score
    if best is None:
        return None
    width = max(len(row) for row in table[:best + 2])
    labels = [compact(cell) for cell in table[best]] + [""] * (width - len(table[best]))
    data_start = best + 1
    below = table[best + 1] if best + 1 < len(table) else []
    if _is_header_line(below):  # 联系方式 over 本人电话 | 子女电话
        for column, cell in enumerate(below):
            if compact(cell):
                labels[column] = compact(cell)
        data_start = best + 2
    above = table[best - 1] if best > 0 else []
    if _is_header_line(above):  # 姓名 merged down over two header rows
        for column, cell in enumerate(above):
            if compact(cell) and column < width and not labels[column]:
                labels[column] = compact(cell)
    fields, seen = [], set()
    for label in labels:
        name = column_field(label)
        if name in seen and name not in IGNORED_FIELDS:
            name = None  # the first column of a kind is read; the supervisor may change that
        seen.add(name)
        fields.append(name)
    return Header(best, data_start, labels, fields)


def apply_choices(header: Header, choices: dict[int, str]) -> None:
    """The supervisor's corrections from the preview: column index → field ("" = not
    imported). A field chosen for one column is taken from any other that had it."""
    for column, name in choices.items():
        if not 0 <= column < len(header.fields) or (name and name not in FIELDS):
            continue
        if name and name not in IGNORED_FIELDS:
            header.fields = [None if f == name else f for f in header.fields]
        header.fields[column] = name or None
        header.chosen.add(column)


#: Words that start a footer row: totals, who made the table, when, signatures.
FOOTER_WORDS = ("合计", "总计", "小计", "共计", "制表人", "制表", "填表人", "填表日期", "填报人",
                "填报日期", "审核人", "审核", "负责人", "统计人", "统计日期", "单位盖章", "盖章",
                "注:", "说明:", "备注:")


def is_footer(row: list[str], name_column: int | None) -> bool:
    """A totals or signature row: a cell starts with a footer word and the name cell holds no
    name (it is empty or is the footer word itself)."""
    cells = [compact(cell) for cell in row]
    if not any(cell.startswith(FOOTER_WORDS) for cell in cells):
        return False
    name = cells[name_column] if name_column is not None and name_column < len(cells) else ""
    return not name or name.startswith(FOOTER_WORDS)


def is_blank(row: list[str], header: Header) -> bool:
    """Nothing but the row number (序号) and age, or nothing at all."""
    return not any(compact(cell) for column, cell in enumerate(row)
                   if column >= len(header.fields) or header.fields[column] not in IGNORED_FIELDS)
