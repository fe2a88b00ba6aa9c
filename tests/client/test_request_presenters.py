"""The requests tab's words (client/ui/presenters/requests.py), without a window."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
import time_machine

from client.requests import RequestView
from client.ui.presenters import requests as pr
from client.ui.presenters import today as today_pr
from shared import requests as r
from shared.requests import RequestState


pytestmark = pytest.mark.usefixtures("chinese")  # tests/client/conftest.py


def view(**overrides) -> RequestView:
    values = dict(id="r1", grid_id=1, resident_id="x", resident_name="张利霞", category="repairs",
                  description="楼道灯坏了", urgency="normal",
                  state=RequestState(r.DONE, owner_id=7, owner_name="李代表",
                                     due_on=date(2026, 12, 3)),
                  raised_at=None, raised_by_name=None, plan=None,
                  legal=[r.NOTE, r.VERDICT], unsent=1, overdue=False)
    values.update(overrides)
    return RequestView(**values)


def test_a_card_offers_the_legal_moves_in_chinese():
    card = pr.request_card(view())
    assert card["title"] == "维修  张利霞"
    assert "已办好：请问问居民是否满意" in card["facts"] and "认领人：李代表" in card["facts"]
    assert [label for _move, label in card["buttons"]][1:] == ["满意", "基本满意", "不满意"]
    assert [move for move, _label in card["buttons"]][1:] == [
        "verdict:satisfied", "verdict:partly", "verdict:not_satisfied"]
    assert card["unsent"] == "1 条待上传"
    text = " ".join([card["title"], card["facts"], card["unsent"]] +
                    [label for _m, label in card["buttons"]])
    assert not re.findall(r"[A-Za-z]{4,}", text)


def test_refusals_say_who_and_since_when():
    since = "2026-11-24T01:30:00Z"
    text = pr.refusal_text(r.ALREADY_CLAIMED, {"owner_name": "赵代表", "since": since})
    assert text.startswith("赵代表在") and "先认领了" in text and "09:30" in text
    assert "重新办理" in pr.refusal_text(r.REOPENED_SINCE, {"since": since})
    held = pr.refusal_text(r.ALREADY_CLAIMED, {
        "owner_name": "赵代表", "since": datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)})
    assert "09:30" in held
    for code in r.REFUSAL_CODES:
        words = pr.refusal_text(code, {})
        assert words and not re.findall(r"[A-Za-z]{4,}", words)


def test_the_today_row_shows_open_requests():
    from types import SimpleNamespace

    from shared.due import NOT_DUE, DueStatus
    summary = SimpleNamespace(id="x", name="张利霞", age=85, care_categories=[],
                              address="建设路51号院2号楼4单元202", unsent=0, status="active",
                              follow_up_since=None, due=DueStatus(NOT_DUE, None, 0))
    assert today_pr.today_row(summary, 2)["subtitle"].endswith("2 条需求单未办结")
    assert today_pr.today_row(summary)["subtitle"] == "建设路51号院2号楼4单元202"


def test_a_provisional_deadline_says_so():
    """Counted Monday to Friday through a year the official calendar does not cover yet."""
    due = RequestState(r.HANDED_OVER, due_on=date(2027, 1, 4))
    assert "暂定" in pr.request_card(view(state=due, due_provisional=True))["facts"]
    assert "暂定" not in pr.request_card(view(state=due))["facts"]


@time_machine.travel(datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc), tick=False)
def test_the_timeline_says_when_who_what_and_how():
    timeline = [
        {"id": "1", "action": r.RAISE, "at": "2026-11-20T07:53:00Z", "person_name": "王建国",
         "via": "tablet", "data": {"category": "repairs"}},
        {"id": "2", "action": r.HAND_OVER, "at": "2026-11-21T08:53:00Z",
         "person_name": "李高远", "via": "web",
         "data": {"due_on": "2026-11-26", "text": "请派人上门维修"}},
        {"id": "3", "action": r.VERDICT, "at": "2026-11-23T06:00:00Z", "person_name": "王建国",
         "via": "tablet", "data": {"verdict": r.NOT_SATISFIED, "text": "还在渗水"}},
        {"id": "4", "action": "escalate", "at": "not a time", "person_name": 7, "via": "fax",
         "data": "garbage"},  # a newer server's move, and nonsense: shown, never a crash
        {"id": "5", "action": r.NOTE, "at": "2026-11-30T02:00:00Z", "person_name": "王建国",
         "via": "tablet", "data": {"text": "明天再去看看"}, "unsent": True},
    ]
    card = pr.request_card(view(timeline=timeline))
    assert card["history_count"] == 5
    assert card["history"].splitlines() == [
        "11月20日 15:53 · 王建国 · 提出需求 · 平板",
        "11月21日 16:53 · 李高远 · 已转交部门，办理期限11月26日 · 网页端",
        "    请派人上门维修",
        "11月23日 14:00 · 王建国 · 居民评价：不满意 · 平板",
        "    还在渗水",
        "— · 其他办理步骤",
        "11月30日 10:00 · 王建国 · 备注 · 待上传",
        "    明天再去看看"]
    assert not re.search(r"[A-Za-z]{4,}", card["history"])


def test_categories_use_the_glossarys_words():
    """LANGUAGE.md: meals are 助餐 (never 吃饭), as in the web view."""
    assert pr.request_card(view(category="meals"))["title"].startswith("助餐")
