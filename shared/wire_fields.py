"""The field types and checks of the wire schemas (shared/schemas.py re-exports them): text
that every database can store, UUIDs and days as text, the instants a device may claim."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .clock import utcnow

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PHONE_RE = re.compile(r"^[0-9+\- ]{3,20}\Z")


#: Instants a device may claim (``device_time``) and dates it may set: a tablet whose clock
#: reset to 1970 still delivers its visits (the skew correction dates them), while year 1 or
#: 9999 (which overflow on conversion) and other nonsense are refused, naming the field.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST_INSTANT = datetime(2199, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
_INSTANT_RANGE = validate.Range(EARLIEST_INSTANT, LATEST_INSTANT,
                                error="Must be between 1970-01-01 and 2199-12-31 (UTC).")
_DATE_RANGE = validate.Range(EARLIEST_INSTANT.date(), LATEST_INSTANT.date(),
                             error="Must be between 1970-01-01 and 2199-12-31.")

#: Areas, people and other rows the server numbers have 32-bit ids on every database.
MAX_ROW_ID = 2**31 - 1

#: What no database should store and no encoder can write: NUL (PostgreSQL refuses it in text)
#: and UTF-16 surrogates not in a pair (no UTF-8 encoding exists for them).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    found = UNSTORABLE.search(value)
    if found is None:
        return None
    return "Must not contain a NUL character." if found.group() == "\x00" else \
        "Not valid Unicode text (an unpaired surrogate)."


def printable(text: str) -> str:
    """``text`` made safe to store and to encode as UTF-8 (for messages that quote input)."""
    if UNSTORABLE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


class Plaintext(fields.String):
    """A string that can be stored on every database and encoded as UTF-8."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class UUIDText(Plaintext):
    """A UUID kept as its lower-case text."""

    default_error_messages = {"invalid_uuid": "Not a valid UUID."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).lower()
        if not UUID_RE.fullmatch(text):
            raise self.make_error("invalid_uuid")
        return text


class DateText(Plaintext):
    """A calendar day kept as its ISO text (``2026-11-24``), as stored and sent."""

    default_error_messages = {"invalid_day": "Must be a date written as YYYY-MM-DD."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise self.make_error("invalid_day")
        _DATE_RANGE(day)
        return text


class NotAfterThisYear(validate.Range):
    """A year from ``min`` to the current year, reckoned when the value is checked (not when the
    module was imported: a server runs across New Year). "This year" anywhere on Earth: a zone
    is at most 14 hours ahead of UTC."""

    def __init__(self, min: int) -> None:
        super().__init__(min, None)

    @property
    def max(self) -> int:
        return (utcnow() + timedelta(hours=14)).year

    @max.setter
    def max(self, _value) -> None:
        pass  # always the current year


def one_of(choices):
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def Text(max_len: int, *, required=False, min_len=0, **kw):  # noqa: N802 - a field factory
    return Plaintext(required=required, validate=validate.Length(min=min_len, max=max_len),
                         **kw)
