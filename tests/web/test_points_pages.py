"""Duty points on the web (issue 15): per person and area for a period, a ranking, each
person's ledger, supervisors' adjustments (with a reason, audited), the rules (admin, versioned)
and the exports. The clock is frozen: the scenario's visits fall on known district days."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from server.models import AuditEntry, PointsAdjustment, PointsRuleVersion
from server.sync.batch import ChangeBatch
from shared import protocol as p
from shared.clock import utcnow
from testkit.web_helpers import WebClient
from testkit.web_scenario import add_visit, build_scenario

#: Friday 20 November 2026, noon in China. The scenario's visits: vol_a met 王秀英 (alone) on
#: 10 Nov, 刘德华 (born 1939: 87) on 17 Nov, 张利霞 (alone) on 18 Nov: 3 points each (2 for the
#: meeting, 1 as living alone or 80+), and 孙玉兰 on 31 Oct; vol_b met 李桂兰 (76, empty nest)
#: on 10 Nov: 2; vol_c (濮上) met 赵桂芳 (alone) on 19 Nov: 3.
NOW = "2026-11-20T04:00:00Z"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scenario(db_session, frozen):
    built = build_scenario(db_session)
    db_session.commit()
    return built


@pytest.fixture
def as_user(app, scenario):
    return lambda username: WebClient(app.test_client(), username, scenario.password)


def points_of(html: str) -> dict[int, int]:
    return {int(person): int(value) for person, value in
            re.findall(r'data-person="(\d+)">(-?\d+)<', html)}


def void(db_session, resident, author, visit_id) -> None:
    batch = ChangeBatch(db_session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": resident.id,
                     "grid_id": resident.grid_id, "author_id": author.id, "device_id": None,
                     "visited_at": utcnow(), "device_time": utcnow(), "recorded_at": utcnow(),
                     "outcome": None, "details": {}, "corrects_id": visit_id,
                     "correction": p.VOID}, author.display_name, resident)
    batch.flush()
    db_session.commit()


def test_points_per_person_for_a_month_and_a_year_within_scope(as_user, scenario):
    people = scenario.people
    html = as_user("kunwu_sup").get("/points?period=month").get_data(as_text=True)
    assert points_of(html) == {people["vol_a"].id: 9, people["vol_b"].id: 2}
    assert "履职积分" in html and "侯胜涛" not in html  # vol_c works in 濮上: not this supervisor's
    year = points_of(as_user("admin").get("/points?period=year").get_data(as_text=True))
    assert year[people["vol_a"].id] == 12  # with 孙玉兰 in 绿城, which kunwu_sup does not see
    assert points_of(as_user("kunwu_sup").get("/points?period=year").get_data(as_text=True))[
        people["vol_a"].id] == 9
    everyone = points_of(as_user("admin").get("/points?period=quarter").get_data(as_text=True))
    assert everyone[people["vol_c"].id] == 3


def test_area_totals_and_a_ranking_within_a_community(as_user, scenario):
    web, kunwu = as_user("admin"), scenario.communities["kunwu"]
    html = web.get(f"/points?area={scenario.streets['changqing'].id}").get_data(as_text=True)
    assert re.search(rf'data-area="{kunwu.id}">11<', html)
    ranking = web.get(f"/points?area={kunwu.id}").get_data(as_text=True)
    assert "社区内排名" in ranking
    assert ranking.index("王建国") < ranking.index("刘芳")
    out = as_user("kunwu_sup").get(f"/points?area={scenario.communities['pushang'].id}")
    assert out.status_code == 404


def test_a_voided_visit_takes_its_points_back_and_the_ledger_says_why(as_user, scenario,
                                                                      db_session, frozen):
    vol_a, zhang = scenario.people["vol_a"], scenario.residents["zhang"]
    visit_id = add_visit(db_session, zhang, vol_a, utcnow() - timedelta(hours=1))
    db_session.commit()
    web = as_user("kunwu_sup")
    assert points_of(web.get("/points").get_data(as_text=True))[vol_a.id] == 12
    void(db_session, zhang, vol_a, visit_id)
    page = web.get(f"/points/people/{vol_a.id}").get_data(as_text=True)
    assert '<span class="count" id="points-total">9</span>' in page
    assert "已作废，不计分" in page


def test_a_supervisor_adjusts_points_only_with_a_reason_and_it_is_audited(as_user, scenario,
                                                                         db_session):
    vol_a, web = scenario.people["vol_a"], as_user("kunwu_sup")
    refused = web.post(f"/points/people/{vol_a.id}/adjust", data={"points": "5", "reason": " "})
    assert refused.status_code == 400 and "原因" in refused.get_data(as_text=True)
    assert web.post(f"/points/people/{vol_a.id}/adjust",
                    data={"points": "500", "reason": "x"}).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(PointsAdjustment)) == 0
    done = web.post(f"/points/people/{vol_a.id}/adjust",
                    data={"points": "5", "reason": "组织楼栋防诈骗宣传"})
    assert done.status_code == 302
    page = web.get(f"/points/people/{vol_a.id}").get_data(as_text=True)
    assert '<span class="count" id="points-total">14</span>' in page and "组织楼栋防诈骗宣传" in page
    db_session.rollback()  # see what the requests committed
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "points_adjust"))
    assert entry.person_id == scenario.people["kunwu_sup"].id
    assert entry.detail["reason"] == "组织楼栋防诈骗宣传" and entry.detail["points"] == 5
    vol_c = scenario.people["vol_c"]  # another community's: as if they did not exist
    assert web.post(f"/points/people/{vol_c.id}/adjust",
                    data={"points": "5", "reason": "x"}).status_code == 404
    me = scenario.people["kunwu_sup"]  # never oneself
    assert web.post(f"/points/people/{me.id}/adjust",
                    data={"points": "5", "reason": "x"}).status_code == 403


def test_new_rules_apply_from_their_day_and_never_rewrite_the_past(as_user, scenario,
                                                                   db_session, frozen):
    vol_a, web = scenario.people["vol_a"], as_user("admin")
    form = {"effective": "2026-11-20", "amount_visit_met": "5", "amount_visit_vulnerable": "1",
            "weekly_cap": "10", "gap_minutes": "30", "follow_up_hours": "48",
            "vulnerable_age": "80", "once_a_day": "on"}
    past = web.post("/points/rules", data={**form, "effective": "2026-11-01"})
    assert past.status_code == 400 and "生效日期：须为今天或以后" in past.get_data(as_text=True)
    assert db_session.scalar(
        select(func.count()).select_from(PointsRuleVersion)) == 0
    assert as_user("kunwu_sup").post("/points/rules", data=form).status_code == 403
    assert web.post("/points/rules", data=form).status_code == 302
    db_session.rollback()  # see what the requests committed
    assert sorted(db_session.scalars(select(PointsRuleVersion.version))) == [1, 2]
    add_visit(db_session, scenario.residents["li"], vol_a, utcnow())
    db_session.commit()
    month = points_of(web.get("/points").get_data(as_text=True))
    assert month[vol_a.id] == 9 + 5  # today's visit under version 2, the earlier under 1
    assert "版本" in web.get("/points/rules").get_data(as_text=True)


def test_exports_of_points_and_ledger_are_inert_text(as_user, scenario):
    web, vol_a = as_user("kunwu_sup"), scenario.people["vol_a"]
    web.post(f"/points/people/{vol_a.id}/adjust",
             data={"points": "-3", "reason": "=HYPERLINK(\"http://evil.example\")"})
    totals = web.get("/points/export?kind=totals&format=csv")
    assert totals.status_code == 200
    rows = list(csv.reader(io.StringIO(totals.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["排名", "姓名", "角色", "积分"] and ["1", "王建国", "志愿者", "6"] in rows
    ledger = web.get("/points/export?kind=ledger&format=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in ledger and "\n=HYPERLINK" not in ledger
    xlsx = web.get("/points/export?kind=ledger&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert web.get("/points/export?kind=secrets&format=csv").status_code == 400
