"""The requests tab's words (client/ui/presenters/requests.py), without a window."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from client.requests import RequestView
from client.ui import i18n
from client.ui.presenters import requests as pr
from client.ui.presenters import today as today_pr
from shared import requests as r
from shared.requests import RequestState


@pytest.fixture(autouse=True)
def chinese():
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


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
