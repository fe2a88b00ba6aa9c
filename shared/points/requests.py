"""The three lists' requests as points facts, and the three rates, for both sides.

A request record is its wire form (``server.threelists.payload.request_payload``, what a pull
gives the tablet): ``id``, ``resident_id``, ``state`` and ``timeline``, the moves in the order
applied, each ``{"id", "action", "at", "person_id", "data"}``. :func:`events_of` reads it into
:class:`~shared.points.facts.RequestEvent` s, the only place the mapping lives:

=================  =============================================================================
timeline move      points fact
=================  =============================================================================
``raise``          ``raised`` by its person ("" when raised by no person, e.g. Open311: it
                   counts in the rates, earns nobody), about the request's resident; nothing
                   when the request was withdrawn (it earns nothing, like a voided visit)
``claim``          ``assigned``: the mover owns the task, with the deadline known so far
``assign``         ``assigned``: ``data.assignee_id`` owns it, with the deadline known so far
``hand_over``      ``assigned``: the owner so far (if any) keeps it, ``data.due_on`` its deadline
``done``           ``resolved`` (the owner earns, whoever marked it)
``dept_done``      ``resolved``
``verdict``        ``verdict`` with ``data.verdict``
``withdraw``       ``withdrawn``: the task is over, nothing more is charged
others             nothing (progress, notes, accept, dept_progress, cannot)
=================  =============================================================================

A task has a deadline only once handed over (the resolution rate's definition, too); until then
``assigned`` carries ``due=None``: its owner earns the verdicts but nothing is on time or late.
A move that does not read (no id, a bad instant, an unknown verdict) is skipped: the tablet
never crashes on what it pulls. Person ids are strings, as in the ledger. The ledger reads a
request's events by instant: an event's instant is never earlier than the one before it in the
timeline, and its id is ``"<position in the timeline, 5 digits>/<move id>"``, so moves at one
instant keep the timeline's order.
"""
from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping

from ..district_day import local_date
from .facts import (
    ASSIGNED,
    RAISED,
    RESOLVED,
    SATISFIED,
    VERDICT,
    VERDICTS,
    WITHDRAWN,
    RequestEvent,
)

RAISE, CLAIM, ASSIGN, HAND_OVER, DONE, DEPT_DONE, VERDICT_MOVE, WITHDRAW = (
    "raise", "claim", "assign", "hand_over", "done", "dept_done", "verdict", "withdraw")


def _instant(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _person(value) -> str | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    return str(value)


def events_of(record: Mapping) -> list[RequestEvent]:
    """The points facts of one request record (its wire form), in timeline order."""
    request_id = record.get("id")
    if not isinstance(request_id, str) or not request_id:
        return []
    resident_id = record.get("resident_id") or None
    timeline = record.get("timeline") or ()
    withdrawn = any(isinstance(m, Mapping) and m.get("action") == WITHDRAW for m in timeline)
    owner: str | None = None
    due: date | None = None
    out: list[RequestEvent] = []
    latest: datetime | None = None
    for position, move in enumerate(timeline):
        if not isinstance(move, Mapping):
            continue
        move_id, at, action = move.get("id"), _instant(move.get("at")), move.get("action")
        if not isinstance(move_id, str) or not move_id or at is None:
            continue
        # The timeline's order is the order the moves were applied in: the ledger reads
        # events by instant, so an instant never goes back (clocks differ) and ties keep
        # the timeline's order through the id.
        at = at if latest is None or at >= latest else latest
        latest, event_id = at, f"{position:05d}/{move_id}"
        data = move.get("data") if isinstance(move.get("data"), Mapping) else {}
        person = _person(move.get("person_id"))
        if action == RAISE:
            if not withdrawn:
                out.append(RequestEvent(event_id, request_id, RAISED, at, person or "",
                                        resident_id=resident_id if isinstance(
                                            resident_id, str) else None))
            continue
        if action in (CLAIM, ASSIGN):
            owner = person if action == CLAIM else _person(data.get("assignee_id"))
        elif action == HAND_OVER:
            due = _day(data.get("due_on")) or due
        if action in (CLAIM, ASSIGN, HAND_OVER):
            if owner is not None:
                out.append(RequestEvent(event_id, request_id, ASSIGNED, at, owner, due=due))
        elif action in (DONE, DEPT_DONE):
            out.append(RequestEvent(event_id, request_id, RESOLVED, at, person or ""))
        elif action == VERDICT_MOVE and data.get("verdict") in VERDICTS:
            out.append(RequestEvent(event_id, request_id, VERDICT, at, person or "",
                                    verdict=data["verdict"]))
        elif action == WITHDRAW:
            out.append(RequestEvent(event_id, request_id, WITHDRAWN, at, person or ""))
    return out


def request_events(records: Iterable[Mapping]) -> list[RequestEvent]:
    """:func:`events_of` for many records."""
    return [event for record in records for event in events_of(record)]


# ---- the three rates (三率) -----------------------------------------------------------------

@dataclass(frozen=True)
class Rates:
    """The three rates over the requests raised in a period; None where nothing to count
    (shown as —, never 0 %). The counts are kept so a reader can say "3 of 4"."""

    raised: int = 0
    responded: int = 0
    due: int = 0
    resolved: int = 0
    verdicts: int = 0
    satisfied: int = 0

    @property
    def response(self) -> float | None:
        return self.responded / self.raised if self.raised else None

    @property
    def resolution(self) -> float | None:
        return self.resolved / self.due if self.due else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.verdicts if self.verdicts else None

    def __add__(self, other: Rates) -> Rates:
        """The counts of both periods or groups together (their rates follow from them)."""
        return Rates(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other))))


def three_rates(events: Iterable[RequestEvent], first: date, last: date, zone,
                today: date, response_hours: int = 24, owner: str | None = None) -> Rates:
    """The rates of the requests raised on the district days ``first``..``last`` (not
    withdrawn), as ``server.threelists.rates`` counts them: response, the first owner within
    ``response_hours`` of the raise; resolution, of those with a deadline that are resolved or
    past it on ``today``, the share first resolved by the end of the deadline day;
    satisfaction, of the standing verdicts, the share satisfied. ``owner``: only the requests
    whose task that person holds now (a person's rates); None: every request given."""
    by_request: dict[str, list[RequestEvent]] = {}
    for event in events:
        by_request.setdefault(event.request_id, []).append(event)
    counts = dict(raised=0, responded=0, due=0, resolved=0, verdicts=0, satisfied=0)
    for moves in by_request.values():
        raise_at = next((e.at for e in moves if e.kind == RAISED), None)
        if raise_at is None or not first <= local_date(raise_at, zone) <= last:
            continue
        assigned = [e for e in moves if e.kind == ASSIGNED]
        if owner is not None and (not assigned or assigned[-1].person_id != owner):
            continue
        counts["raised"] += 1
        if assigned and assigned[0].at - raise_at <= timedelta(hours=response_hours):
            counts["responded"] += 1
        deadline = assigned[-1].due if assigned else None
        done = next((e.at for e in moves if e.kind == RESOLVED), None)
        if deadline is not None and (done is not None or deadline < today):
            counts["due"] += 1
            counts["resolved"] += done is not None and local_date(done, zone) <= deadline
        verdicts = [e for e in moves if e.kind == VERDICT]
        if verdicts:
            counts["verdicts"] += 1
            counts["satisfied"] += verdicts[-1].verdict == SATISFIED
    return Rates(**counts)
