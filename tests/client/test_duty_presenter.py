"""我的履职's words without a window: the three rates ("—" while nothing counts), the ranking
(only when the district shows it), the latest entries (今天/昨天, why one counts less), my
tasks' order, and the pulled points member read defensively (client/points.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import time_machine

from client.points import DEFAULT_BOOK, read_points
from client.requests import RequestView
from client.ui import i18n
from client.ui.presenters import duty as pr
from shared.points import facts as pf
from shared.district_day import zone_named
from shared.points import rules
from shared.points.facts import Entry
from shared.points.requests import Rates
from shared.requests import RequestState

CHINA = zone_named("Asia/Shanghai")
TODAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 2, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def chinese():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


def test_rates_say_dash_while_there_is_nothing_to_count():
    text = pr.rates_text(Rates(raised=4, responded=3))
    assert text.splitlines() == ["响应率：75%（3/4 件）", "办结率：—（0/0 件）", "满意率：—（0/0 件）"]


@time_machine.travel("2026-11-20T04:00:00Z", tick=False)
def test_the_ranking_shows_only_when_the_district_does():
    member = {"show_ranking": True, "as_of": "2026-11-20T02:00:00Z", "rankings": [
        {"community": "昆吾社区",
         "month": [{"person_id": 2, "name": "刘芳", "points": 9, "rank": 1},
                   {"person_id": 1, "name": "王建国", "points": 4, "rank": 2}],
         "year": [{"person_id": 2, "name": "刘芳", "points": 30, "rank": 1}]}]}
    mine = pr.my_duty(1, [], [], CHINA, AT,
                      read_points(member, 1))
    (standing,) = mine.standings
    assert (standing.month_rank, standing.month_of, standing.year_rank) == (2, 2, None)
    text = pr.ranking_text(mine)
    assert "昆吾社区：本月第 2 名（共 2 人）；本年暂无排名" in text
    assert "第 2 名　王建国：4 分（我）" in text and "排名截至今天 10:00" in text
    hidden = pr.my_duty(1, [], [], CHINA, AT,
                        read_points({**member, "show_ranking": False}, 1))
    assert hidden.standings == [] and pr.ranking_text(hidden) == ""


def test_latest_entries_say_today_yesterday_and_why():
    def entry(day, kind, points, note=""):
        return Entry(AT, day, "1", kind, points, pf.FROM_VISIT, "v", 1, None, note)
    mine = pr.MyDuty(0, 0, recent=[entry(TODAY, rules.VISIT_MET, 0, pf.SAME_DAY),
                                   entry(date(2026, 11, 19), rules.ADJUSTMENT, 3, "协助排查"),
                                   entry(date(2026, 11, 2), rules.VISIT_MET, 2)])
    assert pr.recent_text(mine, TODAY).splitlines() == [
        "今天 · 走访见到本人 · 0 · 当天已见过，不计分", "昨天 · 主管调整 · 3 · 协助排查",
        "11月2日 · 走访见到本人 · 2"]


def view(request_id: str, state: RequestState, overdue: bool = False) -> RequestView:
    return RequestView(request_id, 1, None, None, "repairs", "", "normal", state, None, None,
                       None, overdue=overdue)


def test_my_tasks_overdue_first_then_by_deadline():
    views = [view("none", RequestState("claimed")),
             view("later", RequestState("handed_over", due_on=date(2026, 12, 9))),
             view("sooner", RequestState("handed_over", due_on=date(2026, 11, 25))),
             view("late", RequestState("handed_over", due_on=date(2026, 11, 1)), True)]
    tasks = pr.my_tasks(views)
    assert [t["request_id"] for t in tasks] == ["late", "sooner", "later", "none"]
    assert tasks[0]["overdue"] and "已逾期" in tasks[0]["text"]


@pytest.mark.parametrize("member", [None, "junk", [], {"rules": "x", "adjustments": {},
                                                         "rankings": 3, "as_of": 5,
                                                         "response_hours": True},
                                    {"elsewhere": [{"kind": "a_new_rule", "points": 2},
                                                   {"kind": "visit_met", "points": "2"}, 7]}])
def test_a_points_member_that_does_not_read_leaves_the_defaults(member):
    held = read_points(member, 1)
    assert held.book == DEFAULT_BOOK and held.adjustments == [] and held.rankings == []
    assert held.response_hours == 24 and held.show_ranking is False and held.elsewhere == []
