"""China's official working days: the maintained ``chinesecalendar`` package, the district's own
list of announced days, and Monday to Friday for years nobody has announced yet.

* The package knows public holidays and the weekend days worked instead (调休) for the years
  the State Council has announced (``covered_through()``: the last of them).
* The district's list (``district_settings`` row ``workday_rules``, edited with
  ``knockdoor workdays``) names days off and worked days the package does not know yet, e.g.
  next year's holidays the day the State Council publishes them. It wins over the package.
* Any other day of a year the package does not cover counts Monday to Friday.

A deadline that falls in a year the package does not cover is **provisional**: the web view and
the tablets say so, and ``knockdoor workdays rederive`` counts the open responsibilities' deadlines
again (after the package is updated or the list is changed) and sends the moved ones to the
tablets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import requests as r
from shared.requests import add_working_days, weekdays_only

from .. import district
from ..models import DistrictSetting
from .models import ServiceRequest

RULES_SETTING = "workday_rules"
HOLIDAY, WORKDAY = "holiday", "workday"


@lru_cache(maxsize=1)
def covered_through() -> int:
    """The last year the installed calendar package knows the official schedule of."""
    return max(day.year for day in (*constants.holidays, *constants.workdays))


@dataclass(frozen=True)
class WorkCalendar:
    #: The district's announced days: day → (HOLIDAY or WORKDAY, a note)
    rules: dict[date, tuple[str, str]] = field(default_factory=dict)
    known_through: int = field(default_factory=covered_through)

    def is_workday(self, day: date) -> bool:
        rule = self.rules.get(day)
        if rule is not None:
            return rule[0] == WORKDAY
        if day.year <= self.known_through:
            try:
                return chinese_calendar.is_workday(day)
            except NotImplementedError:  # before the package's first year
                return weekdays_only(day)
        return weekdays_only(day)

    def due_after(self, start: date, working_days: int) -> date:
        """The deadline ``working_days`` working days after ``start``."""
        return add_working_days(start, working_days, self.is_workday)

    def is_provisional(self, due_on: date | None) -> bool:
        """Counted (in part) through a year the official calendar does not cover yet."""
        return due_on is not None and due_on.year > self.known_through


def is_provisional(due_on: date | None) -> bool:
    """A deadline counted through a year the installed package does not cover."""
    return WorkCalendar().is_provisional(due_on)


def load_rules(session: Session) -> dict[date, tuple[str, str]]:
    stored = session.get(DistrictSetting, RULES_SETTING)
    rules = {}
    for text, (kind, note) in ((stored.value if stored else None) or {}).items():
        rules[date.fromisoformat(text)] = (kind, note)
    return rules


def calendar(session: Session) -> WorkCalendar:
    return WorkCalendar(load_rules(session))


def set_rule(session: Session, day: date, kind: str | None, note: str = "") -> None:
    """Declare ``day`` a holiday or a worked day (``kind`` None: remove the district's rule)."""
    if kind not in (HOLIDAY, WORKDAY, None):
        raise ValueError(f"unknown kind {kind!r}")
    rules = {d.isoformat(): [k, n] for d, (k, n) in load_rules(session).items()}
    if kind is None:
        rules.pop(day.isoformat(), None)
    else:
        rules[day.isoformat()] = [kind, note]
    stored = session.get(DistrictSetting, RULES_SETTING)
    value = dict(sorted(rules.items()))
    if stored is None:
        session.add(DistrictSetting(name=RULES_SETTING, value=value))
    else:
        stored.value = value
    session.flush()


@dataclass
class Redated:
    request: ServiceRequest
    was: date | None
    now: date


def rederive(session: Session, cal: WorkCalendar) -> tuple[list[ServiceRequest], list[Redated]]:
    """Count again the deadline of every request still with a department from the day it was
    handed over, and change those that moved. Returns every request looked at (the caller
    logs them all for the tablets: a deadline that stayed may have stopped being provisional)
    and the moved ones."""
    seen, moved = [], []
    for request in session.scalars(
            select(ServiceRequest).where(ServiceRequest.state.in_(r.WITH_DEPARTMENT),
                                         ServiceRequest.due_working_days.is_not(None),
                                         ServiceRequest.handed_at.is_not(None))
            .order_by(ServiceRequest.handed_at).with_for_update()):
        seen.append(request)
        due = cal.due_after(district.today(request.handed_at), request.due_working_days)
        if due != request.due_on:
            moved.append(Redated(request, request.due_on, due))
            request.due_on = due
    session.flush()
    return seen, moved
