"""A roster spreadsheet cannot exhaust a worker: it is read as a stream and stops at the limits.

A .xlsx is a zip of XML: a few hundred kB can unpack to gigabytes. The import checks what the
parts unpack to before parsing any of them, and reads rows one at a time, stopping at the row
limit without reading the rest.
"""
from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook

from server.roster import sheet as roster

SHEET = "xl/worksheets/sheet1.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData>')
TAIL = "</sheetData></worksheet>"
HEADERS = ("网格", "姓名", "性别", "出生年份", "地址")


def row_xml(number: int, values) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{escape(str(v))}</t>'
                    f"</is></c>" for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def xlsx_with_sheet(chunks) -> bytes:
    """A real workbook whose first sheet's XML is ``chunks``, streamed into the zip."""
    book = Workbook()
    book.active.append(["x"])
    template = io.BytesIO()
    book.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            for chunk in chunks:
                sheet.write(chunk.encode())
    return out.getvalue()


def check(as_user, scenario, content: bytes, measure: bool = False):
    """The preview's answer, and the peak memory it took (when ``measure``)."""
    web = as_user("kunwu_sup")
    if measure:
        tracemalloc.start()
    try:
        response = web.post("/import", data={
            "file": (io.BytesIO(content), "名册.xlsx"),
            "default_grid": str(scenario.grids["kunwu1"].id)},
            content_type="multipart/form-data")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def bomb_chunks(megabytes: int):
    yield HEAD + row_xml(1, HEADERS)
    yield '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    block = "张" * (1024 * 1024 // 3)
    for _ in range(megabytes):
        yield block
    yield "</t></is></c></row>" + TAIL


def test_a_zip_bomb_is_refused_before_it_is_unpacked(as_user, scenario, db_session):
    content = xlsx_with_sheet(bomb_chunks(megabytes=160))
    assert len(content) < 1024 * 1024  # small enough to upload: it is the unpacking that hurts
    response, peak = check(as_user, scenario, content, measure=True)
    assert response.status_code == 422
    assert "解压后太大" in response.get_data(as_text=True)
    assert peak < 32 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB while checking the file"


def test_reading_stops_at_the_row_limit_without_reading_the_rest(as_user, scenario, db_session):
    """Rows well past the limit are never parsed: here they are not even well-formed XML.
    (The XML parser reads ahead a little, hence a thousand good rows past the limit first.) The
    sheet states its size, as Excel and WPS always write it."""
    def chunks():
        yield HEAD.replace("<sheetData>", '<dimension ref="A1:E30000"/><sheetData>')
        yield row_xml(1, HEADERS)
        for number in range(2, roster.MAX_ROWS + 1000):
            yield row_xml(number, ("", f"居民{number}", "女", "1940", f"昆吾路{number}号"))
        yield "<row r='broken'><c><<<" * 1000  # never reached
    response, _peak = check(as_user, scenario, xlsx_with_sheet(chunks()))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf"行数(太多|过多)\s*[（(]最多\s*{roster.MAX_ROWS}\s*行", html), html[-2000:]


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_chinese(as_user, scenario, db_session):
    response, _peak = check(as_user, scenario, b"PK\x03\x04 not really a zip")
    assert response.status_code == 422
    assert "不是 .xlsx 文件" in response.get_data(as_text=True)


def test_a_damaged_sheet_is_explained_in_chinese(as_user, scenario):
    """Not the XML parser's English ("not well-formed (invalid token): line 1, column 9")."""
    content = xlsx_with_sheet([HEAD + row_xml(1, HEADERS) + "<row r='2'><c><<<"])
    response, _peak = check(as_user, scenario, content)
    assert response.status_code == 422
    [message] = re.findall(r'<p class="flash error">(.*?)</p>', response.get_data(as_text=True))
    words = re.sub(r"Excel|WPS|CSV|xlsx", "", message)  # product names may stay
    assert "重新保存" in message and not re.search(r"[A-Za-z]{4,}", words), message
