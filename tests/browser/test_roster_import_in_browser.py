"""The roster import in Chromium: a hand-typed GBK roster goes in at the first upload; an .xlsx
with a title row and a column the reader does not know is corrected in the preview, without
choosing the file again, and imported."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import Resident
from testkit.web_live_server import sign_in

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parents[1] / "fixtures" / "rosters"


def residents(database_url: str, *names: str) -> dict[str, Resident]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = {r.name: r for r in session.scalars(select(Resident).where(
            Resident.name.in_(names)))}
        session.expunge_all()
    engine.dispose()
    return found


def choose(page, name: str) -> None:
    page.set_input_files("input[type=file]", str(CORPUS / name))
    page.click("button:has-text('检查文件')")


def upload(page, live, name: str) -> None:
    """The 昆吾社区 supervisor signs in and checks the corpus file ``name`` on the import page."""
    base, scenario, _database_url = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/import")
    choose(page, name)


def test_a_hand_typed_gbk_roster_goes_in_at_the_first_upload(page, live):
    _base, scenario, database_url = live
    upload(page, live, "03_hand_typed_gbk.csv")
    expect(page.locator("#import-summary")).to_contain_text("有效 3 行")
    expect(page.locator("table.bad-rows")).to_have_count(0)
    page.click("#import-all")
    expect(page.locator(".flash.ok")).to_contain_text("3")
    found = residents(database_url, "卜凤兰", "臧明", "冉淑芳")
    assert set(found) == {"卜凤兰", "臧明", "冉淑芳"}
    assert found["冉淑芳"].grid_id == scenario.grids["kunwu2"].id


def test_a_column_is_corrected_in_the_preview_and_the_file_is_kept(page, live):
    _base, scenario, database_url = live
    upload(page, live, "15_unknown_column.xlsx")
    expect(page.locator("#skipped")).to_contain_text("表头在第 2 行")
    mapping = page.locator("#column-mapping tr[data-column='4']")
    expect(mapping).to_contain_text("家属电话")
    expect(mapping.locator("select")).to_have_value("")
    mapping.locator("select").select_option("emergency_phone")
    page.click("#recheck")  # the same file, checked again: no file chosen this time
    expect(page.locator("#column-mapping tr[data-column='4'] select")).to_have_value(
        "emergency_phone")
    page.click("#import-all")
    expect(page.locator(".flash.ok").first).to_be_visible()
    assert residents(database_url, "池玉兰")["池玉兰"].emergency_phone == "13903931501"
