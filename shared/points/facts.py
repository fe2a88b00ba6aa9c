"""What duty points are computed from (plain, frozen records both sides can build from what
they hold) and what they come to: ledger entries, each with its reason."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .rules import MAX_AMOUNT


@dataclass(frozen=True)
class PointsVisit:
    """A visit record as synced; ``corrects``/``correction`` as in shared.due.VisitFact (a void
    removes the visit it corrects, an amend replaces it). Points for an amended visit go to
    whoever made the visit, not to whoever corrected it."""

    id: str
    author_id: str
    resident_id: str
    visited_at: datetime
    outcome: str | None
    corrects: str | None = None
    correction: str | None = None


@dataclass(frozen=True)
class PointsResident:
    """The resident facts the rules read: age comes from the birth year (never from a stored
    80+ flag), living alone from the living situation as the record now holds it."""

    id: str
    birth_year: int | None
    care_categories: tuple[str, ...] = ()


# Request events (issue 14's three lists), in the order they happen to a request.
RAISED = "raised"        # person_id raised it; resident_id: whom it concerns, if anyone
ASSIGNED = "assigned"    # claimed or assigned: person_id is the task's owner from now, due its
#                          deadline (the district's last day to resolve it; None until the task
#                          is handed over with one: then nothing is on time or overdue)
RESOLVED = "resolved"    # the task was marked done (by anyone: the owner earns)
VERDICT = "verdict"      # the resident's verdict on it; "not satisfied" reopens the task
WITHDRAWN = "withdrawn"  # a supervisor withdrew it: the task is over, nothing more is charged
REQUEST_EVENTS = (RAISED, ASSIGNED, RESOLVED, VERDICT, WITHDRAWN)
SATISFIED, PARTLY, NOT_SATISFIED = "satisfied", "partly", "not_satisfied"
VERDICTS = (SATISFIED, PARTLY, NOT_SATISFIED)


@dataclass(frozen=True)
class RequestEvent:
    id: str
    request_id: str
    kind: str
    at: datetime
    person_id: str
    resident_id: str | None = None
    due: date | None = None
    verdict: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in REQUEST_EVENTS:
            raise ValueError(f"kind: one of {', '.join(REQUEST_EVENTS)}, not {self.kind!r}")
        if self.kind == ASSIGNED and not self.person_id:
            raise ValueError("person_id: an assigned task needs its owner")
        if self.kind == VERDICT and self.verdict not in VERDICTS:
            raise ValueError(f"verdict: one of {', '.join(VERDICTS)}, not {self.verdict!r}")


@dataclass(frozen=True)
class Adjustment:
    """A supervisor's manual adjustment (``by``), never without a reason."""

    id: str
    person_id: str
    at: datetime
    points: int
    reason: str
    by: str

    def __post_init__(self) -> None:
        if not self.reason or not self.reason.strip():
            raise ValueError("reason: an adjustment needs a reason")
        if isinstance(self.points, bool) or not isinstance(self.points, int) or \
                not 0 < abs(self.points) <= MAX_AMOUNT:
            raise ValueError(f"points: a whole number from -{MAX_AMOUNT} to {MAX_AMOUNT}, not 0")


# Why an entry gives fewer points than its rule would (codes: the screens put them in words).
VOIDED = "voided"                # the visit was voided
CORRECTED = "corrected"          # the visit was replaced by a correction (which counts instead)
SAME_DAY = "same_day"            # the resident was already met and counted that district day
MINUTES_APART = "minutes_apart"  # minutes after the resident's last counted visit: one call
WEEKLY_CAP = "weekly_cap"        # this person's points from this resident this week are capped

# Where an entry comes from.
FROM_VISIT, FROM_REQUEST, FROM_ADJUSTMENT = "visit", "request", "adjustment"


@dataclass(frozen=True)
class Entry:
    """One line of the ledger: ``person_id`` got ``points`` (0 when a cap or a correction took
    them: ``note`` says which) on the district ``day`` by rule ``kind`` of ``rule_version``,
    for ``source`` ``source_id`` (the visit, the request, the adjustment). An adjustment has no
    rule version and its reason as its note."""

    at: datetime
    day: date
    person_id: str
    kind: str
    points: int
    source: str
    source_id: str
    rule_version: int | None
    resident_id: str | None = None
    note: str = ""
