"""The dashboard's figures are what the seeded data implies, and each links to its list."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

from testkit.web_scenario import add_visit

from server.models import Visit
from server.sync.batch import ChangeBatch
from shared import protocol as p
from shared.clock import utcnow
from testkit.clock import today_in_china


def tile(html: str, tile_id: str) -> str:
    match = re.search(rf'id="{tile_id}">\s*<span class="big">([^<]*)</span>', html)
    assert match, tile_id
    return match.group(1).strip()


def listed_names(html: str) -> set[str]:
    return set(re.findall(r'href="/residents/[0-9a-f-]{36}">([^<]+)</a>', html))


def test_dashboard_figures_match_the_data(around_midnight, as_user, scenario):
    html = as_user("kunwu_sup").get("/").get_data(as_text=True)
    expected = scenario.expected
    assert tile(html, "tile-coverage") == f"{round(100 * expected.covered / expected.active)}%"
    assert tile(html, "tile-overdue") == str(expected.overdue)
    assert tile(html, "tile-follow-ups") == str(expected.follow_ups)
    assert tile(html, "tile-health") == str(expected.health_flags)
    assert tile(html, "tile-conflicts") == str(expected.open_conflicts)
    assert tile(html, "tile-stale") == str(expected.stale_tablets)
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', html)]
    assert len(counts) == 30 and sum(counts) == expected.visits_30_days
    kunwu = scenario.communities["kunwu"].id
    assert re.search(rf'data-pct="{kunwu}">60%', html)
    assert re.search(rf'data-pct="{scenario.grids["kunwu1"].id}">50%', html)


def test_every_number_opens_its_list(around_midnight, as_user, scenario):
    client = as_user("kunwu_sup")
    assert listed_names(client.get("/residents?show=covered").get_data(as_text=True)) == \
        {"张利霞", "李桂兰", "刘德华"}
    assert listed_names(client.get("/residents?show=overdue").get_data(as_text=True)) == \
        {"王秀英"}
    assert listed_names(client.get("/residents?show=follow_up").get_data(as_text=True)) == \
        {"王秀英"}
    assert listed_names(client.get("/health").get_data(as_text=True)) == {"张利霞"}
    stale = client.get("/tablets?show=stale").get_data(as_text=True)
    assert "平板-vol_b" in stale and "平板-vol_a" not in stale
    day = today_in_china() - timedelta(days=2)
    assert "张利霞" in listed_names(client.get(f"/visits?day={day}").get_data(as_text=True))


def test_admin_dashboard_covers_the_district(as_user, scenario):
    html = as_user("admin").get("/").get_data(as_text=True)
    assert tile(html, "tile-health") == "2"  # 张利霞 and 赵桂芳
    assert tile(html, "tile-stale") == "2"
    assert "长庆路街道" in html and "中原路街道" in html


def test_a_voided_visit_counts_nowhere(as_user, scenario, db_session):
    zhang = scenario.residents["zhang"]
    high = db_session.query(Visit).filter_by(resident_id=zhang.id).one()
    batch = ChangeBatch(db_session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": zhang.id, "grid_id": zhang.grid_id,
                     "author_id": scenario.people["vol_a"].id, "device_id": None,
                     "visited_at": utcnow(), "device_time": utcnow(), "recorded_at": utcnow(),
                     "outcome": None, "details": {}, "corrects_id": high.id,
                     "correction": p.VOID}, "王建国", zhang)
    batch.flush()
    db_session.commit()
    html = as_user("kunwu_sup").get("/").get_data(as_text=True)
    assert tile(html, "tile-health") == "0"
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', html)]
    assert sum(counts) == scenario.expected.visits_30_days - 1


def test_a_met_visit_closes_the_follow_up(as_user, scenario, db_session):
    add_visit(db_session, scenario.residents["wang"], scenario.people["vol_a"], utcnow(), p.MET)
    db_session.commit()
    html = as_user("kunwu_sup").get("/").get_data(as_text=True)
    assert tile(html, "tile-follow-ups") == "0"
    assert tile(html, "tile-overdue") == "0"


def test_grid_page_lists_people_and_residents(as_user, scenario):
    client = as_user("kunwu_sup")
    grid = scenario.grids["kunwu1"].id
    html = client.get(f"/grids/{grid}").get_data(as_text=True)
    assert "王建国" in html and "刘芳" in html
    assert listed_names(html) == {"张利霞", "王秀英", "李桂兰", "陈玉珍"}
    assert "已逾期" in html
    assert listed_names(client.get(f"/grids/{grid}?q=zlx").get_data(as_text=True)) == {"张利霞"}
    assert listed_names(client.get(f"/grids/{grid}?show=overdue").get_data(as_text=True)) == \
        {"王秀英"}
