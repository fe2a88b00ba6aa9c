"""Moving a resident to another grid from the resident page and from a roster import: both
grids in the mover's area, a confirmation that says what happens, a reason, an audit entry,
and the tablets of both grids told at their next pull."""
from __future__ import annotations

import io
import re

from testkit.web_helpers import api_login

from server.models import AuditEntry, Conflict, Resident, ResidentMove, Visit
from shared import protocol as p


def pull(client, token: str, cursor=None) -> dict:
    response = client.post("/api/v1/sync/pull", json={"protocol": p.PROTOCOL_VERSION,
                                                      "cursor": cursor, "limit": 5000},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_supervisor_moves_a_resident_after_a_confirmation_that_says_what_happens(
        as_user, scenario, db_session, client):
    zhang, kunwu1, kunwu2 = (scenario.residents["zhang"], scenario.grids["kunwu1"],
                             scenario.grids["kunwu2"])
    token = api_login(client, "vol_b", scenario.password)  # vol_b: 昆吾社区第1网格 only
    before = pull(client, token)
    web = as_user("kunwu_sup")
    page = web.get(f"/residents/{zhang.id}").get_data(as_text=True)
    assert "迁移到其他网格" in page
    form = web.get(f"/residents/{zhang.id}/move").get_data(as_text=True)
    assert "1 条走访记录" in form and "1 条待核对的修改" in form  # what moves with her
    assert "昆吾社区第1网格的平板下次更新后不再显示此居民" in form
    options = re.findall(r'<option value="(\d+)"', form)
    assert str(kunwu2.id) in options and str(kunwu1.id) not in options
    assert str(scenario.grids["pushang1"].id) not in options  # another community's grid

    response = web.post(f"/residents/{zhang.id}/move", data={
        "from_grid": kunwu1.id, "to_grid": kunwu2.id, "reason": "搬到女儿家住"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Resident, zhang.id).grid_id == kunwu2.id
    assert {v.grid_id for v in db_session.query(Visit).filter_by(resident_id=zhang.id)} == \
        {kunwu2.id}
    assert db_session.get(Conflict, scenario.conflict.id).grid_id == kunwu2.id
    move = db_session.query(ResidentMove).one()
    assert (move.from_grid_id, move.to_grid_id, move.reason, move.via) == \
        (kunwu1.id, kunwu2.id, "搬到女儿家住", "web")
    entry = db_session.query(AuditEntry).filter_by(action="move_resident").one()
    assert entry.entity_id == zhang.id and entry.person_id == scenario.people["kunwu_sup"].id
    assert entry.detail == {"from_grid": kunwu1.id, "to_grid": kunwu2.id, "move": move.id}
    assert "搬到女儿家住" not in str(entry.detail)  # the audit log holds no personal data
    # vol_b's tablet is told to let her go, and gets nothing else
    after = pull(client, token, before["cursor"])
    assert [(c["entity"], c["data"]["resident_id"]) for c in after["changes"]] == \
        [(p.DEPARTURE, zhang.id)]
    assert "迁移居民到其他网格" in web.get(f"/audit?resident={zhang.id}").get_data(as_text=True)
    moved_page = web.get(f"/residents/{zhang.id}").get_data(as_text=True)
    assert "从昆吾社区第1网格迁到昆吾社区第2网格" in moved_page and "搬到女儿家住" in moved_page


def test_a_move_needs_a_reason_and_both_grids_in_the_movers_area(as_user, scenario,
                                                                 db_session):
    zhang, kunwu1 = scenario.residents["zhang"], scenario.grids["kunwu1"]
    web = as_user("kunwu_sup")
    no_reason = web.post(f"/residents/{zhang.id}/move", data={
        "from_grid": kunwu1.id, "to_grid": scenario.grids["kunwu2"].id, "reason": " "})
    assert no_reason.status_code == 422 and "原因：必填项不能为空。" in no_reason.get_data(
        as_text=True)
    elsewhere = web.post(f"/residents/{zhang.id}/move", data={
        "from_grid": kunwu1.id, "to_grid": scenario.grids["pushang1"].id, "reason": "搬家"})
    assert elsewhere.status_code == 422
    nul = web.post(f"/residents/{zhang.id}/move", data={
        "from_grid": kunwu1.id, "to_grid": scenario.grids["kunwu2"].id, "reason": "搬家\x00"})
    assert nul.status_code == 422  # never a 500 (PostgreSQL stores no NUL)
    stale = web.post(f"/residents/{zhang.id}/move", data={
        "from_grid": scenario.grids["kunwu2"].id, "to_grid": scenario.grids["kunwu2"].id,
        "reason": "搬家"})
    assert stale.status_code == 409
    outsider = as_user("pushang_sup").post(f"/residents/{zhang.id}/move", data={
        "from_grid": kunwu1.id, "to_grid": scenario.grids["pushang1"].id, "reason": "搬家"})
    assert outsider.status_code == 404
    db_session.expire_all()
    assert db_session.get(Resident, zhang.id).grid_id == kunwu1.id
    assert db_session.query(ResidentMove).count() == 0


def upload(web, content: bytes, **data):
    return web.post("/import", data={"file": (io.BytesIO(content), "名册.csv"), **data},
                    content_type="multipart/form-data")


def test_a_roster_row_that_names_a_resident_in_another_grid_moves_them(as_user, scenario,
                                                                      db_session):
    zhang, wang, zhao = (scenario.residents[k] for k in ("zhang", "wang", "zhao"))
    kunwu2 = scenario.grids["kunwu2"]
    rows = ["网格,姓名,性别,出生年份,地址,居民编号",
            f"{kunwu2.code},张利霞,女,1941,{zhang.address},{zhang.id}",  # by id
            f"{kunwu2.code},王秀英,女,1944,{wang.address},",  # by name and address
            f"{kunwu2.code},周桂英,女,1940,昆吾路10号1单元101,"]  # a new resident
    web = as_user("kunwu_sup")
    preview = upload(web, ("\n".join(rows) + "\n").encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert re.findall(r'data-move="(\d+)"', html) == ["2", "3"]
    assert "有 2 行是名册中已在其他网格的居民" in html
    token = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    assert web.post("/import", data={"upload": token, "mode": "all"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Resident, zhang.id).grid_id == kunwu2.id
    assert db_session.get(Resident, wang.id).grid_id == kunwu2.id
    assert db_session.query(Resident).filter_by(name="周桂英").one().grid_id == kunwu2.id
    assert {m.via for m in db_session.query(ResidentMove)} == {"import"}
    assert db_session.query(AuditEntry).filter_by(action="move_resident").count() == 2
    # someone outside the importer's area cannot be reached by naming their id
    outside = upload(web, (f"网格,姓名,性别,出生年份,地址,居民编号\n"
                           f"{kunwu2.code},赵桂芳,女,1945,濮上路1号,{zhao.id}\n").encode())
    assert outside.status_code == 422
    assert "居民编号：您负责的区域里没有这位居民。" in outside.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Resident, zhao.id).grid_id == scenario.grids["pushang1"].id
