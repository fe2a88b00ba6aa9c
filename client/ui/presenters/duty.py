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
from shared.points import rules as pr
from shared.points.totals import by_kind

from ...points import HeldPoints, Ranking
from .common import N_

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
            now: datetime, held: HeldPoints | None = None) -> MyDuty:
    """This month's and this year's points of ``person_id`` and what earned them, counted
    with the rule book and adjustments the tablet holds (``held``; the defaults when None)."""
    held = held or HeldPoints()
    today = district_today(now, zone)
    facts = facts_of(residents, visits) + list(held.adjustments)
    entries = sp.compute_ledger(facts, held.book, zone, now)
    me = str(person_id)
    first_of_month, first_of_year = month_start(today), date(today.year, 1, 1)
    month = sp.totals(entries, first_of_month, today).get(me, 0)
    year = sp.totals(entries, first_of_year, today).get(me, 0)
    recent = [e for e in entries if e.person_id == me and first_of_month <= e.day <= today]
    return MyDuty(month, year, by_kind(entries, me, first_of_month, today),
                  sorted(recent, key=lambda e: e.at, reverse=True), held.show_ranking,
                  [_standing(ranking, person_id) for ranking in held.rankings]
                  if held.show_ranking else [], held.as_of)
