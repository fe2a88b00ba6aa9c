"""The facts the duty-points tests tell (November 2026 in the district's time zone, a visit, a
resident living alone or not, a task of the three lists) and the ledger they read back."""
from __future__ import annotations

from datetime import date, datetime, timezone

from shared.district_day import zone_named
from shared.points import (
    PointsResident,
    PointsVisit,
    RequestEvent,
    RuleBook,
    compute_ledger,
    default_rules,
)

CHINA = zone_named("Asia/Shanghai")
BOOK = RuleBook((default_rules(date(2026, 1, 1)),))
LATER = datetime(2027, 6, 1, tzinfo=timezone.utc)  # "as of": after everything below


def cn(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    """An instant given as the district's wall clock (November 2026 unless said)."""
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA).astimezone(timezone.utc)


def visit(vid, at, outcome="met", author="wang", resident="r1", **kw):
    return PointsVisit(vid, author, resident, at, outcome, **kw)


ALONE = PointsResident("r1", 1950, ("alone",))
OTHER = PointsResident("r1", 1950, ("empty_nest",))


def ledger(*facts, book=BOOK, as_of=LATER):
    return compute_ledger(facts, book, CHINA, as_of)


def points(entries, person="wang"):
    return sum(e.points for e in entries if e.person_id == person)


def kinds(entries):
    return [(e.kind, e.points, e.note) for e in entries]


def task(*events):
    return [RequestEvent(f"e{n}", "q1", kind, at, person, due=due, verdict=verdict)
            for n, (kind, at, person, due, verdict) in enumerate(events)]


DEADLINE = date(2026, 11, 10)
