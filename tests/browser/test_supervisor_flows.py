"""The supervisor web view in real Chromium, against a real server process on 127.0.0.1."""
from __future__ import annotations

import io
import uuid

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import AuditEntry, Resident
from shared.clock import isoformat, utcnow
from testkit.web_live_server import sign_in

pytestmark = pytest.mark.browser


def tile_number(page, tile_id: str) -> str:
    return page.locator(f"#{tile_id} .big").inner_text().strip()


def tablet_login(base: str, username: str, password: str, device_id: str | None = None) -> str:
    response = requests.post(f"{base}/api/v1/auth/login", json={
        "protocol": 2, "username": username, "password": password,
        "device_id": device_id or str(uuid.uuid4()), "device_name": "测试平板"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def tablet_pull(base: str, token: str) -> requests.Response:
    return requests.post(f"{base}/api/v1/sync/pull", json={"protocol": 2, "cursor": None},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_dashboard_figures_equal_the_seeded_data(page, live):
    base, scenario, _ = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    expected = scenario.expected
    assert tile_number(page, "tile-coverage") == \
        f"{round(100 * expected.covered / expected.active)}%"
    assert tile_number(page, "tile-overdue") == str(expected.overdue)
    assert tile_number(page, "tile-follow-ups") == str(expected.follow_ups)
    assert tile_number(page, "tile-health") == str(expected.health_flags)
    assert tile_number(page, "tile-conflicts") == str(expected.open_conflicts)
    assert tile_number(page, "tile-stale") == str(expected.stale_tablets)
    bars = page.locator("rect.bar-rect[data-day]")  # the 30 days, not the monthly trend
    assert bars.count() == 30
    assert sum(int(bars.nth(i).get_attribute("data-count")) for i in range(30)) == \
        expected.visits_30_days
    page.click("#tile-coverage")  # every number opens the list behind it
    names = page.locator("table.list tbody td:first-child a").all_inner_texts()
    assert sorted(names) == sorted(["张利霞", "李桂兰", "刘德华"])
    expect(page.locator("#result-count")).to_have_text(str(expected.covered))


def test_sign_in_and_scope_by_link_and_by_url(page, live):
    base, scenario, _ = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/residents?show=all")
    names = page.locator("table.list tbody td:first-child a").all_inner_texts()
    assert "张利霞" in names and "赵桂芳" not in names and "孙玉兰" not in names
    page.click("text=张利霞")
    expect(page.locator("h1")).to_contain_text("张利霞")
    response = page.goto(f"{base}/residents/{scenario.residents['zhao'].id}")
    assert response.status == 404
    assert "赵桂芳" not in page.content()
    response = page.goto(f"{base}/grids/{scenario.grids['pushang1'].id}")
    assert response.status == 404
    page.goto(f"{base}/")
    page.click("button:has-text('退出')")
    expect(page.locator("h1")).to_have_text("登录")
    page.goto(f"{base}/residents/{scenario.residents['zhang'].id}")
    assert page.url.startswith(f"{base}/login")


def test_settled_conflict_reaches_a_tablet(page, live):
    base, scenario, _ = live
    li = scenario.residents["li"]
    first_sync = tablet_pull(base, tablet_login(base, "vol_a", scenario.password)).json()
    base_version = next(c["data"]["version"] for c in first_sync["changes"]
                        if c["entity"] == "resident" and c["id"] == li.id)
    for username, phone in (("vol_a", "13011110001"), ("vol_b", "13022220002")):
        token = tablet_login(base, username, scenario.password)
        now = isoformat(utcnow())
        pushed = requests.post(f"{base}/api/v1/sync/push", headers={
            "Authorization": f"Bearer {token}"}, json={"protocol": 2, "device_time": now, "ops": [{
                "op_id": str(uuid.uuid4()), "seq": 1, "entity": "resident", "action": "update",
                "entity_id": li.id, "grid_id": li.grid_id, "base_version": base_version,
                "device_time": now, "data": {"phone": phone}}]}, timeout=10)
        assert pushed.status_code == 200, pushed.text
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/conflicts")
    card = page.locator("article.conflict", has_text="李桂兰")
    expect(card).to_have_count(1)
    kept = card.locator("[data-side=kept]").inner_text()
    other = card.locator("[data-side=lost]").inner_text()
    assert {kept, other} == {"13011110001", "13022220002"}
    card.locator("button[value=lost]").click()
    expect(page.locator(".flash.ok")).to_be_visible()
    expect(page.locator("article.conflict", has_text="李桂兰")).to_have_count(0)
    records = tablet_pull(base, tablet_login(base, "vol_a", scenario.password)).json()
    pulled = next(c["data"] for c in records["changes"]
                  if c["entity"] == "resident" and c["id"] == li.id)
    assert pulled["phone"] == other


def test_revoking_a_tablet_is_confirmed_with_a_reason_then_refused(page, live):
    base, scenario, database_url = live
    device_id = str(uuid.uuid4())
    token = tablet_login(base, "vol_b", scenario.password, device_id)
    assert tablet_pull(base, token).status_code == 200
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/tablets")
    page.locator(f"button[data-revoke='{device_id}']").click()
    # Not revoked yet: a page says what will happen and asks why.
    consequences = page.locator("ul.consequences")
    expect(consequences).to_contain_text("清除")
    expect(consequences).to_contain_text("丢失")
    assert tablet_pull(base, token).status_code == 200
    confirm = page.locator("button[data-confirm]")
    expect(confirm).to_have_text("停用平板（未上传的记录会丢失）")
    confirm.click()  # no reason: the browser keeps the form, the server is not asked
    expect(page.locator("ul.consequences")).to_be_visible()
    assert tablet_pull(base, token).status_code == 200
    page.fill("textarea[name=reason]", "平板在小区里丢失")
    confirm.click()
    expect(page.locator(f"tr[data-device='{device_id}']")).to_have_class("inactive")
    refused = tablet_pull(base, token)
    assert refused.status_code == 401
    assert refused.json()["error"] == "device_revoked"
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            entry = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "revoke_device", AuditEntry.device_id == device_id)).one()
            assert entry.detail["reason"] == "平板在小区里丢失"
    finally:
        engine.dispose()


def test_roster_with_bad_rows_imports_nothing(page, live):
    base, scenario, database_url = live
    grid = scenario.grids["kunwu2"]
    roster = ("网格,姓名,性别,出生年份,地址,居住情况\n"
              f"{grid.code},褚秀珍,女,1942,绿城路5号101,独居\n"
              f"{grid.code},卫德明,男,一九四〇,绿城路5号102,空巢\n"
              f"{grid.code},蒋桂香,女,1944,,独居\n").encode("utf-8")
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/import")
    page.set_input_files("input[type=file]", {"name": "名册.csv", "mimeType": "text/csv",
                                              "buffer": roster})
    page.click("button:has-text('检查文件')")
    rows = page.locator("table.bad-rows tbody tr")
    expect(rows).to_have_count(2)
    assert [rows.nth(i).get_attribute("data-line") for i in range(2)] == ["3", "4"]
    assert "出生年份" in rows.nth(0).inner_text() and "地址" in rows.nth(1).inner_text()
    expect(page.locator("button[value=all]")).to_have_count(0)
    engine = make_engine(database_url)
    with Session(engine) as session:
        names = set(session.scalars(select(Resident.name).where(
            Resident.name.in_(["褚秀珍", "卫德明", "蒋桂香"]))))
    engine.dispose()
    assert names == set()


def test_export_opens_with_the_right_rows(page, live):
    base, scenario, _ = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    page.goto(f"{base}/export")
    page.select_option("select[name=kind]", "residents")
    page.select_option("select[name=area]", str(scenario.grids["kunwu1"].id))
    page.select_option("select[name=format]", "xlsx")
    with page.expect_download() as download_info:
        page.click("button:has-text('下载')")
    download = download_info.value
    assert download.suggested_filename.startswith("居民名册_")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    assert sheet.title == "居民名册"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1:3] == ("所属网格", "姓名")
    assert sorted(row[2] for row in rows[1:]) == sorted(["张利霞", "王秀英", "李桂兰", "陈玉珍"])
    assert {row[1] for row in rows[1:]} == {scenario.grids["kunwu1"].name}


def test_pages_fit_a_tablet_width(browser, live):
    base, scenario, _ = live
    context = browser.new_context(locale="zh-CN", viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in(page, base, "kunwu_sup", scenario.password)
    for path in ("/", f"/residents/{scenario.residents['zhang'].id}", "/conflicts", "/people"):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    context.close()


def test_moving_a_resident_to_another_grid(page, live):
    # Runs last: 孙玉兰 (绿城社区) is in no other test's lists.
    base, scenario, database_url = live
    sun = scenario.residents["sun"]
    target = scenario.grids["lvcheng2"]
    sign_in(page, base, "street_sup", scenario.password)
    page.goto(f"{base}/residents/{sun.id}")
    page.click("#move-link")
    expect(page.locator("#move-consequences")).to_contain_text("1 条走访记录")
    expect(page.locator("#move-consequences")).to_contain_text("绿城社区第1网格的平板下次更新后")
    page.select_option("select[name=to_grid]", str(target.id))
    page.fill("textarea[name=reason]", "网格调整")
    page.click("#move button.danger")
    expect(page.locator(".flash.ok")).to_contain_text("已迁移到绿城社区第2网格")
    expect(page.locator("#moves")).to_contain_text("从绿城社区第1网格迁到绿城社区第2网格")
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert session.get(Resident, sun.id).grid_id == target.id
    engine.dispose()
