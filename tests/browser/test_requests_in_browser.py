"""The three lists in real Chromium against a real server process: a supervisor raises a
request on the board and hands it to a department with a deadline in working days; the
department's staff answer it from their inbox; the board filters it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from server.threelists.models import Department, DepartmentStaff
from shared import protocol as p
from shared import requests as r
from testkit.factories import make_person

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from testkit.web_live_server import running_server, seeded_database
    from testkit.web_scenario import build_scenario

    def seed(session):
        scenario = build_scenario(session)
        housing = Department(code="housing", name="区住建局", active=True)
        session.add(housing)
        session.flush()
        clerk = make_person(session, "fang", r.DEPARTMENT, display_name="房管所王科长")
        session.add(DepartmentStaff(person_id=clerk.id, department_id=housing.id))
        make_person(session, "rep_k", p.REPRESENTATIVE, [scenario.grids["kunwu1"]],
                    display_name="黄代表")
        return scenario

    folder = tmp_path_factory.mktemp("live-requests")
    database_url, scenario = seeded_database(folder / "server.db", seed)
    with running_server(database_url, folder / "server.log") as base:
        yield base, scenario


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")


def test_board_hand_over_and_inbox(page, live):
    base, scenario = live
    sign_in(page, base, "kunwu_sup", scenario.password)
    expect(page.locator(".who")).to_be_visible()
    page.click("nav.main-nav >> text=需求单")
    expect(page.locator("h1")).to_contain_text("需求单")
    # Raise one from a phone call, on the board.
    form = page.locator("#raise-request")
    form.locator("select[name=grid_id]").select_option(label="昆吾社区第1网格")
    form.locator("select[name=category]").select_option(label="维修")
    form.locator("select[name=urgency]").select_option(label="紧急")
    form.locator("textarea[name=description]").fill("单元门禁坏了，老人进出不便")
    form.locator("button[type=submit]").click()
    expect(page.locator("#request-state")).to_have_text("待认领")
    request_url = page.url

    # Hand it to the housing department with 3 working days.
    hand_over = page.locator("#hand-over-form")
    hand_over.locator("select[name=department_id]").select_option(label="区住建局")
    hand_over.locator("input[name=working_days]").fill("3")
    hand_over.locator("textarea[name=text]").fill("请尽快派人维修")
    hand_over.locator("button[type=submit]").click()
    expect(page.locator("#request-state")).to_have_text("已转交部门")
    expect(page.locator("#request-department")).to_contain_text("区住建局")
    expect(page.locator("#request-department")).to_contain_text("3个工作日")
    expect(page.locator("#timeline")).to_contain_text("请尽快派人维修")

    # The board filters it: by department, by category; not among the closed ones.
    page.goto(f"{base}/requests")
    page.locator("#board-filters select[name=state]").select_option(label="部门办理中")
    page.locator("#board-filters select[name=department]").select_option(label="区住建局")
    page.locator("#board-filters button[type=submit]").click()
    expect(page.locator("#requests tbody")).to_contain_text("单元门禁坏了")
    page.locator("#board-filters select[name=category]").select_option(label="助餐")
    page.locator("#board-filters button[type=submit]").click()
    expect(page.locator("#requests tbody")).to_contain_text("这里没有需求单。")

    # The department's staff: their inbox only.
    page.click("header form[action$='/logout'] button")
    sign_in(page, base, "fang", scenario.password)
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("#inbox")).to_contain_text("单元门禁坏了")
    page.click("#inbox >> text=单元门禁坏了")
    page.locator("#accept-form button[type=submit]").click()
    expect(page.locator("#request-state")).to_have_text("部门已受理")
    page.locator("#dept_progress-form textarea[name=text]").fill("已派电工，明天上门")
    page.locator("#dept_progress-form button[type=submit]").click()
    expect(page.locator("#request-state")).to_have_text("部门办理中")
    page.locator("#dept_done-form button[type=submit]").click()
    expect(page.locator("#request-state")).to_have_text("已办好，待居民评价")
    expect(page.locator("#timeline")).to_contain_text("已派电工，明天上门")
    assert page.goto(request_url.replace("/requests/", "/inbox/")).status == 200
    page.goto(f"{base}/")  # nothing else: sent to sign in
    expect(page).to_have_url(re.compile(r"/login"))
