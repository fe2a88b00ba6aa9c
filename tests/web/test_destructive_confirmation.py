"""Revoking a tablet, deactivating an account and ending an assignment each ask first: a page
says what will happen, a reason is required, and the reason goes into the audit log."""
from __future__ import annotations

import re
from datetime import timedelta

from server.models import Assignment, AuditEntry, Device, Person
from server.web.timeutil import to_local
from shared.clock import utcnow


def facts(html: str) -> str:
    match = re.search(r'<ul class="consequences">(.*?)</ul>', html, re.S)
    assert match, "no consequences listed"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def fresh(db_session, model, key):
    """The row as the database has it now (not as this session last saw it)."""
    db_session.rollback()
    db_session.expire_all()
    return db_session.get(model, key)


def reasons(db_session, action: str) -> list:
    db_session.rollback()
    return [entry.detail.get("reason") for entry in
            db_session.query(AuditEntry).filter_by(action=action)]


def sentence_time(moment) -> str:
    local = to_local(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def test_revoking_a_tablet_says_what_is_lost_and_needs_a_reason(as_user, scenario, db_session):
    device = scenario.devices["tablet_b"]  # vol_b's, last sent five days ago
    web = as_user("kunwu_sup")
    page = web.get(f"/tablets/{device.id}/revoke?back=/tablets")
    assert page.status_code == 200
    said = facts(page.get_data(as_text=True))
    assert "清除" in said and "丢失" in said
    assert sentence_time(device.last_push_at) in said  # when it last uploaded, as we know it
    assert "停用平板（未上传的记录会丢失）" in page.get_data(as_text=True)
    for missing in ({}, {"reason": "   "}, {"reason": "丢" * 201}):
        refused = web.post(f"/tablets/{device.id}/revoke", data=missing)
        assert refused.status_code == 422
        assert "原因" in refused.get_data(as_text=True)
        assert fresh(db_session, Device, device.id).revoked_at is None
    done = web.post(f"/tablets/{device.id}/revoke", data={"reason": "平板在小区丢失",
                                                          "back": "/tablets"})
    assert done.status_code == 302 and done.headers["Location"] == "/tablets"
    assert fresh(db_session, Device, device.id).revoked_at is not None
    assert reasons(db_session, "revoke_device") == ["平板在小区丢失"]


def test_what_is_lost_follows_what_the_server_knows_of_the_tablet(as_user, scenario,
                                                                 db_session):
    """The app pulls only after it has pushed everything: its last pull is the moment up to
    which nothing was left unsent. Without one, the last push is all we know; without either,
    everything on the tablet is unsent."""
    device = scenario.devices["tablet_a"]
    web = as_user("kunwu_sup")
    pulled, pushed = utcnow() - timedelta(hours=5), utcnow() - timedelta(days=2)
    device.last_pull_at, device.last_push_at = pulled, pushed
    db_session.commit()
    said = facts(web.get(f"/tablets/{device.id}/revoke").get_data(as_text=True))
    assert f"上次联网更新是在 {sentence_time(pulled)}" in said and "都已上传" in said
    device.last_pull_at = None
    db_session.commit()
    said = facts(web.get(f"/tablets/{device.id}/revoke").get_data(as_text=True))
    assert f"最后一次上传记录是在 {sentence_time(pushed)}" in said
    device.last_push_at = None
    db_session.commit()
    said = facts(web.get(f"/tablets/{device.id}/revoke").get_data(as_text=True))
    assert "还没有上传过任何记录" in said


def test_deactivating_an_account_warns_of_its_tablets_and_needs_a_reason(as_user, scenario,
                                                                        db_session):
    vol_b = scenario.people["vol_b"]
    web = as_user("kunwu_sup")
    page = web.get(f"/people/{vol_b.id}/deactivate")
    assert page.status_code == 200
    said = facts(page.get_data(as_text=True))
    assert "不能再登录" in said and "1 台平板" in said and "清除" in said
    assert sentence_time(scenario.devices["tablet_b"].last_push_at) in said
    assert web.post(f"/people/{vol_b.id}/deactivate").status_code == 422
    assert fresh(db_session, Person, vol_b.id).active
    assert web.post(f"/people/{vol_b.id}/deactivate",
                    data={"reason": "已离职"}).status_code == 302
    assert not fresh(db_session, Person, vol_b.id).active
    assert reasons(db_session, "deactivate_person") == ["已离职"]


def test_ending_an_assignment_says_what_leaves_the_tablets_and_needs_a_reason(as_user, scenario,
                                                                             db_session):
    vol_a = scenario.people["vol_a"]
    assignment = db_session.query(Assignment).filter_by(
        person_id=vol_a.id, area_id=scenario.grids["kunwu2"].id).one()
    assignment_id = assignment.id
    web = as_user("kunwu_sup")
    page = web.get(f"/assignments/{assignment_id}/end")
    assert page.status_code == 200
    said = facts(page.get_data(as_text=True))
    assert "昆吾社区第2网格" in said and "移除" in said and "14 天内仍可上传" in said
    assert web.post(f"/assignments/{assignment_id}/end").status_code == 422
    assert fresh(db_session, Assignment, assignment_id).ends_on is None
    assert web.post(f"/assignments/{assignment_id}/end",
                    data={"reason": "调往绿城社区"}).status_code == 302
    assert fresh(db_session, Assignment, assignment_id).ends_on is not None
    assert reasons(db_session, "end_assignment") == ["调往绿城社区"]


def test_the_pages_offer_no_one_click_destruction(as_user, scenario):
    """The buttons on the lists open the confirmation; none of them posts the action."""
    web = as_user("kunwu_sup")
    for path in ("/tablets", f"/people/{scenario.people['vol_a'].id}"):
        html = web.get(path).get_data(as_text=True)
        posting = re.findall(r'<form method="post" action="([^"]*(?:revoke|deactivate|/end))"',
                             html)
        assert posting == [], path
        assert re.search(r'<form method="get" action="[^"]*(revoke|/end)"', html), path


def test_the_confirmations_speak_the_pages_language(as_user, scenario):
    web = as_user("kunwu_sup")
    paths = [f"/tablets/{scenario.devices['tablet_b'].id}/revoke",
             f"/people/{scenario.people['vol_b'].id}/deactivate"]
    for path in paths:
        main = re.search(r"<main>(.*)</main>", web.get(path + "?lang=zh_CN").get_data(
            as_text=True), re.S)
        text = re.sub(r"<[^>]+>", " ", main.group(1)).replace("vol_b", "")
        assert not re.findall(r"[A-Za-z]{4,}", text), (path, text)
        english = web.get(path + "?lang=en").get_data(as_text=True)
        chrome = re.sub(r"<[^>]+>", " ", re.search(r"<main>(.*)</main>", english, re.S).group(1))
        chinese = set(re.findall(r"[\u4e00-\u9fff]+", chrome))
        assert chinese <= {"平板", "刘芳"}, chinese  # only the data: the tablet's and person's names
