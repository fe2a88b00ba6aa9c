"""The tablet reckons days and shows times in the district's zone, which the server names,
whatever zone the tablet itself is set to and at whatever hour the test runs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from client.service import FieldService
from client.transport import FlaskTransport
from client.ui import i18n
from client.ui import presenters as pr
from server import create_app
from shared.clock import utcnow
from shared.district_day import day_start, zone_named
from shared.due import DUE_TODAY
from testkit.clock import CHINA, today_in_china
from testkit.factories import PASSWORD


@pytest.fixture(autouse=True)
def chinese_in_china():
    i18n.set_language("zh_CN")
    pr.use_district_zone(CHINA)
    yield
    i18n.set_language("zh_CN")
    pr.use_district_zone(CHINA)


def test_a_resident_met_a_week_ago_is_due_today_at_every_hour(around_midnight, grid, tablet_for,
                                                             machine_in_new_york):
    check_at = utcnow()
    alice = tablet_for("alice")
    alice.sync()
    zhang = alice.today_list("zlx")[0]  # lives alone: weekly
    # 10:00 in China, seven district days before today.
    met_at = day_start(today_in_china() - timedelta(days=7), CHINA) + timedelta(hours=10)
    around_midnight.move_to(met_at)
    alice.record_visit(zhang.id, "met")
    assert alice.sync().ok
    around_midnight.move_to(check_at)
    assert alice.resident(zhang.id).summary.due.status == DUE_TODAY
    assert alice.today() == today_in_china()


def test_the_tablet_learns_the_districts_zone_from_the_server(engine, database_url, grid,
                                                             tmp_path):
    kolkata = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "t",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "TIMEZONE": "Asia/Kolkata"})
    tablet = FieldService(tmp_path / "tablet", transport_factory=lambda _url:
                          FlaskTransport(kolkata), sleep=lambda _seconds: None)
    try:
        # Before anyone signs in: the default district's zone.
        assert tablet.district_zone == CHINA
        tablet.sign_in("http://in-process", "alice", PASSWORD, "平板")
        assert tablet.district_zone == zone_named("Asia/Kolkata")
        # 17:00 UTC is already 1 December in China but still 30 November in India.
        with time_machine.travel("2026-11-30T17:00:00Z", tick=False):
            assert str(tablet.today()) == "2026-11-30"
        tablet.store.set_meta({"district_zone": "Nowhere/Atlantis"})  # what a server might say
        assert tablet.district_zone == CHINA
        assert tablet.sync().ok  # every pull names the zone again
        assert tablet.district_zone == zone_named("Asia/Kolkata")
    finally:
        tablet.close()


# ---- times a volunteer reads ---------------------------------------------------------------

#: (instant, a moment two minutes earlier as shown) around both midnights (testkit/clock.py).
SHOWN_TWO_MINUTES_BEFORE = {
    "2026-11-29T15:59:00Z": "今天 23:57",  # 23:59 on Sunday in China
    "2026-11-29T16:01:00Z": "昨天 23:59",  # 00:01 on Monday in China
    "2026-11-29T23:59:00Z": "今天 07:57",  # UTC's Sunday, China's Monday
    "2026-11-30T00:01:00Z": "今天 07:59",  # UTC's Monday: the moment was UTC's Sunday
}


def test_times_read_in_the_districts_time_at_every_hour(around_midnight, machine_in_new_york):
    now = utcnow()
    expected = SHOWN_TWO_MINUTES_BEFORE[now.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert pr.format_moment(now - timedelta(minutes=2)) == expected


def test_older_times_carry_the_day_and_the_year_only_when_not_this_year():
    now = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in China
    at = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)  # 09:30 in China
    assert pr.format_moment(at, now) == "11月24日 09:30"
    assert pr.format_moment(at - timedelta(days=365), now) == "2025年11月24日 09:30"
    assert pr.format_moment(now - timedelta(hours=12), now) == "昨天 22:00"
    i18n.set_language("en")
    assert pr.format_moment(at, now) == "11/24 09:30"
    assert pr.format_moment(now, now) == "Today 10:00"


def test_the_zone_the_server_names_is_the_one_shown():
    now = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    pr.use_district_zone(zone_named("Asia/Kolkata"))
    assert pr.format_moment(now, now) == "今天 07:30"


def test_a_follow_up_day_reads_like_a_date():
    with time_machine.travel("2026-11-29T16:01:00Z", tick=False):  # Monday 30 November, China
        entry = pr.visit_entry({"id": "v", "visited_at": "2026-11-29T16:00:00Z",
                                "outcome": "met", "follow_up_on": "2026-12-03"})
        assert "12月3日" in " ".join(str(v) for v in entry.values())
        assert pr.today_in_district().isoformat() == "2026-11-30"


def test_the_next_visit_day_reads_like_a_date():
    from client.service import ResidentSummary
    from shared.due import NOT_DUE, DueStatus
    summary = ResidentSummary(id="r", name="张利霞", address="", sex="F", age=80, grid_id=1,
                              grid_name="", care_categories=[], status="active",
                              due=DueStatus(NOT_DUE, datetime(2026, 12, 9).date(), 0),
                              last_visit_at=None, follow_up_since=None, unsent=0)
    with time_machine.travel("2026-11-29T16:01:00Z", tick=False):
        assert pr.due_badge(summary) == ("下次 12月9日", "muted")
    with time_machine.travel("2025-12-31T08:00:00Z", tick=False):
        assert pr.due_badge(summary)[0] == "下次 2026年12月9日"
