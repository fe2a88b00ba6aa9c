"""Requests (issue 14) in the duty points on the server (issue 15): each request rule earns or
costs through a real request history, made by the three lists' own service (the path the web
view and a tablet's push take), and shows on the points pages and in the duty report.

The clock is frozen on Friday 20 November 2026 (as test_points_pages); 黄代表 (a representative
in 昆吾 grid 1) works the requests, 李高远 supervises, the housing office does the repairs."""
from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime, timezone

import pytest
import time_machine
from pypdf import PdfReader

from server.sync.batch import ChangeBatch
from server.threelists import service
from server.threelists.models import Department, DepartmentStaff
from shared import protocol as p
from shared import requests as r
from shared.district_day import zone_named
from shared.requests import Move
from testkit.factories import make_person
from testkit.web_helpers import WebClient
from testkit.web_scenario import build_scenario

NOW = "2026-11-20T04:00:00Z"
CHINA = zone_named("Asia/Shanghai")


def cn(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=CHINA).astimezone(timezone.utc)


@pytest.fixture
def world(db_session):
    with time_machine.travel(NOW, tick=False):
        scenario = build_scenario(db_session)
        housing = Department(code="housing", name="区住建局", active=True)
        db_session.add(housing)
        db_session.flush()
        clerk = make_person(db_session, "fang", r.DEPARTMENT, display_name="房管所王科长")
        db_session.add(DepartmentStaff(person_id=clerk.id, department_id=housing.id))
        rep = make_person(db_session, "rep_k", p.REPRESENTATIVE, [scenario.grids["kunwu1"]],
                          display_name="黄代表")
        db_session.commit()
        yield scenario, rep, clerk, housing


@pytest.fixture
def as_user(app, world):
    scenario = world[0]
    return lambda username: WebClient(app.test_client(), username, scenario.password)


def history(db_session, world, resident_key: str | None, moves) -> str:
    """One request raised by 黄代表 on 2 November and moved as ``moves`` says:
    (day, who, action, data) with who one of rep, sup, clerk, vol_b."""
    scenario, rep, clerk, housing = world
    actors = {"rep": service.actor_for(db_session, rep),
              "sup": service.actor_for(db_session, scenario.people["kunwu_sup"]),
              "clerk": service.actor_for(db_session, clerk),
              "vol_b": service.actor_for(db_session, scenario.people["vol_b"])}
    resident = scenario.residents[resident_key] if resident_key else None
    item = service.raise_request(
        db_session, str(uuid.uuid4()), str(uuid.uuid4()), scenario.grids["kunwu1"].id,
        actors["rep"], {"category": "repairs", "description": "厨房水管漏水",
                        "resident_id": resident.id if resident else None},
        service.Made(cn(2), cn(2), service.VIA_TABLET))
    for day, who, action, data in moves:
        if action == r.HAND_OVER:
            data = {"department_id": housing.id, "working_days": 5, **data}
        service.make_move(db_session, item, str(uuid.uuid4()), actors[who], Move(action, data),
                          service.Made(cn(day), cn(day), service.VIA_WEB))
    batch = ChangeBatch(db_session)
    service.relog(db_session, batch, [item])
    service.stamp_versions([item], batch.flush())
    db_session.commit()
    return item.id


ON_TIME = [(2, "rep", r.CLAIM, {}), (3, "rep", r.HAND_OVER, {"due_on": date(2026, 11, 10)}),
           (4, "clerk", r.ACCEPT, {}), (10, "clerk", r.DEPT_DONE, {})]


def person_points(web, person) -> tuple[int, str]:
    html = web.get(f"/points/people/{person.id}?period=month").get_data(as_text=True)
    found = re.search(r'id="points-total">(-?\d+)<', html)
    return int(found.group(1)), html


def test_raising_a_request_earns_the_raiser(as_user, world, db_session):
    rep = world[1]
    history(db_session, world, "li", [])
    total, html = person_points(as_user("kunwu_sup"), rep)
    assert total == 1 and "提出需求单" in html


def test_a_task_resolved_by_its_deadline_and_a_satisfied_verdict_earn_its_owner(
        as_user, world, db_session):
    rep = world[1]
    history(db_session, world, "li", ON_TIME + [
        (11, "vol_b", r.VERDICT, {"verdict": r.SATISFIED})])
    total, html = person_points(as_user("kunwu_sup"), rep)
    assert total == 1 + 3 + 2
    assert "任务按期办结" in html and "居民满意" in html
    # the volunteer who recorded the verdict earns nothing for it
    total_b, _html = person_points(as_user("kunwu_sup"), world[0].people["vol_b"])
    assert total_b == 2  # 李桂兰's visit on 10 November only


def test_a_task_open_past_its_deadline_costs_its_owner(as_user, world, db_session):
    rep = world[1]
    history(db_session, world, "li", [(2, "rep", r.CLAIM, {}),
                                      (3, "rep", r.HAND_OVER, {"due_on": date(2026, 11, 12)})])
    total, html = person_points(as_user("kunwu_sup"), rep)
    assert total == 1 - 2 and "任务逾期" in html


def test_a_not_satisfied_verdict_costs_the_owner_and_reopens_the_task(as_user, world,
                                                                      db_session):
    rep = world[1]
    history(db_session, world, None, ON_TIME + [
        (11, "vol_b", r.VERDICT, {"verdict": r.NOT_SATISFIED})])
    total, html = person_points(as_user("kunwu_sup"), rep)
    # raised +1, on time +3, not satisfied -2, and the reopened task is overdue again: -2
    assert total == 1 + 3 - 2 - 2 and "居民不满意" in html


def test_a_withdrawn_request_earns_nothing(as_user, world, db_session):
    rep = world[1]
    history(db_session, world, "li", [(2, "rep", r.CLAIM, {}),
                                      (3, "sup", r.WITHDRAW, {"reason": "与另一条需求重复"})])
    assert person_points(as_user("kunwu_sup"), rep)[0] == 0


def test_task_points_count_for_the_grid_of_the_request(as_user, world, db_session):
    scenario, rep = world[0], world[1]
    history(db_session, world, None, ON_TIME)  # about no resident: a leaking pipe upstairs
    html = as_user("admin").get(f"/points?area={scenario.streets['changqing'].id}"
                                ).get_data(as_text=True)
    kunwu = scenario.communities["kunwu"]
    # 昆吾: 11 from the visits (test_points_pages) plus the raise (1) and the task (3)
    assert re.search(rf'data-area="{kunwu.id}">15<', html)
    assert re.search(rf'data-person="{rep.id}">4<', html)


def test_the_duty_report_shows_requests_tasks_and_the_three_rates(as_user, world, db_session):
    rep = world[1]
    history(db_session, world, "li", ON_TIME + [
        (11, "vol_b", r.VERDICT, {"verdict": r.SATISFIED})])
    history(db_session, world, "zhang", [(5, "rep", r.CLAIM, {}),
                                         (5, "rep", r.HAND_OVER, {"due_on": date(2026, 11, 12)})])
    response = as_user("kunwu_sup").get(f"/points/people/{rep.id}/report.pdf?period=month")
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    lines = [line.strip() for line in text.splitlines()]

    def value(label):
        return lines[lines.index(label) + 1]

    assert value("提出需求单") == "2"
    assert value("办结任务") == "1"
    # response: the second was claimed 3 days after it was raised; resolution: one of two
    # deadlines met; satisfaction: the one verdict satisfied
    assert value("响应率") == "50%"
    assert value("办结率") == "50%"
    assert value("满意率") == "100%"
    assert value("履职积分") == str(1 + 3 + 2 + 1 - 2)
