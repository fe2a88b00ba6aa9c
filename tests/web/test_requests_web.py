"""The three lists in the web view: the board, a request's page and timeline, the hand-over to
a department with a working-day deadline, the department's inbox, and the three rates."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from server.models import Person
from server.threelists.models import Department, DepartmentStaff, ServiceRequest
from shared import protocol as p
from shared import requests as r
from testkit.factories import make_person
from testkit.web_helpers import WebClient, csrf_token, sign_in

# A Wednesday morning in the district, before the National Day holiday (1-7 October 2026;
# Saturday 10 October is worked instead).
WEDNESDAY = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def departments(db_session, scenario):
    housing = Department(code="housing", name="区住建局", active=True)
    health = Department(code="health", name="区卫健委", active=True)
    db_session.add_all([housing, health])
    db_session.flush()
    for username, name, department in (("fang", "房管所王科长", housing),
                                       ("wei", "卫健委李医生", health)):
        person = make_person(db_session, username, r.DEPARTMENT, display_name=name)
        db_session.add(DepartmentStaff(person_id=person.id, department_id=department.id))
    make_person(db_session, "rep_k", p.REPRESENTATIVE, [scenario.grids["kunwu1"]],
                display_name="黄代表")
    db_session.commit()
    return housing, health


def no_english(html: str) -> list[str]:
    """English words a Chinese reader would meet in the page's content (the header's
    language link, "English", is meant for those who want it)."""
    found = re.search(r"<main>(.*)</main>", html, flags=re.S)
    main = re.sub(r"<(script|style)\b.*?</\1>", "", found.group(1) if found else html,
                  flags=re.S)
    text = re.sub(r"<[^>]+>", " ", main)
    return [word for word in re.findall(r"[A-Za-z]{4,}", text)
            if word not in PRODUCT_NAMES]


#: Names of products and file formats, allowed in Chinese text (LANGUAGE.md, rule 1).
PRODUCT_NAMES = {"xlsx"}


class DepartmentClient(WebClient):
    """Department staff: signed in, sent to their inbox (the only page they have)."""

    def __init__(self, client, username: str, password: str) -> None:
        self.client = client
        response = sign_in(client, username, password)
        assert response.status_code == 302 and response.headers["Location"] == "/inbox"
        self.token = csrf_token(client, "/inbox")


def fresh(db_session, request_id) -> ServiceRequest:
    """The request as committed now (a new snapshot: SQLite keeps the old one otherwise)."""
    db_session.rollback()
    db_session.expire_all()
    return db_session.get(ServiceRequest, request_id)


def raise_on_web(web, grid_id, description="楼道灯坏了，晚上看不清台阶", **fields) -> str:
    response = web.post("/requests", data={"grid_id": grid_id, "category": "repairs",
                                           "description": description, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_the_loop_on_the_web_with_a_department(as_user, app, scenario, departments,
                                               db_session):
    housing, health = departments
    with time_machine.travel(WEDNESDAY, tick=False):
        kunwu = as_user("kunwu_sup")
        grid = scenario.grids["kunwu1"]
        request_id = raise_on_web(kunwu, grid.id, resident_id=scenario.residents["zhang"].id)
        board = kunwu.get("/requests").get_data(as_text=True)
        assert "楼道灯坏了" in board and "待认领" in board
        assert no_english(board) == []
        # 濮上's supervisor does not see it; its page answers like a missing one.
        pushang = as_user("pushang_sup")
        assert "楼道灯坏了" not in pushang.get("/requests").get_data(as_text=True)
        assert pushang.get(f"/requests/{request_id}").status_code == 404
        rep = db_session.scalar(select(Person.id)
                                .where(Person.username == "rep_k"))
        kunwu.post(f"/requests/{request_id}/move", data={"action": "assign",
                                                           "assignee_id": rep})
        response = kunwu.post(f"/requests/{request_id}/move", data={
            "action": "hand_over", "department_id": housing.id, "working_days": 1,
            "text": "请派人修灯"})
        assert response.status_code == 302
        page = kunwu.get(f"/requests/{request_id}").get_data(as_text=True)
        assert "已转交部门" in page and "黄代表" in page
        assert no_english(page) == []
    stored = fresh(db_session, request_id)
    # One working day after Wednesday 30 September is Thursday 8 October (the holiday).
    assert stored.due_on == date(2026, 10, 8) and stored.due_working_days == 1
    assert stored.state == r.HANDED_OVER and stored.owner_name == "黄代表"

    with time_machine.travel(datetime(2026, 10, 9, 2, tzinfo=timezone.utc), tick=False):
        fang = DepartmentClient(app.test_client(), "fang", scenario.password)
        inbox = fang.get("/inbox").get_data(as_text=True)
        assert "楼道灯坏了" in inbox and "已逾期" in inbox and no_english(inbox) == []
        wei = DepartmentClient(app.test_client(), "wei", scenario.password)
        assert "楼道灯坏了" not in wei.get("/inbox").get_data(as_text=True)
        assert wei.get(f"/inbox/{request_id}").status_code == 404
        assert wei.post(f"/inbox/{request_id}/move", data={"action": "accept"}).status_code \
            == 404
        for action, text in (("accept", ""), ("dept_progress", "已派电工"), ("dept_done", "")):
            response = fang.post(f"/inbox/{request_id}/move", data={"action": action,
                                                                     "text": text})
            assert response.status_code == 302
        page = fang.get(f"/inbox/{request_id}").get_data(as_text=True)
        assert "已办好，待居民评价" in page and "已派电工" in page and no_english(page) == []
        # Nothing but the inbox: the supervisors' pages send department staff to sign in.
        assert fang.get(f"/requests/{request_id}").status_code == 302
        assert fang.get("/").status_code == 302
        # The verdict from a call, in the web view: not satisfied reopens it.
        kunwu = as_user("kunwu_sup")
        kunwu.post(f"/requests/{request_id}/move", data={"action": "verdict",
                                                           "verdict": r.NOT_SATISFIED})
    stored = fresh(db_session, request_id)
    assert stored.state == r.REOPENED and stored.first_done_at is not None
    actions = [e["action"] for e in _timeline(db_session, request_id)]
    assert actions == [r.RAISE, r.ASSIGN, r.HAND_OVER, r.ACCEPT, r.DEPT_PROGRESS, r.DEPT_DONE,
                       r.VERDICT]


def _timeline(db_session, request_id):
    from server.threelists.board import timeline
    return [{"action": e.action, "via": e.via} for e in timeline(db_session, request_id)]


def test_a_department_that_cannot_returns_it_to_the_supervisor(as_user, app, scenario,
                                                               departments, db_session):
    housing, _health = departments
    kunwu = as_user("kunwu_sup")
    request_id = raise_on_web(kunwu, scenario.grids["kunwu1"].id, "邻居装修噪音")
    kunwu.post(f"/requests/{request_id}/move", data={
        "action": "hand_over", "department_id": housing.id, "working_days": 3})
    fang = DepartmentClient(app.test_client(), "fang", scenario.password)
    # Cannot needs a reason: refused, nothing changes.
    fang.post(f"/inbox/{request_id}/move", data={"action": "cannot", "text": ""})
    stored = fresh(db_session, request_id)
    assert stored.state == r.HANDED_OVER
    fang.post(f"/inbox/{request_id}/move", data={"action": "cannot", "text": "不属住建职责"})
    stored = fresh(db_session, request_id)
    assert stored.state == r.RETURNED
    assert "部门退回" in kunwu.get("/requests?state=returned").get_data(as_text=True)


@pytest.mark.parametrize("bad", [
    {"action": "hand_over", "department_id": "999", "working_days": "2"},
    {"action": "hand_over", "department_id": "", "working_days": "2"},
    {"action": "hand_over", "working_days": "0"},
    {"action": "hand_over", "working_days": "61"},
    {"action": "assign", "assignee_id": "1"},
    {"action": "fly"},
])
def test_bad_moves_change_nothing(as_user, scenario, departments, db_session, bad):
    housing, _ = departments
    kunwu = as_user("kunwu_sup")
    request_id = raise_on_web(kunwu, scenario.grids["kunwu1"].id)
    data = dict(bad)
    if data.get("department_id") is None and data["action"] == "hand_over":
        data["department_id"] = housing.id
    response = kunwu.post(f"/requests/{request_id}/move", data=data)
    assert response.status_code == 422
    assert no_english(response.get_data(as_text=True)) == []
    stored = fresh(db_session, request_id)
    assert stored.state == r.RAISED and stored.events_count == 1


def test_the_three_rates_on_the_page_and_in_the_exports(as_user, scenario, departments,
                                                        db_session):
    kunwu = as_user("kunwu_sup")
    grid = scenario.grids["kunwu1"]
    ids = [raise_on_web(kunwu, grid.id, f"需求{i}") for i in range(4)]
    rep = db_session.scalar(select(Person.id).where(
        Person.username == "rep_k"))
    for request_id in ids[:2]:  # answered at once
        kunwu.post(f"/requests/{request_id}/move", data={"action": "assign", "assignee_id": rep})
    kunwu.post(f"/requests/{ids[0]}/move", data={"action": "done"})
    kunwu.post(f"/requests/{ids[0]}/move", data={"action": "verdict", "verdict": r.SATISFIED})
    kunwu.post(f"/requests/{ids[1]}/move", data={"action": "done"})
    kunwu.post(f"/requests/{ids[1]}/move", data={"action": "verdict", "verdict": r.PARTLY})
    page = kunwu.get("/requests/rates?by=grid").get_data(as_text=True)
    assert "50.0%" in page and no_english(page) == []
    # The dashboard shows this month's rates, their trend and the open requests.
    dashboard = kunwu.get("/").get_data(as_text=True)
    card = dashboard[dashboard.index('id="request-rates"'):]
    card = card[:card.index("</section>")]
    assert "三率统计" in card and "满意率 50.0%" in card and "2 条需求单未办结" in card
    assert "<polyline" in card
    body = kunwu.get("/requests/rates?by=grid&format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["名称", "提出需求", "响应率", "办结率", "满意率"]
    assert [grid.name, "4", "50.0%", "—", "50.0%", "2"] in rows
    xlsx = kunwu.get("/requests/rates?by=street&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert kunwu.get("/requests/rates?from=2026-13-01").status_code == 422


def test_raising_on_the_web_checks_what_it_is_given(as_user, scenario):
    kunwu = as_user("kunwu_sup")
    pushang_grid = scenario.grids["pushang1"].id
    for data in ({"grid_id": pushang_grid, "category": "repairs", "description": "x"},
                 {"grid_id": scenario.grids["kunwu1"].id, "category": "flying",
                  "description": "x"},
                 {"grid_id": scenario.grids["kunwu1"].id, "category": "repairs",
                  "description": "  "},
                 {"grid_id": scenario.grids["kunwu1"].id, "category": "repairs",
                  "description": "x", "resident_id": str(uuid.uuid4())}):
        response = kunwu.post("/requests", data=data)
        assert response.status_code in (404, 422)
    assert "需求单" in kunwu.get("/requests").get_data(as_text=True)
