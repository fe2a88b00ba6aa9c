"""Chinese resident ID numbers (GB 11643-1999): check digit, birth date and sex.

Knockdoor never stores the number (docs/security.md): only :func:`keyed_hash` of it, to find the
same person twice, and the birth date and sex read from it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from .dates import Birth
from .problems import Problem
from .text import compact

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_NUMBER = re.compile(r"\d{17}[0-9X]")
_OLD_NUMBER = re.compile(r"\d{15}")
#: How Excel shows a long number it has turned into a float: 4.10902E+17, 4.10902194611021e17.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d+")


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth: Birth
    sex: str  # "M" or "F"


def check_character(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are ``first17``."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def masked(typed: str) -> str:
    """An ID number as a page may show it: the region and the last four, 410902********108X."""
    if len(typed) < 10 or _SCIENTIFIC.fullmatch(typed):
        return typed
    return typed[:6] + "*" * (len(typed) - 10) + typed[-4:]


def _untrustworthy(typed: str) -> Problem:
    return Problem("“%(value)s”: Excel stored this ID number as a number and lost its last "
                   "digits, so it cannot be trusted. Format the column as text and type the "
                   "numbers again.", value=masked(typed))


def parse_id(value, numeric_cell: bool = False) -> IdNumber:
    """The ID number in a cell, checked. ``numeric_cell``: the spreadsheet stored it as a number
    (Excel keeps 15 significant digits, so an 18-digit number has lost its last ones)."""
    typed = compact(value).upper()
    if _SCIENTIFIC.fullmatch(typed) or re.fullmatch(r"\d{16,18}\.0+", typed):
        raise _untrustworthy(typed)
    if _OLD_NUMBER.fullmatch(typed):  # first generation: YYMMDD, no check digit
        first17 = typed[:6] + "19" + typed[6:]
        typed_number = first17 + check_character(first17)
    elif _NUMBER.fullmatch(typed):
        typed_number = typed
        if numeric_cell or (typed.endswith("000") and
                            check_character(typed[:17]) != typed[17]):
            raise _untrustworthy(typed)
        if check_character(typed[:17]) != typed[17]:
            raise Problem("“%(value)s”: the check digit (the last character) does not match; a "
                          "digit is mistyped.", value=masked(typed))
    else:
        raise Problem("“%(value)s” is not an ID number: it has 18 characters (the last may be "
                      "X), here %(count)s.", value=masked(typed), count=len(typed))
    year, month, day = int(typed_number[6:10]), int(typed_number[10:12]), int(typed_number[12:14])
    try:
        date(year, month, day)
    except ValueError:
        raise Problem("“%(value)s”: the birth date in this ID number (%(date)s) does not exist.",
                      value=masked(typed), date=typed_number[6:14]) from None
    sex = "M" if int(typed_number[16]) % 2 else "F"
    return IdNumber(typed_number, Birth(year, month, day), sex)


def keyed_hash(secret: str | bytes, number: str) -> str:
    """HMAC-SHA256 of the number under the server's secret: equal numbers give equal hashes,
    and without the secret a hash cannot be turned back into a number by trying them all."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, b"knockdoor-id:" + number.encode(), hashlib.sha256).hexdigest()
