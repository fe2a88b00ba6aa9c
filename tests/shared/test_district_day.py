"""The district's day: local dates of instants and UTC bounds of local days, weeks, months."""
from datetime import date, datetime, timezone

import pytest

from shared.district_day import (DEFAULT_ZONE, UnknownZone, day_bounds, day_end, day_start,
                                 district_today, export_text, local_date, month_start,
                                 next_month_start, week_end, week_start, zone_named,
                                 zone_or_default)

CHINA = zone_named("Asia/Shanghai")
UTC = timezone.utc


@pytest.mark.parametrize("instant, china_day", [
    ("2026-11-29T15:59:00", date(2026, 11, 29)),  # 23:59 on Sunday in China
    ("2026-11-29T16:01:00", date(2026, 11, 30)),  # 00:01 on Monday in China
    ("2026-11-29T23:59:00", date(2026, 11, 30)),  # UTC's Sunday, China's Monday
    ("2026-11-30T00:01:00", date(2026, 11, 30)),
])
def test_the_districts_today_around_both_midnights(instant, china_day):
    now = datetime.fromisoformat(instant).replace(tzinfo=UTC)
    assert district_today(now, CHINA) == local_date(now, CHINA) == china_day


def test_a_local_day_is_bounded_by_utc_instants():
    start, end = day_bounds(date(2026, 11, 30), date(2026, 11, 30), CHINA)
    assert start == datetime(2026, 11, 29, 16, tzinfo=UTC)
    assert end == day_end(date(2026, 11, 30), CHINA) == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert day_start(date(2026, 11, 30), CHINA).tzinfo is UTC


def test_a_day_across_a_daylight_saving_change_is_23_hours_long():
    berlin = zone_named("Europe/Berlin")
    start, end = day_bounds(date(2026, 3, 29), date(2026, 3, 29), berlin)
    assert (end - start).total_seconds() == 23 * 3600


def test_weeks_run_monday_to_sunday_and_months_roll_over():
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)  # a Sunday
    assert week_end(date(2026, 11, 30)) == date(2026, 12, 6)  # a Monday
    assert month_start(date(2026, 11, 30)) == date(2026, 11, 1)
    assert next_month_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert next_month_start(date(2026, 1, 31)) == date(2026, 2, 1)


def test_people_read_the_districts_time():
    assert export_text(datetime(2026, 11, 24, 1, 30, tzinfo=UTC), CHINA) == "2026-11-24 09:30"


def test_a_naive_datetime_is_not_an_instant():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 11, 24, 1, 30), CHINA)


def test_zone_names():
    with pytest.raises(UnknownZone):
        zone_named("Asia/Atlantis")
    assert zone_or_default(None) == zone_or_default("Asia/Atlantis") == zone_named(DEFAULT_ZONE)
    assert zone_or_default("Asia/Kolkata") == zone_named("Asia/Kolkata")
