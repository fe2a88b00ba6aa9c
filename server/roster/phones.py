"""Phone numbers as rosters hold them: mobiles, landlines with or without an area code."""
from __future__ import annotations

import re

from .problems import Problem
from .text import compact

_SEPARATORS = re.compile(r"[\-()—–.·]")
#: Mainland mobiles: 11 digits, 13x … 19x.
MOBILE = re.compile(r"1[3-9]\d{9}")
#: A landline: area code 0 + 2 or 3 digits, then 7 or 8 digits; or 7 or 8 digits without one.
LANDLINE = re.compile(r"(0\d{2,3})?([2-9]\d{6,7})")
_SPLIT = re.compile(r"[,，;；/、]")


def parse_phone(value) -> str:
    """One phone number, written the way the tablet dials it: ``13812345678`` or
    ``0371-12345678``. Raises :class:`Problem` saying what is wrong."""
    typed = compact(value)
    digits = _SEPARATORS.sub("", typed)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits.isdigit():
        raise Problem("“%(value)s” is not a phone number.", value=typed)
    if digits.startswith("1"):
        if len(digits) != 11:
            raise Problem("“%(value)s”: a mobile number has 11 digits, this one has %(count)s.",
                          value=typed, count=len(digits))
        if not MOBILE.fullmatch(digits):
            raise Problem("“%(value)s”: a mobile number starts with 13 to 19.", value=typed)
        return digits
    match = LANDLINE.fullmatch(digits)
    if not match:
        raise Problem("“%(value)s” is not a phone number: a landline is an area code "
                      "(0…) and 7 or 8 digits, a mobile 11 digits.", value=typed)
    area, number = match.groups()
    return f"{area}-{number}" if area else number


def split_phones(value) -> list[str]:
    """The numbers in a cell that holds several (``138…, 0371-…``)."""
    return [part for part in (p.strip() for p in _SPLIT.split(str(value or ""))) if part]
