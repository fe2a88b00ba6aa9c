"""我的履职: the tablet's own figure, computed offline by the shared core from what it pulled,
equals the server's once it has synced (issue 15): the month, the year, after a void, after an
admin saved new rules, with a supervisor's adjustment; and the ranking the tablet shows is the
points page's. A real tablet: its SQLite store, its sync engine, the whole server stack."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
import time_machine

from client.points import POINTS_META, duty_facts, held_points
from client.service import FieldService
from client.transport import FlaskTransport
from client.requests import RequestDesk
from client.ui.presenters.duty import my_duty, my_tasks
from server import points
from server.sync.batch import ChangeBatch
from server.threelists.models import Department, DepartmentStaff
from shared import protocol as p
from shared import requests as r
from shared.clock import utcnow
from shared.district_day import zone_named
from shared.points import rules as pr
from shared.points.requests import three_rates
from testkit.factories import PASSWORD, make_person
from testkit.web_helpers import WebClient, csrf_token, sign_in
from testkit.web_scenario import add_visit, build_scenario

NOW = "2026-11-20T04:00:00Z"
CHINA = zone_named("Asia/Shanghai")


@pytest.fixture
def scenario(db_session):
    with time_machine.travel(NOW, tick=False):
        built = build_scenario(db_session)
        db_session.commit()
        yield built


class Tablet:
    """vol_a's tablet: the app's own service, signed in to the whole server stack in-process;
    its figures are gathered as the screen gathers them (client.points.duty_facts)."""

    def __init__(self, app, tmp_path, username: str = "vol_a") -> None:
        self.service = FieldService(tmp_path / username,
                                    transport_factory=lambda _url: FlaskTransport(app))
        self.service.sign_in("http://knockdoor.test", username, PASSWORD, username)
        self.store = self.service.store
        self.person_id = self.service.account.person_id

    def figures(self):
        facts = duty_facts(self.service)
        return my_duty(self.person_id, facts.residents, facts.visits, CHINA, utcnow(),
                       facts.held, facts.request_records), facts.held

    def sync(self):
        report = self.service.sync()
        assert report.ok, report.error
        return self.figures()


@pytest.fixture
def tablet(app, tmp_path, scenario):
    made = Tablet(app, tmp_path)
    yield made
    made.service.close()


def server_figure(app, scenario, period: str) -> int:
    web = WebClient(app.test_client(), "kunwu_sup", scenario.password)  # vol_a's grids
    html = web.get(f"/points?period={period}").get_data(as_text=True)
    return int(re.search(rf'data-person="{scenario.people["vol_a"].id}">(-?\d+)<',
                         html).group(1))


def void(db_session, resident, person, visit_id) -> None:
    """A void of ``visit_id``, as another tablet would push it."""
    batch = ChangeBatch(db_session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": resident.id,
                     "grid_id": resident.grid_id, "author_id": person.id, "device_id": None,
                     "visited_at": utcnow(), "device_time": utcnow(), "recorded_at": utcnow(),
                     "outcome": None, "details": {}, "corrects_id": visit_id,
                     "correction": p.VOID}, person.display_name, resident)
    batch.flush()


def test_the_tablet_shows_the_servers_points_after_a_sync(app, scenario, db_session, tablet):
    mine, held = tablet.sync()
    assert (mine.month, mine.year) == (9, 9)
    assert mine.month == server_figure(app, scenario, "month")
    assert mine.year == server_figure(app, scenario, "year")
    assert mine.month_sources == {"visit_met": 6, "visit_vulnerable": 3}
    assert [v.version for v in held.book.versions] == [1] and held.adjustments == []
    # A visit, then its void (as another tablet would push them): both sides agree again.
    zhang, vol_a = scenario.residents["zhang"], scenario.people["vol_a"]
    void(db_session, zhang, vol_a, add_visit(db_session, zhang, vol_a, utcnow()))
    add_visit(db_session, scenario.residents["li"], vol_a, utcnow())
    db_session.commit()
    mine, _held = tablet.sync()
    assert mine.month == server_figure(app, scenario, "month") == 9 + 2
    assert any(entry.note == "voided" for entry in mine.recent)


def test_new_rules_and_an_adjustment_reach_the_tablet(app, scenario, db_session, tablet):
    """An admin's new version (in force from today) and a supervisor's adjustment: the tablet
    counts as the server does once it has synced, and not before."""
    vol_a, admin = scenario.people["vol_a"], scenario.people["admin"]
    tablet.sync()
    today = utcnow().astimezone(CHINA).date()
    rules = {**pr.rules_to_dict(pr.default_rules(today)), "version": 2,
             "effective": today.isoformat()}
    rules["amounts"] = {**rules["amounts"], pr.VISIT_MET: 5}
    points.add_rules(db_session, rules, today, admin.id)
    points.add_adjustment(db_session, vol_a.id, 4, "协助社区排查隐患", scenario.people[
        "kunwu_sup"].id, utcnow() - timedelta(hours=1))
    points.add_adjustment(db_session, scenario.people["vol_b"].id, -3, "不是王建国的",
                          scenario.people["kunwu_sup"].id, utcnow() - timedelta(hours=1))
    add_visit(db_session, scenario.residents["li"], vol_a, utcnow() - timedelta(minutes=5))
    db_session.commit()
    # Offline (before the sync), the tablet still counts with what it had.
    before, _held = tablet.figures()
    assert before.month == 9
    mine, held = tablet.sync()
    assert [v.version for v in held.book.versions] == [1, 2]
    assert [(a.points, a.reason) for a in held.adjustments] == [(4, "协助社区排查隐患")]
    # Earlier days keep version 1; today's visit of 李桂兰 earns 5; the adjustment 4.
    assert mine.month == 9 + 5 + 4 == server_figure(app, scenario, "month")
    assert mine.year == server_figure(app, scenario, "year")
    assert mine.month_sources[pr.ADJUSTMENT] == 4
    assert any(e.kind == pr.ADJUSTMENT and e.note == "协助社区排查隐患" for e in mine.recent)


def test_the_ranking_travels_only_when_the_district_shows_it(app, scenario, db_session,
                                                              tablet):
    mine, held = tablet.sync()
    assert not held.show_ranking and mine.standings == []
    points.set_show_ranking(db_session, True, scenario.people["admin"].id)
    db_session.commit()
    mine, held = tablet.sync()
    assert held.show_ranking and held.as_of is not None
    (standing,) = mine.standings
    assert standing.community == "昆吾社区"
    # The points page's ranking of the community, as the supervisor sees it.
    web = WebClient(app.test_client(), "kunwu_sup", scenario.password)
    html = web.get(f"/points?period=month&area={scenario.communities['kunwu'].id}"
                   ).get_data(as_text=True)
    ranked = re.findall(r'data-person="(\d+)">(-?\d+)<', html)
    assert [(row.person_id, row.points) for row in held.rankings[0].month] == \
        [(int(pid), int(pts)) for pid, pts in ranked]
    assert standing.month_rank == 1 and standing.month_of == len(ranked) >= 2
    assert standing.leaders[0] == (1, "王建国", 9, True)
    # Switched off again: the next sync takes the ranking away.
    points.set_show_ranking(db_session, False, scenario.people["admin"].id)
    db_session.commit()
    mine, held = tablet.sync()
    assert mine.standings == [] and held.rankings == []


def test_the_tablet_keeps_its_rules_when_it_cannot_read_new_ones(tablet):
    """A rule book this app cannot read (say, a rule a newer server knows) is not taken: the
    tablet keeps counting with the one it had, and never crashes on it."""
    tablet.sync()
    from client.points import keep_points
    good = held_points(tablet.store, tablet.person_id).book
    keep_points(tablet.store, {"rules": [{"version": 1, "effective": "2000-01-01",
                                          "amounts": {"a_new_rule": 3}}],
                               "adjustments": [{"id": "x", "at": "not a time", "points": 2,
                                                "reason": "r"}, "junk"],
                               "rankings": [{"community": "昆吾社区", "month": "junk"}]})
    held = held_points(tablet.store, tablet.person_id)
    assert held.book == good and held.adjustments == [] and held.rankings == []
    assert tablet.store.get_meta(POINTS_META)


def test_requests_count_alike_on_the_tablet_and_the_server(app, scenario, db_session, tmp_path):
    """A representative raises and claims a request on the tablet (counted at once, offline);
    the supervisor hands it over with a deadline on the web, the department answers done in
    time, the resident is satisfied: the tablet's points and three rates equal the server's."""
    rep = Tablet(app, tmp_path, "vol_c")  # 侯胜涛, a representative of 濮上社区第1网格
    try:
        rep.sync()
        department = Department(code="housing", name="住建局", active=True)
        db_session.add(department)
        db_session.flush()
        clerk = make_person(db_session, "clerk", r.DEPARTMENT, (), "赵科员")
        db_session.add(DepartmentStaff(person_id=clerk.id, department_id=department.id))
        db_session.commit()
        desk = RequestDesk(rep.service)
        request_id = desk.raise_request("repairs", "厨房水管漏水",
                                        resident_id=scenario.residents["zhao"].id)
        desk.claim(request_id, plan="明天找人来修")
        offline, _held = rep.figures()
        assert offline.month_sources[pr.REQUEST_RAISED] == 1  # before it is sent
        rep.sync()
        supervisor = WebClient(app.test_client(), "pushang_sup", scenario.password)
        answer = supervisor.post(f"/requests/{request_id}/move", data={
            "action": r.HAND_OVER, "department_id": department.id, "working_days": 3})
        assert answer.status_code == 302
        staff = app.test_client()  # department staff: the inbox is their only page
        assert sign_in(staff, "clerk", PASSWORD).headers["Location"] == "/inbox"
        token = csrf_token(staff, "/inbox")
        for action in (r.ACCEPT, r.DEPT_DONE):
            assert staff.post(f"/inbox/{request_id}/move", data={
                "action": action, "csrf_token": token}).status_code == 302
        rep.sync()
        desk.verdict(request_id, r.SATISFIED, "修好了")
        mine, _held = rep.sync()
        vol_c = scenario.people["vol_c"]
        assert mine.month_sources == {pr.VISIT_MET: 2, pr.VISIT_VULNERABLE: 1,
                                      pr.REQUEST_RAISED: 1, pr.TASK_ON_TIME: 3,
                                      pr.VERDICT_SATISFIED: 2}
        web = WebClient(app.test_client(), "pushang_sup", scenario.password)
        html = web.get("/points?period=month").get_data(as_text=True)
        assert mine.month == 9 == int(re.search(rf'data-person="{vol_c.id}">(-?\d+)<',
                                                html).group(1))
        today = utcnow().astimezone(CHINA).date()
        db_session.expire_all()
        on_server = three_rates(points.request_facts(db_session, [scenario.grids[
            "pushang1"].id]), date(today.year, 1, 1), today, CHINA, today, owner=str(vol_c.id))
        assert mine.rates == on_server
        assert (mine.rates.response, mine.rates.resolution, mine.rates.satisfaction) == \
            (1.0, 1.0, 1.0)
        assert [task["request_id"] for task in my_tasks(
            v for v in duty_facts(rep.service).requests if v.state.owner_id == vol_c.id
            and v.state.state in r.OPEN_STATES)] == []  # closed: no longer an open task
    finally:
        rep.service.close()
