"""Cell text as people type it: full-width digits and letters, ideographic spaces."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value) -> str:
    """Full-width to half-width (NFKC: １３８ → 138, （ → (), every kind of space to one
    ordinary space, no spaces at the ends."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", text).strip()


def compact(value) -> str:
    """:func:`clean` without any space at all (for codes, numbers and headers)."""
    return clean(value).replace(" ", "")
