"""Local dates and times for the web view, in the district's zone (``KNOCKDOOR_TIMEZONE``).

Instants are stored in UTC; supervisors think in the district's days (docs/design.md §4a).
"""
from __future__ import annotations

from datetime import date, datetime

from shared import district_day
from shared.clock import utcnow

from ..district import district_zone


def to_local(moment: datetime | None) -> datetime | None:
    return district_day.local_time(moment, district_zone()) if moment is not None else None


def local_date(moment: datetime | None) -> date | None:
    return district_day.local_date(moment, district_zone()) if moment is not None else None


def local_today() -> date:
    return district_day.district_today(utcnow(), district_zone())


def local_midnight_utc(day: date) -> datetime:
    """The UTC instant at which the district's ``day`` begins."""
    return district_day.day_start(day, district_zone())
