"""From facts to the points ledger: deterministic, the same on the tablet and the server.

The facts fall into independent parts: one per resident (their visits, the requests raised
about them: the caps are per resident) and one per request (its task and verdicts). Each part
is read in time order, so an entry never depends on anything later than itself: a new rule
version changes nothing before its effective date. :class:`Ledger` takes facts one by one, in
any order, and recomputes only the part a fact belongs to; :func:`compute_ledger` is the same
from scratch.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from ..district_day import day_end, local_date, week_start
from ..due import age_on, effective_visits
from ..protocol import ALONE, MET, NO_ANSWER, VOID
from . import rules as r
from .facts import (
    ASSIGNED,
    CORRECTED,
    FROM_ADJUSTMENT,
    FROM_REQUEST,
    FROM_VISIT,
    MINUTES_APART,
    NOT_SATISFIED,
    RAISED,
    RESOLVED,
    SAME_DAY,
    SATISFIED,
    VERDICT,
    VOIDED,
    WEEKLY_CAP,
    WITHDRAWN,
    Adjustment,
    Entry,
    PointsResident,
    PointsVisit,
    RequestEvent,
)

Fact = PointsVisit | PointsResident | RequestEvent | Adjustment
#: Same instant: the order entries are written in (and a ledger is sorted by).
KIND_ORDER = {kind: n for n, kind in enumerate(r.KINDS + (r.ADJUSTMENT,))}
EVENT_ORDER = {RAISED: 0, ASSIGNED: 1, RESOLVED: 2, VERDICT: 3, WITHDRAWN: 4}


def entry_order(entry: Entry) -> tuple:
    """A total order: the same entries always come out in the same order."""
    return (entry.at, entry.person_id, KIND_ORDER[entry.kind], entry.source_id,
            entry.resident_id or "", entry.points, entry.note)


class _Part:
    """The entries of one part, built in time order under the rules of each entry's day."""

    def __init__(self, book: r.RuleBook, zone: ZoneInfo) -> None:
        self.book, self.zone, self.entries = book, zone, []

    def add(self, at: datetime, person: str, kind: str, source: str, source_id: str,
            resident: str | None = None, note: str = "") -> None:
        day = local_date(at, self.zone)
        rules = self.book.in_force(day)
        if rules is None:  # before the first version of the rules nothing is counted
            return
        points = 0 if note else rules.amount(kind)
        self.entries.append(Entry(at, day, person, kind, points, source, source_id,
                                  rules.version, resident, note))


def _root_author(visit: PointsVisit, by_id: dict[str, PointsVisit]) -> str:
    seen = set()
    while visit.corrects in by_id and visit.id not in seen:
        seen.add(visit.id)
        visit = by_id[visit.corrects]
    return visit.author_id


def resident_entries(resident: PointsResident | None, visits: Iterable[PointsVisit],
                     raised: Iterable[RequestEvent], book: r.RuleBook,
                     zone: ZoneInfo) -> list[Entry]:
    """The entries one resident's visits and raised requests give, capped per person-week."""
    part = _Part(book, zone)
    visits = list(visits)
    by_id = {v.id: v for v in visits}
    replaced_by = {v.corrects: v for v in sorted(visits, key=lambda v: v.id) if v.corrects}
    kept = effective_visits(visits)
    kept_ids = {v.id for v in kept}
    for visit in visits:  # a corrected meeting stays in the ledger, at 0, saying why
        if visit.id not in kept_ids and visit.correction != VOID and visit.outcome == MET:
            note = VOIDED if replaced_by[visit.id].correction == VOID else CORRECTED
            part.add(visit.visited_at, _root_author(visit, by_id), r.VISIT_MET, FROM_VISIT,
                     visit.id, visit.resident_id, note)
    alone = resident is not None and ALONE in set(resident.care_categories or ())
    birth_year = resident.birth_year if resident else None
    opened: PointsVisit | None = None  # the first no-answer since the last meeting
    last_counted: datetime | None = None
    counted_days = set()
    for visit in kept:
        if visit.outcome == NO_ANSWER and opened is None:
            opened = visit
        if visit.outcome != MET:
            continue
        day = local_date(visit.visited_at, zone)
        rules = book.in_force(day)
        if rules is None:
            opened = None
            continue
        author, gap = _root_author(visit, by_id), timedelta(minutes=rules.gap_minutes)
        within = timedelta(hours=rules.follow_up_hours)
        if alone and opened is not None and gap < visit.visited_at - opened.visited_at <= within:
            part.add(visit.visited_at, author, r.FOLLOW_UP_CLOSED, FROM_VISIT, visit.id,
                     visit.resident_id)
        opened = None
        note = ""
        if last_counted is not None and visit.visited_at - last_counted < gap:
            note = MINUTES_APART
        elif rules.once_a_day and day in counted_days:
            note = SAME_DAY
        part.add(visit.visited_at, author, r.VISIT_MET, FROM_VISIT, visit.id, visit.resident_id,
                 note)
        if note:
            continue
        counted_days.add(day)
        last_counted = visit.visited_at
        age = age_on(birth_year, day)
        if alone or (age is not None and age >= rules.vulnerable_age):
            part.add(visit.visited_at, author, r.VISIT_VULNERABLE, FROM_VISIT, visit.id,
                     visit.resident_id)
    seen_requests = set()
    for event in sorted(raised, key=lambda e: (e.at, e.id)):
        if event.person_id and event.request_id not in seen_requests:
            seen_requests.add(event.request_id)
            part.add(event.at, event.person_id, r.REQUEST_RAISED, FROM_REQUEST,
                     event.request_id, event.resident_id)
    return _cap_weekly(sorted(part.entries, key=entry_order), book)


def _cap_weekly(entries: list[Entry], book: r.RuleBook) -> list[Entry]:
    """At most the week's cap (of the rules on each entry's day) per person and resident."""
    earned: dict[tuple, int] = defaultdict(int)
    capped = []
    for entry in entries:
        rules = book.in_force(entry.day)
        if entry.points > 0 and rules.weekly_cap is not None:
            key = (entry.person_id, week_start(entry.day))
            room = max(rules.weekly_cap - earned[key], 0)
            if entry.points > room:
                entry = Entry(entry.at, entry.day, entry.person_id, entry.kind, room,
                              entry.source, entry.source_id, entry.rule_version,
                              entry.resident_id, WEEKLY_CAP)
            earned[key] += entry.points
        capped.append(entry)
    return capped


def request_entries(request_id: str, events: Iterable[RequestEvent], book: r.RuleBook,
                    zone: ZoneInfo, as_of: datetime) -> list[Entry]:
    """The entries of one request's task: resolved by its deadline, overdue, the verdicts.
    Only what has happened by ``as_of`` counts (a deadline passes at the end of its day)."""
    part = _Part(book, zone)
    owner = due = None
    is_open, open_since, on_time_paid, satisfied_paid, raised_paid = True, None, False, False, False
    charged = set()

    def charge_overdue(until: datetime) -> None:
        if owner is None or due is None or not is_open or (owner, due) in charged:
            return
        at = max(day_end(due, zone), open_since)
        if at <= until:
            charged.add((owner, due))
            part.add(at, owner, r.TASK_OVERDUE, FROM_REQUEST, request_id)

    ordered = sorted(events, key=lambda e: (e.at, EVENT_ORDER[e.kind], e.id))
    for event in ordered:
        if event.at > as_of:
            break
        charge_overdue(event.at)
        if event.kind == RAISED and event.person_id and not raised_paid:
            raised_paid = True
            part.add(event.at, event.person_id, r.REQUEST_RAISED, FROM_REQUEST, request_id)
        elif event.kind == ASSIGNED:
            owner, due, is_open, open_since = event.person_id, event.due, True, event.at
        elif event.kind == RESOLVED and owner is not None and is_open:
            is_open = False
            if not on_time_paid and due is not None and local_date(event.at, zone) <= due:
                on_time_paid = True
                part.add(event.at, owner, r.TASK_ON_TIME, FROM_REQUEST, request_id)
        elif event.kind == VERDICT and owner is not None:
            if event.verdict == SATISFIED and not satisfied_paid:
                satisfied_paid = True
                part.add(event.at, owner, r.VERDICT_SATISFIED, FROM_REQUEST, request_id)
            elif event.verdict == NOT_SATISFIED:
                part.add(event.at, owner, r.VERDICT_NOT_SATISFIED, FROM_REQUEST, request_id)
                if not is_open:
                    is_open, open_since = True, event.at
        elif event.kind == WITHDRAWN:
            is_open = False
    charge_overdue(as_of)
    return sorted(part.entries, key=entry_order)


def adjustment_entry(adjustment: Adjustment, zone: ZoneInfo) -> Entry:
    return Entry(adjustment.at, local_date(adjustment.at, zone), adjustment.person_id,
                 r.ADJUSTMENT, adjustment.points, FROM_ADJUSTMENT, adjustment.id, None, None,
                 adjustment.reason)


class Ledger:
    """The ledger kept up to date fact by fact (a sync brings a few at a time, in any order):
    a fact recomputes only its own part. A fact seen again (same kind and id) replaces the
    one before. ``entries(as_of)`` equals :func:`compute_ledger` over the same facts."""

    def __init__(self, book: r.RuleBook, zone: ZoneInfo) -> None:
        self.book, self.zone = book, zone
        self._residents: dict[str, PointsResident] = {}
        self._visits: dict[str, dict[str, PointsVisit]] = defaultdict(dict)
        self._raised: dict[str, dict[str, RequestEvent]] = defaultdict(dict)
        self._events: dict[str, dict[str, RequestEvent]] = defaultdict(dict)
        self._adjustments: dict[str, Adjustment] = {}
        self._resident_parts: dict[str, list[Entry]] = {}
        self._request_parts: dict[str, tuple[datetime, list[Entry]]] = {}
        self._where: dict[tuple[str, str], tuple[str, str]] = {}
        self._stores = {"visits": self._visits, "raised": self._raised, "events": self._events}

    def add(self, fact: Fact) -> None:
        if isinstance(fact, PointsResident):
            self._residents[fact.id] = fact
            self._resident_parts.pop(fact.id, None)
            return
        if isinstance(fact, Adjustment):
            self._adjustments[fact.id] = fact
            return
        if isinstance(fact, PointsVisit):
            place = ("visits", fact.resident_id)
        elif isinstance(fact, RequestEvent):
            place = ("raised", fact.resident_id) if fact.kind == RAISED and fact.resident_id \
                else ("events", fact.request_id)
        else:
            raise TypeError(f"not a points fact: {type(fact).__name__}")
        key = (type(fact).__name__, fact.id)
        old = self._where.get(key)
        if old is not None:  # the same record again, perhaps changed: take the old one out
            self._stores[old[0]][old[1]].pop(fact.id, None)
            self._forget(old)
        self._where[key] = place
        self._stores[place[0]][place[1]][fact.id] = fact
        self._forget(place)

    def _forget(self, place: tuple[str, str]) -> None:
        parts = self._request_parts if place[0] == "events" else self._resident_parts
        parts.pop(place[1], None)

    def parts(self, as_of: datetime) -> dict[tuple[str, str], list[Entry]]:
        """The entries part by part: ``("resident", id)`` and ``("request", id)`` (a stored
        ledger rebuilds one part when one of its facts changes). Adjustments are no part."""
        self.entries(as_of)  # fills the caches
        out: dict[tuple[str, str], list[Entry]] = {}
        for resident_id, entries in self._resident_parts.items():
            out[("resident", resident_id)] = [e for e in entries if e.at <= as_of]
        for request_id, (_as_of, entries) in self._request_parts.items():
            out[("request", request_id)] = entries
        return out

    def entries(self, as_of: datetime) -> list[Entry]:
        """Every entry up to ``as_of`` (an overdue deadline is charged once it has passed)."""
        out: list[Entry] = []
        for resident_id in set(self._visits) | set(self._raised):
            if resident_id not in self._resident_parts:
                self._resident_parts[resident_id] = resident_entries(
                    self._residents.get(resident_id), self._visits[resident_id].values(),
                    self._raised[resident_id].values(), self.book, self.zone)
            out += [e for e in self._resident_parts[resident_id] if e.at <= as_of]
        for request_id, events in self._events.items():
            cached = self._request_parts.get(request_id)
            if cached is None or cached[0] != as_of:
                cached = (as_of, request_entries(request_id, events.values(), self.book,
                                                 self.zone, as_of))
                self._request_parts[request_id] = cached
            out += cached[1]
        out += [adjustment_entry(a, self.zone) for a in self._adjustments.values()
                if a.at <= as_of]
        return sorted(out, key=entry_order)


def compute_ledger(facts: Iterable[Fact], book: r.RuleBook, zone: ZoneInfo,
                   as_of: datetime) -> list[Entry]:
    """The ledger of ``facts`` from scratch, as of the instant ``as_of``."""
    ledger = Ledger(book, zone)
    for fact in facts:
        ledger.add(fact)
    return ledger.entries(as_of)
