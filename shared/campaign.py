"""Campaigns (issue 12, point 3): after a heatwave, a cold snap or a storm, or before a
festival, everyone of some care categories in an area is to be visited within 24 hours. One
rule for the server (its progress page) and the tablet (the top of Today). Pure."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from .protocol import AGED_80_PLUS

#: 高龄 is computed from the birth year, never stored (LANGUAGE.md).
AGED_FROM = 80


def resident_categories(categories: Iterable[str] | None, birth_year: int | None,
                        today: date) -> set[str]:
    """The resident's care categories, 高龄 from the birth year (a stored 80+ tag is ignored)."""
    found = {code for code in categories or () if code != AGED_80_PLUS}
    if birth_year is not None and today.year - birth_year >= AGED_FROM:
        found.add(AGED_80_PLUS)
    return found


def concerns(campaign_categories: Iterable[str] | None, categories: Iterable[str] | None,
             birth_year: int | None, today: date) -> bool:
    """Whether a campaign for ``campaign_categories`` (none: everyone) takes in this resident."""
    wanted = set(campaign_categories or ())
    return not wanted or bool(wanted & resident_categories(categories, birth_year, today))


def reached(last_met_at: datetime | None, started_at: datetime) -> bool:
    """Met since the campaign began: done for this campaign."""
    return last_met_at is not None and last_met_at >= started_at


def is_open(ended_at: datetime | None, due_at: datetime, now: datetime,
            grace_hours: int = 48) -> bool:
    """Shown on Today until a supervisor ends it, and at most two days past its deadline."""
    return ended_at is None and (now - due_at).total_seconds() <= grace_hours * 3600
