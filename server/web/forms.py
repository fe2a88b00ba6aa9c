"""Reading the web forms into validated values. The wire schemas are the one source of rules."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError

from shared import punctuation
from shared import resident_fields as rf
from shared.schemas import ResidentDataSchema

from .i18n import current_locale
from .i18n import gettext as _
from .roster import field_label, schema_message

# How the form sends each resident field, read from the fields' one declaration.
LIST_FIELDS = {f.name for f in rf.FIELDS if f.kind == rf.CHOICES}
INT_FIELDS = {f.name for f in rf.FIELDS if f.kind == rf.NUMBER}
NULLABLE_FIELDS = {f.name for f in rf.FIELDS if f.nullable}


def field_kind(name: str) -> str | None:
    """What a resident field's control is (shared.resident_fields' kinds); None: not one."""
    field = rf.BY_NAME.get(name)
    return field.kind if field else None


_partial_schema = ResidentDataSchema(partial=True)


def raw_field_value(form, name: str, prefix: str = ""):
    """One resident field as the form sent it, shaped for the schema (not yet validated)."""
    key = prefix + name
    if name in LIST_FIELDS:
        return [v for v in form.getlist(key) if v]
    text = (form.get(key) or "").strip()
    if name in NULLABLE_FIELDS and text == "":
        return None
    if name in INT_FIELDS:
        try:
            return int(text)
        except ValueError:
            return text  # the schema names the error
    return text


def validate_resident_fields(values: dict) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) using the wire schema's partial form."""
    try:
        return _partial_schema.load(values), {}
    except ValidationError as error:
        return {}, {name: " ".join(schema_message(m) for m in _messages(messages))
                    for name, messages in error.messages.items()}


def _messages(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _messages(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _messages(value)]
    return [str(messages)]


def changed_fields(resident, clean: dict) -> dict:
    return {name: value for name, value in clean.items() if getattr(resident, name) != value}


def error_lines(errors: dict[str, str]) -> list[str]:
    locale = current_locale()
    return [punctuation.labelled(field_label(name), message, locale)
            for name, message in sorted(errors.items())]


def parse_date(text: str | None, default: date | None = None) -> date | None:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def required_text(form, name: str, label: str, errors: list[str], max_len: int = 64) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        errors.append(_("%(field)s: Missing data for required field.", field=label))
    elif len(value) > max_len:
        errors.append(_("%(field)s: Too long or empty.", field=label))
    return value
