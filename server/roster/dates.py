"""Birth dates in every form people type them, and Excel's own."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .problems import Problem
from .text import compact

#: Excel's day 0 (its serial numbers count from here; the 1900 leap-year bug is before 1 March
#: 1900, long before anyone on a roster was born).
EXCEL_EPOCH = date(1899, 12, 30)
FIRST_YEAR = 1880

_FULL = re.compile(r"(\d{4})[年./\-](\d{1,2})[月./\-](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?")
_MONTH = re.compile(r"(\d{4})[年./\-](\d{1,2})月?")
_YEAR = re.compile(r"(\d{4})年?")
_DIGITS = re.compile(r"(\d{1,8})(?:\.0+)?")


@dataclass(frozen=True)
class Birth:
    """A birth date as precise as the roster gives it."""

    year: int
    month: int | None = None
    day: int | None = None

    def text(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def agrees_with(self, other: Birth) -> bool:
        """True unless the two say different things where both are precise."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        return all(a is None or b is None or a == b for a, b in pairs)


def _checked(year: int, month: int | None, day: int | None, typed: str) -> Birth:
    if month is not None and not 1 <= month <= 12:
        raise Problem("“%(value)s” is not a date: there is no month %(month)s.",
                      value=typed, month=month)
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise Problem("“%(value)s” is not a date: that month has no day %(day)s.",
                      value=typed, day=day)
    if year < FIRST_YEAR:
        raise Problem("“%(value)s” is not a birth date.", value=typed)
    return Birth(year, month, day)


def parse_birth(value) -> Birth:
    """1938.11.02, 1938/11/2, 1938-11-02, 1946年5月20日, 1946年5月, 194605, 19460520, 1946,
    an Excel date cell (read as 1946-05-20) or an Excel serial number (16942). Raises
    :class:`Problem` naming an impossible date (month 13, 30 February)."""
    typed = compact(value)
    if match := _FULL.fullmatch(typed):
        return _checked(int(match[1]), int(match[2]), int(match[3]), typed)
    if match := _MONTH.fullmatch(typed):
        return _checked(int(match[1]), int(match[2]), None, typed)
    if match := _YEAR.fullmatch(typed):
        return _checked(int(match[1]), None, None, typed)
    if match := _DIGITS.fullmatch(typed):
        digits = match[1]
        if len(digits) == 8:
            return _checked(int(digits[:4]), int(digits[4:6]), int(digits[6:]), typed)
        if len(digits) == 6:
            return _checked(int(digits[:4]), int(digits[4:]), None, typed)
        number = int(digits)
        if 1 <= number <= 73_000:  # an Excel serial number: days since 1899-12-30, to ~2099
            day = EXCEL_EPOCH + timedelta(days=number)
            return _checked(day.year, day.month, day.day, typed)
    raise Problem("“%(value)s” is not a date (write it like 1946-05-20).", value=typed)


def birth_from_date(day: date) -> Birth:
    return Birth(day.year, day.month, day.day)
