"""Local dates for the web view. Instants are stored in UTC; supervisors think in local days."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_app_context

#: China Standard Time; override with the app config key WEB_UTC_OFFSET_HOURS.
DEFAULT_UTC_OFFSET_HOURS = 8


def utc_offset() -> timedelta:
    hours = DEFAULT_UTC_OFFSET_HOURS
    if has_app_context():
        hours = current_app.config.get("WEB_UTC_OFFSET_HOURS", DEFAULT_UTC_OFFSET_HOURS)
    return timedelta(hours=hours)


def local_tz() -> timezone:
    return timezone(utc_offset())


def to_local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(local_tz()) if moment is not None else None


def local_date(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment is not None else None


def local_today() -> date:
    return datetime.now(local_tz()).date()


def local_midnight_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` begins."""
    return datetime(day.year, day.month, day.day, tzinfo=local_tz()).astimezone(timezone.utc)
