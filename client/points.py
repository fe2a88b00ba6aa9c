"""Duty points the tablet holds beside its records (issue 15): the district's rule versions, the
person's own adjustments, the ranking setting and the rankings, as the last page of a pull
brings them (member ``points``: server/points_pull.py).

The member is replaced whole at every sync (local meta ``duty_points``), so nothing the server
took back stays. It is read here before it is kept, the way ``client/pulled.py`` reads records:
the tablet never crashes on what it pulls. A rule book it cannot read (a version in a form this
app does not know) is not taken: the book it had stays; an adjustment or a ranking it cannot
read is left out. No Kivy here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from shared import points as sp
from shared.clock import parse_instant
from shared.digest import canonical_json
from shared.points.rules import RuleBook, default_rules

#: Local meta key of the member as kept (canonical JSON).
POINTS_META = "duty_points"
#: Before any server has sent its rules: the server's own default (docs/points.md).
DEFAULT_BOOK = RuleBook((default_rules(date(2000, 1, 1)),))


@dataclass(frozen=True)
class Standing:
    person_id: int
    name: str
    points: int
    rank: int


@dataclass(frozen=True)
class Ranking:
    community: str
    month: tuple[Standing, ...]
    year: tuple[Standing, ...]


@dataclass
class HeldPoints:
    """What the tablet counts with, and the rankings as of its last sync (``as_of``)."""

    book: RuleBook = DEFAULT_BOOK
    adjustments: list[sp.Adjustment] = field(default_factory=list)
    show_ranking: bool = False
    rankings: list[Ranking] = field(default_factory=list)
    as_of: datetime | None = None
    response_hours: int = 24


def _book(versions) -> RuleBook | None:
    try:
        return RuleBook(tuple(sp.rules_from_dict(item) for item in versions)) \
            if isinstance(versions, list) and versions else None
    except (sp.RuleError, TypeError, ValueError):
        return None


def _adjustment(item, person_id: int) -> sp.Adjustment | None:
    try:
        if not isinstance(item["id"], str):
            return None
        return sp.Adjustment(item["id"], str(person_id), parse_instant(item["at"]),
                             item["points"], item["reason"],
                             str(item.get("by_id") or ""))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _standings(rows) -> tuple[Standing, ...] | None:
    if not isinstance(rows, list):
        return None
    out = []
    for row in rows:
        if not (isinstance(row, dict) and all(_whole(row.get(k)) for k in
                                              ("person_id", "points", "rank"))
                and isinstance(row.get("name"), str)):
            return None
        out.append(Standing(row["person_id"], row["name"], row["points"], row["rank"]))
    return tuple(out)


def _ranking(item) -> Ranking | None:
    if not isinstance(item, dict) or not isinstance(item.get("community"), str):
        return None
    month, year = _standings(item.get("month")), _standings(item.get("year"))
    if month is None or year is None:
        return None
    return Ranking(item["community"], month, year)


def read_points(member, person_id: int, fallback: RuleBook = DEFAULT_BOOK) -> HeldPoints:
    """``member`` as pulled (or as kept), read defensively; ``fallback``: the book to count
    with when its rules cannot be read."""
    if not isinstance(member, dict):
        return HeldPoints(book=fallback)
    adjustments = [_adjustment(item, person_id) for item in member.get("adjustments") or ()
                   if isinstance(item, dict)] if isinstance(member.get("adjustments"),
                                                              list) else []
    rankings = [_ranking(item) for item in member.get("rankings") or ()] \
        if isinstance(member.get("rankings"), list) else []
    try:
        as_of = parse_instant(member["as_of"])
    except (KeyError, TypeError, ValueError, AttributeError):
        as_of = None
    hours = member.get("response_hours")
    return HeldPoints(_book(member.get("rules")) or fallback,
                      [a for a in adjustments if a is not None],
                      member.get("show_ranking") is True,
                      [r for r in rankings if r is not None], as_of,
                      hours if _whole(hours) and 1 <= hours <= 24 * 365 else 24)


def keep_points(store, member) -> None:
    """Keep a pulled ``points`` member (called by the sync after the last page). Rules that
    cannot be read leave the rules kept before in place."""
    if not isinstance(member, dict):
        return
    if _book(member.get("rules")) is None:
        before = _kept(store)
        member = {**member, "rules": before.get("rules") if isinstance(before, dict) else None}
    try:
        text = canonical_json(member)
    except (TypeError, ValueError):
        return  # not JSON this tablet can write back (cannot come from a JSON answer)
    if text != store.get_meta(POINTS_META):
        store.set_meta({POINTS_META: text})


def _kept(store):
    text = store.get_meta(POINTS_META)
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def held_points(store, person_id: int) -> HeldPoints:
    """What the tablet counts with now (the defaults until a server has sent its own)."""
    return read_points(_kept(store), person_id)


@dataclass
class DutyFacts:
    """What 我的履职 is computed from, as the tablet holds it now."""

    person_id: int
    residents: list[dict]
    visits: list[dict]
    held: HeldPoints
    requests: list  # client.requests.RequestView, every one the tablet holds

    @property
    def request_records(self) -> list[dict]:
        return request_records(self.requests)


def duty_facts(service) -> DutyFacts | None:
    """Gathered on the database worker (``service``: a client.service.FieldService); None
    when nobody is signed in."""
    from .requests import RequestDesk
    account = service.account
    if account is None:
        return None
    residents, visits = held_records(service.store)
    return DutyFacts(account.person_id, residents, visits,
                     held_points(service.store, account.person_id),
                     RequestDesk(service).requests("all"))


def request_records(views) -> list[dict]:
    """Requests as ``shared.points.requests.events_of`` reads them, from what the person sees
    (client.requests.RequestView: the server's copy with this tablet's unsent moves on top, the
    way unsent visits count too)."""
    return [{"id": view.id, "resident_id": view.resident_id, "timeline": view.timeline}
            for view in views]


def held_records(store) -> tuple[list[dict], list[dict]]:
    """The residents and visits the tablet holds (their effective copies: the server's with
    this tablet's unsent visits)."""
    with store.reading() as db:
        residents = [json.loads(row[0]) for row in db.execute("SELECT payload FROM residents")]
        visits = [json.loads(row[0]) for row in db.execute("SELECT payload FROM visits")]
    return residents, visits
