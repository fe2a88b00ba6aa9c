"""The web view's days and times are the district's (Asia/Shanghai here), at any hour and
whatever zone the server machine itself is set to."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
import time_machine
from testkit.web_scenario import add_visit

from server.web.queries.visits import visits_per_day
from shared import protocol as p

#: Monday 30 November 2026, 10:00 in China.
MONDAY_MORNING = "2026-11-30T02:00:00Z"
SUNDAY_LATE = datetime(2026, 11, 29, 15, 30, tzinfo=timezone.utc)  # 23:30 on Sunday in China
MONDAY_EARLY = datetime(2026, 11, 29, 16, 30, tzinfo=timezone.utc)  # 00:30 on Monday in China


@pytest.fixture
def monday_morning():
    with time_machine.travel(MONDAY_MORNING, tick=False):
        yield


@pytest.fixture
def two_late_visits(monday_morning, scenario, db_session):
    """The scenario as of Monday morning, with a visit at 23:30 on Sunday and one at 00:30 on
    Monday, China time: both on Sunday in UTC."""
    chen, sun = scenario.residents["chen"], scenario.residents["li"]
    add_visit(db_session, chen, scenario.people["vol_a"], SUNDAY_LATE, p.MET)
    add_visit(db_session, sun, scenario.people["vol_b"], MONDAY_EARLY, p.MET)
    db_session.commit()
    return scenario


def names_on(client, day: str) -> set[str]:
    html = client.get(f"/visits?day={day}").get_data(as_text=True)
    return set(re.findall(r'href="/residents/[0-9a-f-]{36}">([^<]+)</a>', html))


def test_a_visit_belongs_to_the_districts_day(two_late_visits, as_user, machine_in_new_york):
    web = as_user("kunwu_sup")
    sunday = names_on(web, "2026-11-29")
    assert "陈玉珍" in sunday and "李桂兰" not in sunday
    assert names_on(web, "2026-11-30") == {"李桂兰"}
    html = web.get("/").get_data(as_text=True)
    counts = dict(re.findall(r'data-day="([\d-]+)" data-count="(\d+)"', html))
    assert counts["2026-11-30"] == "1"  # today, in China: the 00:30 visit only
    page = web.get(f"/residents/{two_late_visits.residents['li'].id}").get_data(as_text=True)
    assert "2026-11-30 00:30" in page and "16:30" not in page


def test_the_chart_counts_by_district_day_on_both_databases(two_late_visits, app, db_session):
    with app.app_context():
        per_day = dict(visits_per_day(db_session, None))
    assert per_day[datetime(2026, 11, 30).date()] == 1
    assert per_day[datetime(2026, 11, 29).date()] >= 1


def test_exports_write_the_districts_times_never_utc(two_late_visits, as_user):
    web = as_user("kunwu_sup")
    data = web.get("/export/download?kind=visits&format=csv&from=2026-11-30"
                   "&to=2026-11-30").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert [row[header.index("姓名")] for row in body] == ["李桂兰"]
    assert body[0][header.index("走访时间")] == "2026-11-30 00:30"
    assert body[0][header.index("上传时间")] == "2026-11-30 00:30"


@pytest.mark.parametrize("bad", ["Mars/Olympus", "../etc", "UTC+8"])
def test_an_unknown_zone_stops_the_server_at_start(bad, database_url):
    from server import create_app
    from shared.district_day import UnknownZone
    with pytest.raises(UnknownZone):
        create_app({"DATABASE_URL": database_url, "TIMEZONE": bad, "SECRET_KEY": "t"})


def test_the_zone_comes_from_the_environment(monkeypatch):
    from server.config import Config
    monkeypatch.setenv("KNOCKDOOR_TIMEZONE", "Asia/Urumqi")
    assert Config().TIMEZONE == "Asia/Urumqi"
    monkeypatch.setenv("KNOCKDOOR_TIMEZONE", "")
    assert Config().TIMEZONE == "Asia/Shanghai"
