"""Reading a roster file into rows of cell text: CSV (UTF-8, GBK, GB18030), .xlsx, .xls.

Cells come back as the text a person sees: a date cell as 1946-05-20, a whole number without
``.0``, and a number too long for Excel to hold exactly (an ID number typed without the text
format) as Excel shows it, 4.10902194611021E+17, so that it is recognised as untrustworthy.
"""
from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time

from .problems import N_

MAX_ROWS = 20_000
#: Lines read at most, empty ones included (a sheet can claim a million empty rows).
MAX_LINES = 2 * MAX_ROWS
#: Columns read at most; a roster has a dozen or two.
MAX_COLUMNS = 64
MAX_FILE_BYTES = 3 * 1024 * 1024
#: What a .xlsx may unpack to, all its parts together: our own export of 20,000 residents
#: unpacks to ~18 MB.
MAX_XLSX_UNPACKED_BYTES = 48 * 1024 * 1024
#: Excel holds 15 significant digits: a longer whole number has lost its last ones.
EXACT_DIGITS = 15
#: Encodings tried in turn: Excel and WPS in China save CSV as GBK (GB18030 is its superset).
ENCODINGS = ("utf-8-sig", "gb18030")

SPREADSHEET_SUFFIXES = (".xlsx", ".xls", ".csv")


class Unreadable(ValueError):
    """The file is not one we can read; the message is an English msgid to translate."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if abs(value) >= 10 ** EXACT_DIGITS:
            return f"{value:.{EXACT_DIGITS - 1}E}"  # as Excel shows it: digits already lost
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return str(value).strip()


def decode(content: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("The file is neither UTF-8 nor GBK text.")


def rows(filename: str, content: bytes) -> Iterator[list[str]]:
    """The file's rows as cell text, first sheet only."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        yield from _xlsx_rows(content)
    elif name.endswith(".xls"):
        yield from _xls_rows(content)
    else:
        for row in csv.reader(io.StringIO(decode(content))):
            yield row[:MAX_COLUMNS]


UNREADABLE = N_("The spreadsheet is damaged or not a spreadsheet; save it again from Excel or "
                 "WPS, or as CSV.")


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    check_unpacked_size(content)
    # read_only: openpyxl parses the sheet as it is iterated, never the whole of it at once.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # the library's reason is English and technical
        raise Unreadable(UNREADABLE) from error
    try:
        found = iter(())
        if workbook.worksheets:  # a workbook without a sheet reads as an empty file
            found = workbook.worksheets[0].iter_rows(max_row=MAX_LINES + 1,
                                                     max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(found)
            except StopIteration:
                return
            except Exception as error:
                raise Unreadable(UNREADABLE) from error
            yield [cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _xls_rows(content: bytes) -> Iterator[list[str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception as error:
        raise Unreadable(UNREADABLE) from error
    for index in range(min(sheet.nrows, MAX_LINES + 1)):
        cells = []
        for cell in sheet.row(index)[:MAX_COLUMNS]:
            value = cell.value
            if cell.ctype == xlrd.XL_CELL_DATE:
                with contextlib.suppress(xlrd.xldate.XLDateError):  # Excel cannot show it
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
            cells.append(cell_text(value))
        yield cells


def check_unpacked_size(content: bytes) -> None:
    """Refuse a .xlsx whose parts unpack to more than the limit, before parsing any of them.

    A few hundred kB of compressed XML can unpack to gigabytes. The sizes come from the zip's
    directory; Python's zipfile never unpacks more than the size stated there.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise Unreadable("This is not an .xlsx file; save it again from Excel or WPS, or "
                         "as CSV.") from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TooLarge(MAX_XLSX_UNPACKED_BYTES // (1024 * 1024))


class TooLarge(ValueError):
    """A .xlsx that unpacks to more than the limit (``megabytes``)."""

    def __init__(self, megabytes: int) -> None:
        super().__init__(megabytes)
        self.megabytes = megabytes
