"""The district's settings of the three lists, read from the environment when asked.

``KNOCKDOOR_REQUEST_CATEGORIES``: the request categories, comma-separated codes (default:
shared.requests.DEFAULT_CATEGORIES). ``KNOCKDOOR_REQUEST_RESPONSE_HOURS``: a request claimed
(or assigned) within this many hours of being raised counts as answered in the response rate
(default 24).
"""
from __future__ import annotations

import os
import re

from shared.requests import DEFAULT_CATEGORIES

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def categories() -> tuple[str, ...]:
    raw = os.environ.get("KNOCKDOOR_REQUEST_CATEGORIES", "").strip()
    if not raw:
        return DEFAULT_CATEGORIES
    codes = tuple(code.strip() for code in raw.split(",") if code.strip())
    bad = [code for code in codes if not _CODE.match(code)]
    if bad or not codes:
        raise ValueError("KNOCKDOOR_REQUEST_CATEGORIES must be comma-separated codes of "
                         f"lower-case letters, digits and _, not {raw!r}.")
    return codes


def response_hours() -> int:
    raw = os.environ.get("KNOCKDOOR_REQUEST_RESPONSE_HOURS", "").strip()
    if not raw:
        return 24
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("KNOCKDOOR_REQUEST_RESPONSE_HOURS must be a whole number of at least "
                         f"1, not {raw!r}.")
    return int(raw)
