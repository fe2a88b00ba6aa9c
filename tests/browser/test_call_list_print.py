"""The call list printed from real Chromium: the list and its write-in column, nothing else."""
from __future__ import annotations

import pytest

from testkit.web_live_server import sign_in

pytestmark = pytest.mark.browser


def test_printing_the_call_list_shows_only_the_list(page, live):
    base, scenario, _ = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/")
    page.click("#call-list-no-answer")  # one click from the dashboard
    assert page.locator("table.call-list tbody tr").count() == 1
    assert page.locator("header.top").is_visible() and page.locator("form.filters").is_visible()
    assert not page.locator("th.print-only").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("form.filters").is_visible()
    assert not page.locator("#call-sheet-xlsx").is_visible()
    assert page.locator("table.call-list").is_visible()
    assert page.locator("th.print-only").is_visible()  # 联系结果, to write in by hand
    assert "长庆路12号院5号楼1单元102" in page.locator("table.call-list").inner_text()
