"""Who is due a visit, and which follow-ups are open. One rule for server and tablet.

A resident's cadence is their own ``visit_cadence_days`` when set, otherwise their risk tier's
cadence as the district configures it (shared/district_rules.py), and for a resident not yet given
a tier: weekly for people living alone or aged 80 and over, fortnightly for everybody else. Only a
visit that met the resident counts: knocking on a door nobody opened does not make anyone less
overdue.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from .district_day import local_date
from .district_rules import DEFAULT_RULES, DistrictRules, is_aged_80_plus
from .district_rules import age_on as age_on
from .protocol import ALONE, MET, NO_ANSWER, VOID, Outcome

#: Outcomes that met the resident (an emergency found and handled was a meeting too).
MET_OUTCOMES = frozenset({MET, Outcome.EMERGENCY.value})

WEEKLY = 7
FORTNIGHTLY = 14

OVERDUE = "overdue"
DUE_TODAY = "due_today"
DUE_THIS_WEEK = "due_this_week"
NOT_DUE = "not_due"
INACTIVE = "inactive"
#: Sort order of the Today list.
STATUS_ORDER = {OVERDUE: 0, DUE_TODAY: 1, DUE_THIS_WEEK: 2, NOT_DUE: 3, INACTIVE: 4}


def cadence_days(care_categories: Iterable[str], birth_year: int | None,
                 visit_cadence_days: int | None, today: date, risk_tier: str | None = None,
                 rules: DistrictRules = DEFAULT_RULES) -> int:
    if visit_cadence_days:
        return visit_cadence_days
    if risk_tier and risk_tier in rules.cadence_days:
        return rules.cadence_days[risk_tier]
    if ALONE in set(care_categories or ()) or is_aged_80_plus(birth_year, today):
        return WEEKLY
    return FORTNIGHTLY


@dataclass(frozen=True)
class DueStatus:
    status: str
    next_due: date | None  # None: never met, due since the resident joined the roster
    days_overdue: int  # 0 unless overdue

    @property
    def sort_key(self) -> tuple:
        return (STATUS_ORDER[self.status], -self.days_overdue,
                self.next_due or date.min)


def _as_date(value: date | datetime | None, zone: ZoneInfo | None) -> date | None:
    """A district day; an instant becomes the district's day on which it fell."""
    if isinstance(value, datetime):
        if zone is None:
            raise ValueError("an instant needs the district's zone to become a day")
        return local_date(value, zone)
    return value


def due_status(*, status: str, care_categories: Iterable[str], birth_year: int | None,
               visit_cadence_days: int | None, last_met: date | datetime | None,
               since: date | datetime | None, today: date,
               zone: ZoneInfo | None = None, risk_tier: str | None = None,
               rules: DistrictRules = DEFAULT_RULES) -> DueStatus:
    """``since``: when the resident joined the roster, the due date for a first visit.

    ``today`` is the district's day; ``last_met`` and ``since`` are district days, or instants
    (UTC) together with the district's ``zone``, so that a visit at 07:00 in China counts on
    that day, not on the UTC day before.
    """
    if status != "active":
        return DueStatus(INACTIVE, None, 0)
    last = _as_date(last_met, zone)
    next_due = (last + timedelta(days=cadence_days(care_categories, birth_year,
                                                   visit_cadence_days, today, risk_tier, rules))
                if last else (_as_date(since, zone) or today))
    if next_due < today:
        return DueStatus(OVERDUE, next_due, (today - next_due).days)
    if next_due == today:
        return DueStatus(DUE_TODAY, next_due, 0)
    week_end = today + timedelta(days=6 - today.weekday())
    if next_due <= week_end:
        return DueStatus(DUE_THIS_WEEK, next_due, 0)
    return DueStatus(NOT_DUE, next_due, 0)


@dataclass(frozen=True)
class VisitFact:
    """The part of a visit the due and follow-up rules read."""

    id: str
    visited_at: datetime
    outcome: str | None
    corrects: str | None = None
    correction: str | None = None


def effective_visits(visits: Iterable[VisitFact]) -> list[VisitFact]:
    """Visits as they stand after corrections: a void removes, an amend replaces."""
    visits = list(visits)
    replaced = {v.corrects for v in visits if v.corrects}
    # At the same instant a meeting counts as the later visit: the door did open.
    return sorted((v for v in visits if v.id not in replaced and v.correction != VOID),
                  key=lambda v: (v.visited_at, v.outcome in MET_OUTCOMES, v.id))


def last_met(visits: Iterable[VisitFact]) -> datetime | None:
    met = [v.visited_at for v in effective_visits(visits) if v.outcome in MET_OUTCOMES]
    return max(met) if met else None


def open_follow_up(follows_up: bool, visits: Iterable[VisitFact]) -> datetime | None:
    """When an open follow-up began, or None.

    A "no answer" opens a follow-up for a resident the district follows up
    (``district_rules.follows_up``: living alone, 80 and over, 失能, 重残 … by default); only a
    later visit that meets the resident closes it.
    """
    if not follows_up:
        return None
    opened = None
    for visit in effective_visits(visits):
        if visit.outcome in MET_OUTCOMES:
            opened = None
        elif visit.outcome == NO_ANSWER and opened is None:
            opened = visit.visited_at
    return opened


@dataclass(frozen=True)
class VisitFacts:
    """What a resident's visit history says, as the volunteer reads it on the Today list."""

    last_visit_at: datetime | None
    last_met_at: datetime | None
    follow_up_since: datetime | None


def visit_facts(follows_up: bool, visits: Iterable[VisitFact]) -> VisitFacts:
    """The derived facts of one resident: a pure function of its visits and whether the district
    follows up a no-answer at their door, the same on the server and the tablet. Corrections are
    read through: a voided visit, and the correction record itself, is no visit."""
    kept = effective_visits(visits)
    return VisitFacts(max((v.visited_at for v in kept), default=None), last_met(kept),
                      open_follow_up(follows_up, kept))
