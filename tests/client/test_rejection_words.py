"""A refused change speaks the volunteer's language (issue 11, Structure 4): the tablet words the
server's code and parameters with names, never ids or the server's own sentence, and says what
to do."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from client.ui import i18n
from client.ui import presenters as pr
from server.models import Assignment
from shared import protocol as p

ENGLISH_WORD = re.compile(r"[A-Za-z]{4,}")


pytestmark = pytest.mark.usefixtures("chinese")  # tests/client/conftest.py


def refused(code: str, params: dict | None = None, **changes) -> dict:
    op = {"op_id": "o1", "entity": p.RESIDENT, "entity_id": "r1", "resident_name": "王秀英",
          "grid_id": 6, "reason_code": code, "reason": "You are not assigned to grid 6; ask",
          "reason_params": params or {}, "made_at": "2026-11-30T01:37:00+00:00",
          "data": {"phone": "13800000007"}}
    op.update(changes)
    return op


def test_out_of_scope_names_the_grid_from_the_parameters_not_its_id():
    entry = pr.rejected_entry(refused(p.REJ_OUT_OF_SCOPE, {"grid_id": 6,
                                                          "grid_name": "建设路第三网格"}))
    assert entry["reason"] == "你已不再负责建设路第三网格，这条修改没有保存。"
    assert entry["advice"] == "请联系社区核对你的负责区域；恢复后可以重新上传。"
    assert "6" not in entry["reason"] and "assigned" not in entry["reason"]


def test_without_parameters_the_tablet_names_the_grid_it_knows():
    entry = pr.rejected_entry(refused(p.REJ_OUT_OF_SCOPE), {6: "建设路第三网格"})
    assert entry["reason"] == "你已不再负责建设路第三网格，这条修改没有保存。"
    gone = pr.rejected_entry(refused(p.REJ_OUT_OF_SCOPE), {})
    assert gone["reason"] == "你已不再负责这个网格，这条修改没有保存。"


def test_a_moved_resident_names_the_resident_and_the_new_grid():
    entry = pr.rejected_entry(refused(p.REJ_RESIDENT_MOVED, {"grid_id": 9,
                                                            "grid_name": "胜利街第一网格"}))
    assert entry["reason"] == "王秀英已划到胜利街第一网格，这条修改没有保存。"
    assert entry["advice"] == "请把你记下的情况告诉胜利街第一网格的负责人，然后从列表中删除这一条。"


def test_fields_are_named_by_their_words():
    entry = pr.rejected_entry(refused(p.REJ_FIELD_NOT_EDITABLE, {"fields": ["ability_level"]}))
    assert entry["reason"] == f"你的身份不能修改{i18n._(pr.FIELD_LABELS['ability_level'])}。"
    from_data = pr.rejected_entry(refused(p.REJ_FIELD_NOT_EDITABLE))
    assert from_data["reason"] == "你的身份不能修改联系电话。"
    invalid = pr.rejected_entry(refused(p.REJ_INVALID, entity=p.VISIT, data={"outcome": "met"}))
    assert invalid["reason"] == "这条记录有内容填写不对。"
    # the server's dotted paths, worded; a path the tablet has no word for is left out
    paths = pr.rejected_entry(refused(p.REJ_INVALID, {"fields": [
        "data.readings.systolic", "data.outcome", "data.frobnicate"]}, entity=p.VISIT))
    words = "、".join(i18n._(label) for label in (pr.READING_LABELS["systolic"],
                                                 pr.FIELD_LABELS["outcome"]))
    assert paths["reason"] == f"这条记录有内容填写不对（{words}）。"


@pytest.mark.parametrize("code", [p.REJ_OUT_OF_SCOPE, p.REJ_RESIDENT_MOVED,
                                  p.REJ_FIELD_NOT_EDITABLE, p.REJ_INVALID,
                                  p.REJ_UNKNOWN_ENTITY, p.REJ_ALREADY_EXISTS,
                                  p.REJ_UNDELIVERABLE, "some_new_code", None])
def test_every_code_reads_as_chinese_sentences_with_what_to_do(code):
    entry = pr.rejected_entry(refused(code))
    for text in (entry["reason"], entry["advice"]):
        assert text and not ENGLISH_WORD.search(text) and "{" not in text, text
        assert "服务器" not in text
    assert entry["reason"].endswith("。") and entry["advice"].endswith("。")


def test_english_when_asked():
    i18n.set_language("en")
    entry = pr.rejected_entry(refused(p.REJ_OUT_OF_SCOPE, {"grid_name": "Grid 3"}))
    assert entry["reason"] == "You no longer look after Grid 3, so this change was not saved."


def test_the_servers_parameters_are_kept_by_the_tablet_and_worded(grid, tablet_for):
    alice = tablet_for("alice")
    assert alice.sync().ok
    alice.edit_resident(grid.residents[0].id, {"phone": "13800000007"})
    [pending] = alice.store.outbox("pending")
    alice.store.record_results([{"op_id": pending["op_id"], "status": p.REJECTED, "reason": {
        "code": p.REJ_RESIDENT_MOVED, "message": "This resident moved to grid 9 more than",
        "params": {"grid_id": 9, "grid_name": "胜利街第一网格"}}}], "2026-12-01T01:00:00Z")
    [op] = alice.rejected_ops()
    assert op["reason_params"] == {"grid_id": 9, "grid_name": "胜利街第一网格"}
    view = pr.sync_view(None, None, alice.rejected_ops(), [],
                        grid_names={g["id"]: g["name"] for g in alice.grids()})
    assert view.rejected[0]["reason"] == "张利霞已划到胜利街第一网格，这条修改没有保存。"
    # sent again, the old reason and its parameters are gone with it
    assert alice.resubmit_rejected(op["op_id"])
    [again] = alice.store.outbox("pending")
    assert again["reason_params"] == {} and again["reason_code"] is None


def test_a_real_refusal_names_the_grid_the_tablet_knew(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    names = {g["id"]: g["name"] for g in alice.grids()}
    alice.record_visit(grid.residents[0].id, "met")
    for assignment in db_session.scalars(select(Assignment)):
        assignment.ends_on = date.today() - timedelta(days=60)
    db_session.commit()
    assert alice.sync().rejected == 1
    [op] = alice.rejected_ops()
    entry = pr.rejected_entry(op, names)
    assert entry["reason"] == f"你已不再负责{grid.grid.name}，这条修改没有保存。"
    assert op["reason"] not in entry["reason"] + entry["advice"]


def test_when_a_refused_change_was_made_is_the_districts_time_not_utc():
    from zoneinfo import ZoneInfo

    from client.ui.presenters import common

    before = common._district_zone
    pr.use_district_zone(ZoneInfo("Asia/Shanghai"))
    try:
        entry = pr.rejected_entry(refused(p.REJ_OUT_OF_SCOPE,
                                          made_at="2026-11-30T01:37:00+00:00"))
        assert "09:37" in entry["when"] and "01:37" not in entry["when"]
    finally:
        pr.use_district_zone(before)
