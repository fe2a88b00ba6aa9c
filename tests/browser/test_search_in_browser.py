"""A supervisor finds residents from the residents list's search box, in real Chromium."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from testkit.web_live_server import sign_in

pytestmark = pytest.mark.browser


def search(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}/residents?show=all")
    page.fill("input[name=q]", query)
    page.click("form button[type=submit]:has-text('筛选')")
    expect(page.locator("input[name=q]")).to_have_value(query)
    return [text.strip() for text in
            page.locator("a[href^='/residents/']").all_inner_texts()]


def test_the_search_box_finds_by_mixed_pinyin_address_code_and_phone_tail(page, live):
    base, scenario, _ = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/residents")
    placeholder = page.locator("input[name=q]").get_attribute("placeholder")
    assert "电话后四位" in placeholder
    assert search(page, base, "zhang lx") == ["张利霞"]
    assert search(page, base, "3-2-401") == ["张利霞"]
    assert search(page, base, "0001") == ["张利霞"]
    assert search(page, base, "zhaoGF") == []  # 赵桂芳 is in another community
