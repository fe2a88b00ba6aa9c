"""我的履职 (issue 15): a person's own duty points on the tablet, offline, computed by the same
shared core as the server (shared.points) from what the tablet holds after a sync: the
residents, visits and requests of its grids, and the rule versions and the person's own
adjustments the last pull brought (client/points.py). Also the ranking in their community as of
that sync, when the district shows it.

Pure: the screen gathers the facts on the database worker (client.points.tablet_facts) and asks
:func:`my_duty` there; it shows what comes back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared import points as sp
from shared.clock import parse_instant
from shared.district_day import district_today, month_start
from shared.points import facts as pf
from shared.points import rules as pr
from shared.points.requests import Rates, request_events, three_rates
from shared.points.totals import by_kind

from ...points import HeldPoints, Ranking
from ..i18n import _
from .common import N_, format_day, format_moment
from .requests import request_card

#: Each rule in words (translated where shown).
KIND_WORDS = {pr.VISIT_MET: N_("Visit that met the resident"),
              pr.VISIT_VULNERABLE: N_("Resident living alone or aged 80+"),
              pr.FOLLOW_UP_CLOSED: N_("No-answer follow-up closed in time"),
              pr.REQUEST_RAISED: N_("Request raised"),
              pr.TASK_ON_TIME: N_("Task resolved by its deadline"),
              pr.VERDICT_SATISFIED: N_("Resident satisfied"),
              pr.TASK_OVERDUE: N_("Task overdue"),
              pr.VERDICT_NOT_SATISFIED: N_("Resident not satisfied"),
              pr.ADJUSTMENT: N_("Adjustment by a supervisor")}

#: Why an entry gives fewer points than its rule (an adjustment's note is its reason).
NOTE_WORDS = {pf.VOIDED: N_("voided: no points"), pf.CORRECTED: N_("corrected: counted anew"),
              pf.SAME_DAY: N_("already met that day: no points"),
              pf.MINUTES_APART: N_("minutes after the last visit: no points"),
              pf.WEEKLY_CAP: N_("weekly cap per resident reached")}


@dataclass(frozen=True)
class MyStanding:
    """Where I stand in one community's ranking (None: I am not in it, no points yet)."""

    community: str
    month_rank: int | None
    month_of: int
    year_rank: int | None
    year_of: int
    leaders: tuple  # this month's first few: (rank, name, points, is_me)


@dataclass
class MyDuty:
    month: int
    year: int
    month_sources: dict[str, int] = field(default_factory=dict)
    recent: list[sp.Entry] = field(default_factory=list)  # this month's, newest first
    show_ranking: bool = False
    standings: list[MyStanding] = field(default_factory=list)
    ranked_at: datetime | None = None  # the sync the ranking is from
    rates: Rates = field(default_factory=Rates)  # this year's, of the tasks I hold


def _instant(text: str) -> datetime:
    return parse_instant(text)


def facts_of(residents: list[dict], visits: list[dict]) -> list:
    """Points facts from records as pulled (wire form: instants as ISO text)."""
    facts: list = [sp.PointsResident(r["id"], r.get("birth_year"),
                                     tuple(r.get("care_categories") or r.get("living_situation") or ()))
                   for r in residents]
    facts += [sp.PointsVisit(v["id"], str(v.get("author_id") or ""), v["resident_id"],
                             _instant(v["visited_at"]), v.get("outcome"), v.get("corrects"),
                             v.get("correction"))
              for v in visits]
    return facts


def _standing(ranking: Ranking, me: int, leaders: int = 5) -> MyStanding:
    def mine(rows):
        return next((row.rank for row in rows if row.person_id == me), None)
    return MyStanding(ranking.community, mine(ranking.month), len(ranking.month),
                      mine(ranking.year), len(ranking.year),
                      tuple((row.rank, row.name, row.points, row.person_id == me)
                            for row in ranking.month[:leaders]))


def my_duty(person_id: int, residents: list[dict], visits: list[dict], zone: ZoneInfo,
            now: datetime, held: HeldPoints | None = None,
            requests: list[dict] = ()) -> MyDuty:
    """This month's and this year's points of ``person_id`` and what earned them, counted
    with the rule book and adjustments the tablet holds (``held``; the defaults when None),
    and this year's three rates of the tasks I hold. ``requests``: request records as
    ``shared.points.requests.events_of`` reads them (client.points.request_records)."""
    held = held or HeldPoints()
    today = district_today(now, zone)
    events = request_events(requests)
    facts = facts_of(residents, visits) + events + list(held.adjustments)
    entries = sp.compute_ledger(facts, held.book, zone, now)
    me = str(person_id)
    first_of_month, first_of_year = month_start(today), date(today.year, 1, 1)
    month = sp.totals(entries, first_of_month, today).get(me, 0)
    year = sp.totals(entries, first_of_year, today).get(me, 0)
    recent = [e for e in entries if e.person_id == me and first_of_month <= e.day <= today]
    return MyDuty(month, year, by_kind(entries, me, first_of_month, today),
                  sorted(recent, key=lambda e: e.at, reverse=True), held.show_ranking,
                  [_standing(ranking, person_id) for ranking in held.rankings]
                  if held.show_ranking else [], held.as_of,
                  three_rates(events, first_of_year, today, zone, today, held.response_hours,
                              owner=me))


# ---- words (the screen shows these; translated here, on the worker, like every presenter) ----

def my_tasks(views) -> list[dict]:
    """My open tasks (client.requests.RequestView, mine and open), overdue first, then by
    deadline (none last), as :func:`task_entry` gives them."""
    ordered = sorted(views, key=lambda v: (not v.overdue, v.state.due_on is None,
                                           v.state.due_on or date.max))
    return [task_entry(view) for view in ordered]


def recent_text(mine: MyDuty, today: date, shown: int = 12) -> str:
    """This month's latest entries: day, rule, points, and why when it is not the rule's
    (a cap, a void; an adjustment's reason)."""
    lines = []
    for entry in mine.recent[:shown]:
        parts = [format_day(entry.day, today), _(KIND_WORDS.get(entry.kind, entry.kind)),
                 str(entry.points)]
        if entry.note:
            parts.append(_(NOTE_WORDS[entry.note]) if entry.note in NOTE_WORDS else entry.note)
        lines.append(" · ".join(parts))
    return "\n".join(lines)


def task_entry(view) -> dict:
    """One of my open tasks (a client.requests.RequestView): what the button says, and which
    request it opens on the Requests screen."""
    card = request_card(view)
    line = " · ".join(filter(None, [card["title"], card["facts"], card["overdue"]]))
    return {"request_id": view.id, "text": line, "overdue": bool(card["overdue"])}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def rates_text(rates: Rates) -> str:
    """The three rates, each with what it counts ("—" while there is nothing to count)."""
    return "\n".join(_(line).format(rate=_percent(rate), part=part, whole=whole)
                     for line, rate, part, whole in (
                         (N_("Response rate: {rate} ({part} of {whole})"), rates.response,
                          rates.responded, rates.raised),
                         (N_("Resolution rate: {rate} ({part} of {whole})"), rates.resolution,
                          rates.resolved, rates.due),
                         (N_("Satisfaction rate: {rate} ({part} of {whole})"),
                          rates.satisfaction, rates.satisfied, rates.verdicts)))


def ranking_text(mine: MyDuty) -> str:
    """Where I stand in my community this month and this year, the month's first few, and
    the sync it is from ("" when the district does not show rankings)."""
    if not mine.show_ranking or not mine.standings:
        return ""
    lines = []
    for standing in mine.standings:
        def place(rank, of):
            return _("rank {rank} of {count}").format(rank=rank, count=of) if rank else \
                _("not ranked yet")
        lines.append(_("{community}: this month {month}; this year {year}").format(
            community=standing.community, month=place(standing.month_rank, standing.month_of),
            year=place(standing.year_rank, standing.year_of)))
        lines += [_("{rank}. {name}: {points}").format(rank=rank, name=name, points=points)
                  + (_(" (me)") if is_me else "") for rank, name, points, is_me in
                  standing.leaders]
    if mine.ranked_at is not None:
        lines.append(_("As of {time}").format(time=format_moment(mine.ranked_at)))
    return "\n".join(lines)
