"""One roster row's cells to Knockdoor's resident fields (pure)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from shared import protocol as p
from shared import resident_fields, vocabulary

from .columns import PLAIN_FIELDS, Header
from .dates import Birth, parse_birth
from .idnumber import parse_id
from .phones import parse_phone, split_phones
from .problems import N_, Problem
from .text import clean, compact

from .words import CARE_WORDS, DEVICE_WORDS, KEEP_AS_NOTE, living_code, sex_code

_LIST_SPLIT = re.compile(r"[、,，;；/\s]+")
_ITEM_SPLIT = re.compile(r"[、,，;；/]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PHONE_IN_TEXT = re.compile(r"\+?[0-9][0-9\-() ]{5,}[0-9]")
#: msgids of the web catalog
SEX_NAMES = {"M": N_("male"), "F": N_("female")}


@dataclass
class RowReading:
    """What a row says, and what is wrong with it, column by column."""

    fields: dict = field(default_factory=dict)
    #: (column index, problem): the row cannot be imported as it is.
    problems: list[tuple[int | None, Problem]] = field(default_factory=list)
    #: (column index, problem): imported, but the supervisor should look.
    warnings: list[tuple[int | None, Problem]] = field(default_factory=list)
    grid_label: str = ""
    birth: Birth | None = None
    id_hash: str | None = None
    #: Living-situation words nobody has mapped yet.
    unknown_living: list[str] = field(default_factory=list)
    given_id: str = ""


def _name(text: str) -> str:
    # Two-character names are often typed with a space to line up with three-character ones.
    return compact(text) if _CJK.search(text) else clean(text)


def _split_contact(text: str) -> tuple[str, str]:
    """李明 13912345678, 李明(儿子)139…, 女儿王芳/138… → (name, phone text)."""
    typed = clean(text)
    match = _PHONE_IN_TEXT.search(typed)
    if not match:
        return typed, ""
    name = (typed[:match.start()] + typed[match.end():]).strip(" /,，;；:：-")
    return name, match[0]


def read_row(cells: list[str], header: Header, hasher: Callable[[str], str],
             living_choices: dict[str, str] | None = None) -> RowReading:
    """The row's fields for the resident schema; ``hasher`` turns an ID number into its keyed
    hash; ``living_choices`` are the supervisor's meanings for unknown living-situation words."""
    reading = RowReading()

    def cell(name: str) -> tuple[int | None, str]:
        column = header.column_of(name)
        if column is None or column >= len(cells):
            return column, ""
        return column, str(cells[column] or "")

    fields, notes = reading.fields, []
    column, text = cell("name")
    if compact(text):
        fields["name"] = _name(text)
    column, text = cell("address")
    if clean(text):
        fields["address"] = clean(text)
    column, text = cell("grid")
    reading.grid_label = clean(text)
    column, text = cell("resident_id")
    reading.given_id = compact(text).lower()

    sex_column, text = cell("sex")
    if compact(text):
        code = sex_code(text)
        if code:
            fields["sex"] = code
        else:
            reading.problems.append((sex_column, Problem(
                "“%(value)s” is not a sex (write 男 or 女).", value=clean(text))))
    birth_column, text = cell("birth")
    if compact(text):
        try:
            reading.birth = parse_birth(text)
            fields["birth_year"] = reading.birth.year
        except Problem as problem:
            reading.problems.append((birth_column, problem))

    id_column, text = cell("id_number")
    if compact(text):
        try:
            number = parse_id(text)
        except Problem as problem:
            reading.problems.append((id_column, problem))
        else:
            reading.id_hash = hasher(number.number)
            if reading.birth is None and "birth_year" not in fields:
                reading.birth = number.birth
                fields["birth_year"] = number.birth.year
            elif reading.birth is not None and not reading.birth.agrees_with(number.birth):
                reading.warnings.append((id_column, Problem(
                    "The ID number says born %(id_date)s, the birth date column %(date)s.",
                    id_date=number.birth.text(), date=reading.birth.text())))
            if "sex" not in fields:
                fields["sex"] = number.sex
            elif fields["sex"] != number.sex:
                reading.warnings.append((id_column, Problem(
                    "The ID number says %(id_sex)s, the sex column %(sex)s.",
                    translated=("id_sex", "sex"), id_sex=SEX_NAMES[number.sex],
                    sex=SEX_NAMES[fields["sex"]])))

    for name, target in (("phone", "phone"), ("emergency_phone", "emergency_phone")):
        column, text = cell(name)
        numbers = split_phones(text)
        if numbers:
            try:
                fields[target] = parse_phone(numbers[0])
            except Problem as problem:
                reading.problems.append((column, problem))
            if len(numbers) > 1:
                notes.append(f"{header.labels[column]}: {'、'.join(numbers[1:])}")
    column, text = cell("emergency_contact")
    if clean(text):
        fields["emergency_contact"] = clean(text)
    column, text = cell("emergency_both")
    if clean(text):
        name, phone = _split_contact(text)
        if name:
            fields.setdefault("emergency_contact", name)
        if phone and "emergency_phone" not in fields:
            try:
                fields["emergency_phone"] = parse_phone(phone)
            except Problem as problem:
                reading.problems.append((column, problem))

    column, text = cell("living_situation")
    if clean(text):
        codes = []
        for word in _items(text, lambda w: _category_code(w, living_choices)):
            code = _category_code(word, living_choices)
            if code is None:
                reading.unknown_living.append(compact(word))
                reading.problems.append((column, Problem(
                    "“%(value)s” is not one of Knockdoor's living situations: choose what it "
                    "means above the table.", value=compact(word))))
            elif code == KEEP_AS_NOTE:
                notes.append(f"{header.labels[column]}: {compact(word)}")
            elif code not in codes:
                codes.append(code)
        fields["living_situation"] = codes
    column, text = cell("care_level")
    if compact(text):
        fields["care_level"] = CARE_WORDS.get(compact(text)) \
            or vocabulary.code_for("ability_level", text) or compact(text).lower()
    column, text = cell("safety_devices")
    if clean(text):
        devices = []
        for word in _items(text, _device_code):
            code = _device_code(word) or word.lower()
            if code not in p.SAFETY_DEVICES:
                reading.problems.append((column, Problem(
                    "“%(value)s” is not a safety device Knockdoor knows.", value=word)))
            elif code not in devices:
                devices.append(code)
        fields["safety_devices"] = devices
    column, text = cell("visit_cadence_days")
    if compact(text):
        fields["visit_cadence_days"] = int(compact(text)) if compact(text).isdigit() \
            else compact(text)
    column, text = cell("care_notes")
    if clean(text):
        notes.insert(0, clean(text))
    if notes:
        fields["care_notes"] = "\n".join(notes)
    for plain in PLAIN_FIELDS:
        column, text = cell(plain.name)
        if clean(text):
            fields[plain.name] = plain_value(plain, text)
    return reading


def _items(text: str, known: Callable[[str], str | None]) -> list[str]:
    """A list cell's items: split at 、 , ; /, and at spaces only within an item no word is
    known for (独居 空巢 is two items; "Living alone", as the English export writes it, one)."""
    items = []
    for item in filter(None, (piece.strip() for piece in _ITEM_SPLIT.split(clean(text)))):
        items += [item] if known(item) else list(filter(None, _LIST_SPLIT.split(item)))
    return items


def _category_code(word: str, chosen: dict[str, str] | None) -> str | None:
    return living_code(word, chosen) or vocabulary.code_for("care_category", word)


def _device_code(word: str) -> str | None:
    return DEVICE_WORDS.get(word) or vocabulary.code_for("device", word)


def plain_value(field, text: str):
    """A cell of a resident field read as a plain value: a number, the code of a word (or the
    word itself, for the schema to name), a list of codes, or the text. The schema checks it."""
    if field.kind == resident_fields.NUMBER:
        return int(compact(text)) if compact(text).isdigit() else compact(text)
    if field.kind == resident_fields.CHOICE:
        return vocabulary.code_for(field.codes, text) or clean(text)
    if field.kind == resident_fields.CHOICES:
        return [vocabulary.code_for(field.codes, word) or word
                for word in filter(None, _LIST_SPLIT.split(clean(text)))]
    return clean(text)
