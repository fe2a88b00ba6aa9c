"""我的履职: the tablet's own figure, computed offline by the shared core from what it pulled,
equals the server's once it has synced (issue 15): the month, the year, and after a void."""
from __future__ import annotations

import re
import uuid

import pytest
import time_machine

from client.ui.presenters.duty import my_duty
from server.sync.batch import ChangeBatch
from shared import protocol as p
from shared.clock import utcnow
from shared.district_day import zone_named
from testkit.web_helpers import WebClient, api_login, api_pull_all
from testkit.web_scenario import add_visit, build_scenario

NOW = "2026-11-20T04:00:00Z"
CHINA = zone_named("Asia/Shanghai")


@pytest.fixture
def scenario(db_session):
    with time_machine.travel(NOW, tick=False):
        built = build_scenario(db_session)
        db_session.commit()
        yield built


def tablet_figures(client, scenario, username="vol_a"):
    records = api_pull_all(client, api_login(client, username, scenario.password))
    residents = [data for (entity, _), data in records.items() if entity == p.RESIDENT]
    visits = [data for (entity, _), data in records.items() if entity == p.VISIT]
    return my_duty(scenario.people[username].id, residents, visits, CHINA, utcnow())


def server_figure(app, scenario, period: str) -> int:
    web = WebClient(app.test_client(), "kunwu_sup", scenario.password)  # vol_a's grids
    html = web.get(f"/points?period={period}").get_data(as_text=True)
    return int(re.search(rf'data-person="{scenario.people["vol_a"].id}">(-?\d+)<',
                         html).group(1))


def test_the_tablet_shows_the_servers_points_after_a_sync(app, client, scenario, db_session):
    mine = tablet_figures(client, scenario)
    assert (mine.month, mine.year) == (9, 9)
    assert mine.month == server_figure(app, scenario, "month")
    assert mine.year == server_figure(app, scenario, "year")
    assert mine.month_sources == {"visit_met": 6, "visit_vulnerable": 3}
    # A visit, then its void (as another tablet would push them): both sides agree again.
    zhang, vol_a = scenario.residents["zhang"], scenario.people["vol_a"]
    visit_id = add_visit(db_session, zhang, vol_a, utcnow())
    batch = ChangeBatch(db_session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": zhang.id, "grid_id": zhang.grid_id,
                     "author_id": vol_a.id, "device_id": None, "visited_at": utcnow(),
                     "device_time": utcnow(), "recorded_at": utcnow(), "outcome": None,
                     "details": {}, "corrects_id": visit_id, "correction": p.VOID},
                    vol_a.display_name, zhang)
    batch.flush()
    add_visit(db_session, scenario.residents["li"], vol_a, utcnow())
    db_session.commit()
    mine = tablet_figures(client, scenario)
    assert mine.month == server_figure(app, scenario, "month") == 9 + 2
    assert any(entry.note == "voided" for entry in mine.recent)
