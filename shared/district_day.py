"""The district's day (DESIGN.md §4a): one time zone for every calendar question.

Instants are UTC on the wire and in the database. Whether an assignment is current, who is due
today, this week's coverage, which day a visit belongs to and every time a person reads are
asked in the district's zone, on the server and on the tablet alike. Pure functions: the caller
passes the instant ("now") and the zone, so nothing here reads a clock.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"


class UnknownZone(ValueError):
    """A zone name the zone database does not know."""


@lru_cache(maxsize=32)
def zone_named(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name such as ``Asia/Shanghai``); UnknownZone if none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise UnknownZone(f"Unknown time zone {name!r}: use an IANA name such as "
                          f"{DEFAULT_ZONE!r}.") from error


def zone_or_default(name: str | None) -> ZoneInfo:
    """The zone a peer named, or the default when it named none or one this side cannot use."""
    try:
        return zone_named(name) if name else zone_named(DEFAULT_ZONE)
    except UnknownZone:
        return zone_named(DEFAULT_ZONE)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime is not an instant: give it a time zone (UTC)")
    return moment


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant as a wall-clock time in the district."""
    return _aware(moment).astimezone(zone)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The district's calendar day on which the instant falls."""
    return local_time(moment, zone).date()


def district_today(now: datetime, zone: ZoneInfo) -> date:
    """Today in the district at the instant ``now``."""
    return local_date(now, zone)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the district's ``day`` begins."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(timezone.utc)


def day_end(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the district's ``day`` ends (the next day's start; exclusive)."""
    return day_start(day + timedelta(days=1), zone)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (weeks run Monday to Sunday in China)."""
    return day - timedelta(days=day.weekday())


def week_end(day: date) -> date:
    """The Sunday of ``day``'s week."""
    return week_start(day) + timedelta(days=6)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants [start, end) covering the district's days ``first`` to ``last`` inclusive."""
    return day_start(first, zone), day_end(last, zone)


# ---- for people -------------------------------------------------------------------------------

def clock_text(moment: datetime, zone: ZoneInfo) -> str:
    """'09:30' in the district."""
    return local_time(moment, zone).strftime("%H:%M")


def export_text(moment: datetime, zone: ZoneInfo) -> str:
    """'2026-11-24 09:30' in the district: how exports write an instant (never UTC)."""
    return local_time(moment, zone).strftime("%Y-%m-%d %H:%M")


def day_text(day: date) -> str:
    """'2026-11-24': a district day in tables."""
    return day.isoformat()
