"""A campaign started on the web reaches the tablet through pull and sits at the top of Today
with the residents still to visit; a visit that meets one takes them off; ending it, or the
grid leaving the tablet, takes it away. Digests are unchanged by it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from client.ui import i18n
from client.ui.presenters.campaigns import campaign_banners, campaign_text
from server.campaigns import end_campaign, start_campaign
from server.models import Assignment, Campaign
from shared import protocol as p
from shared.clock import utcnow


def start(db_session, grid, categories=("alone",), kind="heatwave", ahead: int = 0) -> Campaign:
    # Wire instants are whole seconds: ``ahead`` starts it after visits made this second.
    campaign = start_campaign(db_session, area_id=grid.grid.id, grid_ids={grid.grid.id},
                              kind=kind, note="午后高温，请重点查看独居老人", categories=categories,
                              allowed_categories=p.LIVING_SITUATIONS, person_id=None,
                              now=utcnow() + timedelta(seconds=ahead))
    db_session.commit()
    return campaign


def test_a_campaign_reaches_the_top_of_today_and_follows_the_visits(grid, tablet_for,
                                                                    db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    campaign = start(db_session, grid)
    report = alice.sync()
    assert report.ok and report.digest_mismatches == []
    assert alice.store.local_digests() == alice.store.server_digests()
    assert alice.store.quarantined() == []
    due = alice.campaigns_today()
    zhang, _wang, li = grid.residents
    assert [item.campaign_id for item in due] == [campaign.id]
    assert set(due[0].resident_ids) == {zhang.id, li.id}  # living alone; 王秀英 is empty nest
    alice.record_visit(zhang.id, "met")  # met on this tablet, before any sync
    assert alice.campaigns_today()[0].resident_ids == [li.id]
    alice.record_visit(li.id, "no_answer")  # a closed door does not count
    assert alice.campaigns_today()[0].resident_ids == [li.id]

    i18n.set_language("zh_CN")
    banner = campaign_banners(alice.campaigns_today())[0]
    assert banner["title"] == "高温天气：请在 24 小时内走访"
    assert banner["line"].startswith("还有 1 位居民要走访，截止 ")
    assert banner["note"] == "午后高温，请重点查看独居老人"
    text = campaign_text(alice.campaigns_today())
    assert text.startswith("高温天气：请在 24 小时内走访 · 还有 1 位居民要走访，截止 ")
    assert text.endswith("：李桂兰\n午后高温，请重点查看独居老人")

    end_campaign(db_session, db_session.get(Campaign, campaign.id), {grid.grid.id}, None,
                 utcnow())
    db_session.commit()
    assert alice.sync().ok
    assert alice.campaigns_today() == []


def test_everyone_met_or_past_the_grace_or_grid_gone(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    start(db_session, grid, categories=())  # everyone in the grid: three residents
    assert alice.sync().ok
    assert len(alice.campaigns_today()[0].resident_ids) == 3
    for resident in grid.residents:
        alice.record_visit(resident.id, "met")
    assert alice.campaigns_today() == []  # nobody left to visit: no banner

    old = start(db_session, grid, kind="storm")
    old.started_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    old.due_at = old.started_at + timedelta(hours=24)
    end_campaign(db_session, old, set(), None, utcnow())  # relogged below, not ended
    old.ended_at = None
    from server.campaigns import _log
    _log(db_session, old, {grid.grid.id})
    db_session.commit()
    assert alice.sync().ok
    assert alice.campaigns_today() == []  # more than two days past its deadline

    start(db_session, grid, kind="cold_snap", categories=(), ahead=2)
    assert alice.sync().ok and alice.campaigns_today()
    db_session.query(Assignment).filter_by(person_id=grid.volunteer.id).update(
        {"ends_on": datetime(2020, 1, 1).date()})
    db_session.commit()
    alice.sync()
    assert alice.campaigns_today() == []
    with alice.store.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM campaigns").fetchone()[0] == 0
