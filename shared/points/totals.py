"""Sums of a ledger: per person for a period of district days, and what earned them."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from .facts import Entry


def totals(entries: Iterable[Entry], first: date, last: date) -> dict[str, int]:
    """Points per person over the district days ``first`` to ``last`` inclusive."""
    summed: dict[str, int] = defaultdict(int)
    for entry in entries:
        if first <= entry.day <= last:
            summed[entry.person_id] += entry.points
    return dict(summed)


def by_kind(entries: Iterable[Entry], person_id: str, first: date, last: date) -> dict[str, int]:
    """One person's points over the days ``first`` to ``last``, per rule: the main sources."""
    summed: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.person_id == person_id and first <= entry.day <= last:
            summed[entry.kind] += entry.points
    return dict(summed)
