"""Campaigns (issue 12, point 3): a supervisor starts one for an area and care categories; it
reaches that area's tablets through pull (protocol 4 and later, counted in no digest); the
dashboard and the campaign's page follow its progress; ending it is sent again."""
from __future__ import annotations

import re
from datetime import timedelta

from testkit.web_helpers import api_login
from testkit.web_scenario import add_visit

from server.models import AuditEntry, Campaign
from shared import protocol as p
from shared.clock import parse_instant, utcnow


def start(web, area_id: int, kind: str = "heatwave", categories=("alone",), note: str = ""):
    return web.post("/campaigns", data={"area": str(area_id), "kind": kind,
                                        "categories": list(categories), "note": note})


def pull_all(client, token: str, protocol: int) -> list[dict]:
    cursor, changes = None, []
    while True:
        page = client.post("/api/v1/sync/pull", json={"protocol": protocol, "cursor": cursor},
                           headers={"Authorization": f"Bearer {token}"}).get_json()
        changes.extend(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes + [{"grids": page["grids"]}]


def test_start_follow_and_end_a_campaign(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    response = start(web, scenario.communities["kunwu"].id, note="今天最高气温39℃，请逐户查看")
    assert response.status_code == 302
    db_session.rollback()
    campaign = db_session.query(Campaign).one()
    assert campaign.categories == ["alone"] and campaign.kind == "heatwave"
    assert campaign.due_at - campaign.started_at == timedelta(hours=24)
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    # 昆吾社区's residents living alone: 张利霞, 王秀英, 陈玉珍 (杨淑芬 moved away).
    names = {scenario.residents[k].id for k in ("zhang", "wang", "chen")}
    assert set(re.findall(r'data-resident="([^"]+)" data-reached="no"', page)) == names
    assert "0 / 3" in page
    # 张利霞 is met after the campaign began: 1 of 3.
    db_session.rollback()
    add_visit(db_session, scenario.residents["zhang"], scenario.people["vol_a"],
              utcnow() + timedelta(minutes=1), p.MET)
    db_session.commit()
    page = web.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "1 / 3" in page and 'data-reached="yes"' in page
    dashboard = web.get("/").get_data(as_text=True)
    card = dashboard[dashboard.index('id="campaigns-card"'):]
    assert campaign.id in card and "1／3 位" in card
    assert web.post(f"/campaigns/{campaign.id}/end").status_code == 302
    db_session.rollback()
    assert db_session.get(Campaign, campaign.id).ended_at is not None
    assert 'id="campaigns-card"' not in web.get("/").get_data(as_text=True)
    actions = [a.action for a in db_session.query(AuditEntry).order_by(AuditEntry.id)]
    assert "start_campaign" in actions and "end_campaign" in actions
    assert "发起集中走访" in web.get("/audit").get_data(as_text=True)


def test_a_campaign_reaches_the_areas_tablets_and_no_others(as_user, client, scenario,
                                                            db_session):
    web = as_user("kunwu_sup")
    start(web, scenario.grids["kunwu1"].id, kind="cold_snap", categories=())
    campaign = db_session.query(Campaign).one()
    token = api_login(client, "vol_a", scenario.password)  # kunwu1 and kunwu2
    changes = pull_all(client, token, p.PROTOCOL_VERSION)
    sent = [c for c in changes if c.get("entity") == p.CAMPAIGN]
    assert [c["grid_id"] for c in sent] == [scenario.grids["kunwu1"].id]
    data = sent[0]["data"]
    assert data["campaign_id"] == campaign.id and data["kind"] == "cold_snap"
    assert data["categories"] == [] and data["ended_at"] is None
    assert parse_instant(data["due_at"]) - parse_instant(data["started_at"]) == \
        timedelta(hours=24)
    # An app older than campaigns never receives one, and the digests do not depend on it.
    old_changes = pull_all(client, token, p.CAMPAIGNS_SINCE_PROTOCOL - 1)
    assert not [c for c in old_changes if c.get("entity") == p.CAMPAIGN]
    assert old_changes[-1]["grids"] == changes[-1]["grids"]
    other = api_login(client, "vol_c", scenario.password)  # 濮上社区
    assert not [c for c in pull_all(client, other, p.PROTOCOL_VERSION)
                if c.get("entity") == p.CAMPAIGN]
    # Ending it sends the record again, with the end.
    web.post(f"/campaigns/{campaign.id}/end")
    again = [c for c in pull_all(client, token, p.PROTOCOL_VERSION)
             if c.get("entity") == p.CAMPAIGN]
    assert len(again) == 1 and again[0]["data"]["ended_at"] is not None


def test_bad_campaigns_are_refused_by_name_and_change_nothing(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    kunwu = scenario.communities["kunwu"].id
    for response, words in ((start(web, kunwu, kind="party"), "原因"),
                            (start(web, kunwu, categories=("rich",)), "关爱类别"),
                            (start(web, kunwu, note="很" * 201), "200"),
                            (start(web, scenario.communities["pushang"].id), "区域")):
        assert response.status_code == 422
        assert words in response.get_data(as_text=True)
    db_session.rollback()
    assert db_session.query(Campaign).count() == 0
    start(as_user("pushang_sup"), scenario.communities["pushang"].id)
    db_session.rollback()
    other = db_session.query(Campaign).one()
    assert web.get(f"/campaigns/{other.id}").status_code == 404
    assert web.post(f"/campaigns/{other.id}/end").status_code == 404
    assert other.id not in web.get("/campaigns").get_data(as_text=True)
