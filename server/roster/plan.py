"""A roster file checked against the database: what importing it would change. Writes nothing.

Each row of the sheet becomes a :class:`RosterRow`: a new resident, a resident already on the
roster (unchanged, or with cells that differ: updated only if the supervisor chooses so), a
resident of another grid of the area (moved), or a row with problems, each problem named by the
sheet's own row number and column name in the supervisor's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from shared import legacy, resident_fields
from shared.schemas import ResidentDataSchema

from ..web.access import Scope
from ..web.cells import uninert
from ..web.i18n import gettext as _
from ..web.roster import field_label, schema_message
from . import columns as col
from . import sheet
from .existing import address_key, match_existing
from .grids import GridChoice, match_grid
from .idnumber import keyed_hash
from .rows import read_row
from .text import compact


@dataclass
class Choices:
    """What the supervisor corrected in the preview."""

    #: column index → field ("" = not imported)
    columns: dict[int, str] = field(default_factory=dict)
    #: unknown living-situation word → code, or words.KEEP_AS_NOTE
    living: dict[str, str] = field(default_factory=dict)
    default_grid: int | None = None


@dataclass
class RosterRow:
    line: int  # the sheet's own row number
    name: str = ""
    grid_id: int | None = None
    grid_label: str = ""
    fields: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    given_id: str = ""
    id_hash: str | None = None
    #: A resident of another grid of the area that the row moves here.
    resident_id: str | None = None
    moves_from: int | None = None
    #: The same resident already in the row's grid, and the fields the file would change.
    existing_id: str | None = None
    changes: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def is_move(self) -> bool:
        return self.resident_id is not None

    @property
    def is_existing(self) -> bool:
        return self.existing_id is not None

    @property
    def is_new(self) -> bool:
        return not self.is_move and not self.is_existing


@dataclass
class RosterCheck:
    filename: str
    rows: list[RosterRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    header: col.Header | None = None
    #: Sheet row numbers of footer rows (合计, 制表人 …) and blank rows: not people.
    footer_lines: list[int] = field(default_factory=list)
    blank_rows: int = 0
    #: Living-situation words the table does not know, with how many rows use each.
    unknown_living: dict[str, int] = field(default_factory=dict)
    #: Column index → a few values, for the mapping preview.
    samples: dict[int, list[str]] = field(default_factory=dict)

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
    def new_rows(self) -> list[RosterRow]:
        return [row for row in self.valid_rows if row.is_new]

    @property
    def updates(self) -> list[RosterRow]:
        """Rows of residents already in their grid whose cells differ."""
        return [row for row in self.valid_rows if row.is_existing and row.changes]

    @property
    def unchanged(self) -> list[RosterRow]:
        return [row for row in self.valid_rows if row.is_existing and not row.changes]

    @property
    def warned_rows(self) -> list[RosterRow]:
        return [row for row in self.valid_rows if row.warnings]

    @property
    def all_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.bad_rows


class TooManyRows(ValueError):
    """The file has more rows than one import takes; reading stopped there."""


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The file's cells as text, row by row. Stops as soon as the file has more than
    :data:`sheet.MAX_ROWS` filled rows (raising :class:`TooManyRows`), so a huge file costs no
    more than the limit. Text an export neutralised (``'=…``) comes back as it was typed."""
    table: list[list[str]] = []
    filled = 0
    try:
        for line, cells in enumerate(sheet.rows(filename, content), start=1):
            if any(cell.strip() for cell in cells):
                filled += 1
            if filled > sheet.MAX_ROWS + 1 or line > sheet.MAX_LINES:
                raise TooManyRows(_("Too many rows (at most %(max)s).", max=sheet.MAX_ROWS))
            table.append([uninert(cell) for cell in cells])
    except sheet.TooLarge as error:
        raise TooManyRows(_("The spreadsheet is too large once unpacked (at most %(mb)s MB); "
                            "split it into several files.", mb=error.megabytes)) from error
    except sheet.Unreadable as error:
        raise ValueError(_(str(error))) from error
    return table


def field_name(name: str | None) -> str:
    """A field's name in the page's language, for the mapping preview."""
    names = {"grid": _("Grid"), "name": _("Name"), "sex": _("Sex"),
             "birth": _("Birth date"), "id_number": _("ID number"), "address": _("Address"),
             "phone": _("Phone"), "emergency_contact": _("Emergency contact"),
             "emergency_phone": _("Emergency phone"),
             "emergency_both": _("Emergency contact and phone"),
             "living_situation": _("Living situation"), "care_level": _("Care level"),
             "visit_cadence_days": _("Visit every (days)"),
             "safety_devices": _("Safety devices"), "care_notes": _("Notes"),
             "resident_id": _("Resident ID"), "seq": _("Row number (not imported)"),
             "age": _("Age (not imported)")}
    if name in names:
        return names[name]
    return field_label(name) if name in resident_fields.BY_NAME else _("Not imported")


#: The schema field each sheet field is checked as (for naming the column of an error).
_SCHEMA_SOURCES = {"birth_year": ("birth", "id_number"), "sex": ("sex", "id_number"),
                   "phone": ("phone",), "emergency_phone": ("emergency_phone", "emergency_both"),
                   "emergency_contact": ("emergency_contact", "emergency_both")}

_schema = ResidentDataSchema()


def _grid_choices(scope: Scope) -> list[GridChoice]:
    choices = []
    for grid_id in sorted(scope.grid_ids):
        area = scope.areas[grid_id]
        parent = scope.areas.get(area.parent_id)
        choices.append(GridChoice(grid_id, area.code, area.name, parent.name if parent else ""))
    return choices


def check_roster(session: Session, scope: Scope, filename: str, content: bytes,
                 id_hash_key: str, choices: Choices | None = None) -> RosterCheck:
    """Read and check a roster file against the database. Writes nothing."""
    choices = choices or Choices()
    result = RosterCheck(filename)
    if len(content) > sheet.MAX_FILE_BYTES:
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
    if not any(any(compact(c) for c in row) for row in table):
        result.file_errors.append(_("The file is empty."))
        return result
    header = col.find_header(table)
    if header is None:
        result.file_errors.append(_(
            "No header row found: the first rows must name the columns (姓名, 性别, 出生日期, "
            "住址 …). Download the template to see them."))
        return result
    col.apply_choices(header, choices.columns)
    result.header = header
    for row in table[header.data_start:header.data_start + 3]:
        for index, cell in enumerate(row):
            if compact(cell):
                result.samples.setdefault(index, []).append(cell)
    missing = header.missing()
    if "grid" not in header.fields and choices.default_grid is None:
        missing.insert(0, "grid")
    if "birth" in missing and "id_number" in header.fields:
        missing.remove("birth")  # read from the ID number
    if "sex" in missing and "id_number" in header.fields:
        missing.remove("sex")
    if missing:
        result.file_errors.append(_(
            "No column for: %(columns)s. Choose the column that holds it in the table of "
            "columns below, or add it to the file.",
            columns=_("、").join(field_name(c) for c in missing)))
    grids = _grid_choices(scope)
    hasher = partial(keyed_hash, id_hash_key)
    seen: dict[tuple, int] = {}
    name_column = header.column_of("name")
    for line, cells in enumerate(table[header.data_start:], start=header.data_start + 1):
        if col.is_blank(cells, header):
            result.blank_rows += 1
            continue
        if col.is_footer(cells, name_column):
            result.footer_lines.append(line)
            continue
        if result.file_errors:
            continue
        result.rows.append(_check_row(line, cells, header, hasher, choices, grids, scope,
                                      result, seen))
    if not result.file_errors and not result.rows:
        result.file_errors.append(_("The file has no residents."))
    if not result.file_errors:
        match_existing(session, scope, result.rows)
    return result


def _label(header: col.Header, column: int | None, fallback: str) -> str:
    if column is not None and column < len(header.labels) and header.labels[column]:
        return header.labels[column]
    return field_name(fallback)


def _check_row(line, cells, header, hasher, choices, grids, scope, result, seen) -> RosterRow:
    reading = read_row(cells, header, hasher, choices.living)
    row = RosterRow(line, name=reading.fields.get("name", ""), grid_label=reading.grid_label,
                    given_id=reading.given_id, id_hash=reading.id_hash)
    for word in reading.unknown_living:
        result.unknown_living[word] = result.unknown_living.get(word, 0) + 1
    read_badly = {column for column, _problem in reading.problems}
    for column, problem in reading.problems:
        row.errors.append(_("%(column)s: %(problem)s", column=_label(header, column, ""),
                            problem=problem.text(_)))
    for column, problem in reading.warnings:
        row.warnings.append(_("%(column)s: %(problem)s", column=_label(header, column, ""),
                              problem=problem.text(_)))
    grid_column = header.column_of("grid")
    if row.grid_label:
        found = match_grid(row.grid_label, grids)
        if len(found) == 1:
            row.grid_id = found[0].id
        elif found:
            row.errors.append(_("%(column)s: “%(grid)s” could be %(grids)s; write the "
                                "community's name too, or the grid's code.",
                                column=_label(header, grid_column, "grid"), grid=row.grid_label,
                                grids=_("、").join(g.name for g in found)))
        else:
            row.errors.append(_("%(column)s: “%(grid)s” is not a grid in your area (yours: "
                                "%(grids)s).", column=_label(header, grid_column, "grid"),
                                grid=row.grid_label,
                                grids=_("、").join(g.name for g in grids[:6])
                                + ("…" if len(grids) > 6 else "")))
    elif choices.default_grid is not None and scope.allows_grid(choices.default_grid):
        row.grid_id = choices.default_grid
        row.grid_label = scope.areas[choices.default_grid].name
    else:
        row.errors.append(_("%(column)s: empty; write the grid, or choose a grid for rows "
                            "without one.", column=_label(header, grid_column, "grid")))
    try:
        # Read in the old fields' shape, checked in today's (关爱类别, ability levels).
        row.fields = _schema.load(legacy.map_resident_data(reading.fields))
    except ValidationError as error:
        for name, messages in sorted(error.messages.items()):
            sources = _SCHEMA_SOURCES.get(name, (name,))
            column = next((header.column_of(s) for s in sources
                           if header.column_of(s) is not None), None)
            if column is not None and column in read_badly:
                continue  # already said what is wrong with that cell
            text = " ".join(schema_message(m) for m in _flatten(messages))
            row.errors.append(_("%(column)s: %(problem)s",
                                column=_label(header, column, sources[0]), problem=text))
    if row.grid_id is not None and row.fields:
        keys = [("person", row.grid_id, row.fields.get("name"), row.fields.get("birth_year"),
                 address_key(row.fields.get("address")))]
        if row.id_hash:
            keys.append(("id", row.id_hash))
        earlier = next((seen[key] for key in keys if key in seen), None)
        if earlier is not None:
            row.errors.append(_("Same person as row %(line)s of the sheet.", line=earlier))
        else:
            for key in keys:
                seen[key] = line
    return row


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flatten(value)]
    return [str(messages)]
