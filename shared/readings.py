"""Dangerous readings: which measurements call for action now.

The tablet checks a visit's readings as they are typed and warns at once (measure again after a
rest; if still so, call the family or 120), proposing a follow-up the next day; the server checks
the same readings when the visit arrives and alerts the community lead. The limits are the
district's (``DistrictRules.thresholds``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .district_rules import DEFAULT_RULES, DistrictRules

READINGS = ("systolic", "diastolic", "pulse", "blood_sugar", "temperature")
HIGH = "high"
LOW = "low"
#: Days until the follow-up the tablet proposes after a dangerous reading.
FOLLOW_UP_AFTER_DAYS = 1


@dataclass(frozen=True)
class Danger:
    reading: str
    value: float
    direction: str  # HIGH or LOW
    limit: float


def dangers(readings: Mapping[str, float] | None,
            rules: DistrictRules = DEFAULT_RULES) -> list[Danger]:
    """The readings at or beyond the district's limits, in the order of ``READINGS``."""
    found = []
    if not readings:
        return found
    for name, high, low in _limits(rules.thresholds):
        value = readings.get(name)
        if value is None:
            continue
        if high is not None and value >= high:
            found.append(Danger(name, value, HIGH, high))
        elif low is not None and value <= low:
            found.append(Danger(name, value, LOW, low))
    return found


def _limits(thresholds) -> tuple[tuple[str, float | None, float | None], ...]:
    """(reading, high, low) in the order of ``READINGS``. The server checks every visit of a
    push against the same thresholds: they are looked up once, not twice per reading per visit."""
    global _last_limits
    last = _last_limits
    if last[0] is not thresholds:
        last = _last_limits = (thresholds, tuple(
            (name, getattr(thresholds, f"{name}_high"), getattr(thresholds, f"{name}_low"))
            for name in READINGS))
    return last[1]


_last_limits: tuple = (None, ())
