"""The district's day on the server: the configured zone (``KNOCKDOOR_TIMEZONE``) and today.

Every calendar question the server asks goes through here; the rules themselves are the pure
helpers of :mod:`shared.district_day`.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from shared.clock import utcnow
from shared.district_day import district_today, zone_named

from .config import Config


def zone_name() -> str:
    """The configured zone's name: the app's when there is one, else the environment's."""
    if has_app_context():
        return current_app.config.get("TIMEZONE") or Config().TIMEZONE
    return Config().TIMEZONE


def district_zone() -> ZoneInfo:
    return zone_named(zone_name())


def today(now: datetime | None = None) -> date:
    """The district's date at ``now`` (default: the current instant)."""
    return district_today(now or utcnow(), district_zone())
