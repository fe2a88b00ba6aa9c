"""The duty-points rules (履职积分) as data: versioned, each version in force from its date.

An admin edits the rules as a plain dict (the web form, a JSON file); :func:`rules_from_dict`
checks it and names every problem. A new version takes effect on a district day that has not
begun yet or is today, so changing the rules never rewrites a day already counted
(:func:`add_version`). Pure: no I/O; "today" is the caller's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Mapping

# What earns points (amounts > 0).
VISIT_MET = "visit_met"                      # a visit that met the resident
VISIT_VULNERABLE = "visit_vulnerable"        # ... who lives alone or is aged 80+: added
FOLLOW_UP_CLOSED = "follow_up_closed"        # meeting someone within N hours of a no-answer
REQUEST_RAISED = "request_raised"            # raising a request (需求单)
TASK_ON_TIME = "task_on_time"                # resolving a task by its deadline
VERDICT_SATISFIED = "verdict_satisfied"      # the resident said: satisfied
# What costs points (amounts < 0).
TASK_OVERDUE = "task_overdue"                # a task still open after its deadline
VERDICT_NOT_SATISFIED = "verdict_not_satisfied"
# A supervisor's adjustment, with a reason: its amount is its own, not a rule's.
ADJUSTMENT = "adjustment"

EARNINGS = (VISIT_MET, VISIT_VULNERABLE, FOLLOW_UP_CLOSED, REQUEST_RAISED, TASK_ON_TIME,
            VERDICT_SATISFIED)
COSTS = (TASK_OVERDUE, VERDICT_NOT_SATISFIED)
KINDS = EARNINGS + COSTS

#: The most points one rule may give or take: a typo of 1000 for 10 is refused, not paid.
MAX_AMOUNT = 100


class RuleError(ValueError):
    """A rule set that cannot be used; ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in sorted(problems.items())))
        self.problems = problems


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules.

    ``weekly_cap``: at most this many points one person earns from one resident in one
    district week (Monday–Sunday), None for no cap. ``once_a_day``: only the first visit that
    met a resident on a district day earns (a second visit that day, by anyone, earns nothing).
    ``gap_minutes``: a visit this soon after the resident's last counted visit is the same
    call, even across midnight, and a follow-up "closed" this soon was never open.
    ``follow_up_hours``: a follow-up closed within this time of the first no-answer earns.
    """

    version: int
    effective: date
    amounts: Mapping[str, int]
    weekly_cap: int | None = 10
    once_a_day: bool = True
    gap_minutes: int = 30
    follow_up_hours: int = 48
    vulnerable_age: int = 80

    def __post_init__(self) -> None:
        object.__setattr__(self, "amounts", MappingProxyType(dict(self.amounts)))

    def amount(self, kind: str) -> int:
        return self.amounts.get(kind, 0)


DEFAULT_AMOUNTS = {VISIT_MET: 2, VISIT_VULNERABLE: 1, FOLLOW_UP_CLOSED: 2, REQUEST_RAISED: 1,
                   TASK_ON_TIME: 3, VERDICT_SATISFIED: 2, TASK_OVERDUE: -2,
                   VERDICT_NOT_SATISFIED: -2}


def default_rules(effective: date) -> RuleSet:
    """The rules a district starts with (version 1)."""
    return RuleSet(1, effective, DEFAULT_AMOUNTS)


def _whole(value, name: str, problems: dict, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems[name] = "must be a whole number"
        return None
    if not low <= value <= high:
        problems[name] = f"must be between {low} and {high}"
        return None
    return value


def rules_from_dict(data: Mapping) -> RuleSet:
    """A rule set from its plain form (see :func:`rules_to_dict`); RuleError names each
    problem: an unknown rule, an earning that costs, a cost that pays, a bound out of range."""
    if not isinstance(data, Mapping):
        raise RuleError({"_schema": "must be an object"})
    problems: dict[str, str] = {}
    known = {"version", "effective", "amounts", "weekly_cap", "once_a_day", "gap_minutes",
             "follow_up_hours", "vulnerable_age"}
    for name in sorted(set(data) - known):
        problems[str(name)] = "unknown setting"
    version = _whole(data.get("version"), "version", problems, 1, 10**6)
    effective = None
    try:
        effective = date.fromisoformat(data.get("effective"))
    except (TypeError, ValueError):
        problems["effective"] = "must be a date such as 2026-12-01"
    amounts = data.get("amounts")
    clean: dict[str, int] = {}
    if not isinstance(amounts, Mapping):
        problems["amounts"] = "must be an object of rule: points"
    else:
        for kind, value in amounts.items():
            name = f"amounts.{kind}"
            if kind not in KINDS:
                problems[name] = "unknown rule"
                continue
            low, high = (0, MAX_AMOUNT) if kind in EARNINGS else (-MAX_AMOUNT, 0)
            checked = _whole(value, name, problems, low, high)
            if checked is not None:
                clean[kind] = checked
    cap = data.get("weekly_cap", 10)
    if cap is not None:
        cap = _whole(cap, "weekly_cap", problems, 1, 1000)
    once = data.get("once_a_day", True)
    if not isinstance(once, bool):
        problems["once_a_day"] = "must be true or false"
    gap = _whole(data.get("gap_minutes", 30), "gap_minutes", problems, 0, 24 * 60)
    hours = _whole(data.get("follow_up_hours", 48), "follow_up_hours", problems, 1, 24 * 14)
    age = _whole(data.get("vulnerable_age", 80), "vulnerable_age", problems, 60, 120)
    if problems:
        raise RuleError(problems)
    return RuleSet(version, effective, clean, cap, once, gap, hours, age)


def rules_to_dict(rules: RuleSet) -> dict:
    """The plain form of a rule set: what an admin edits and what is stored."""
    return {"version": rules.version, "effective": rules.effective.isoformat(),
            "amounts": dict(rules.amounts), "weekly_cap": rules.weekly_cap,
            "once_a_day": rules.once_a_day, "gap_minutes": rules.gap_minutes,
            "follow_up_hours": rules.follow_up_hours, "vulnerable_age": rules.vulnerable_age}


@dataclass(frozen=True)
class RuleBook:
    """Every version of the rules; the one in force on a day is the highest-numbered version
    whose effective date has come (a newer version replaces one scheduled for the same date)."""

    versions: tuple[RuleSet, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise RuleError({"versions": "at least one version is needed"})
        numbers = [r.version for r in self.versions]
        if len(set(numbers)) != len(numbers):
            raise RuleError({"versions": "each version number once"})
        ordered = tuple(sorted(self.versions, key=lambda r: (r.effective, r.version)))
        object.__setattr__(self, "versions", ordered)

    def in_force(self, day: date) -> RuleSet | None:
        """The rules for ``day``; None before the first version (nothing earns then)."""
        current = None
        for rules in self.versions:
            if rules.effective > day:
                break
            if current is None or rules.version > current.version:
                current = rules
        return current

    @property
    def latest(self) -> RuleSet:
        return max(self.versions, key=lambda r: r.version)


def add_version(book: RuleBook, rules: RuleSet, today: date) -> RuleBook:
    """``book`` with ``rules`` as its next version. Refused (RuleError) when it would take
    effect before ``today`` (the district's day): a day already counted keeps its rules."""
    problems = {}
    if rules.version != book.latest.version + 1:
        problems["version"] = f"must be {book.latest.version + 1}, the next version"
    if rules.effective < today:
        problems["effective"] = (f"must be today ({today.isoformat()}) or later: past days "
                                 "keep the rules they were counted with")
    if problems:
        raise RuleError(problems)
    return RuleBook(book.versions + (rules,))
