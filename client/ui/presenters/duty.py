"""我的履职 (issue 15): a person's own duty points on the tablet, offline, computed by the same
shared core as the server (shared.points) from the records the tablet holds after a sync.

Pure but for :func:`held_records` (which reads the local store): the screen asks
:func:`my_duty` off the UI thread and shows what it returns. The tablet counts with the rules
it knows, the district's defaults (version 1); rule versions an admin saves on the server do
not travel to the tablet yet (docs/points.md)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared import points as sp
from shared.district_day import district_today, month_start
from shared.points.rules import RuleBook, default_rules
from shared.points import rules as pr
from shared.points.totals import by_kind

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

#: The rules the tablet counts with, as the server does before any version is saved.
TABLET_BOOK = RuleBook((default_rules(date(2000, 1, 1)),))


@dataclass
class MyDuty:
    month: int
    year: int
    month_sources: dict[str, int] = field(default_factory=dict)
    recent: list[sp.Entry] = field(default_factory=list)  # this month's, newest first


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


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


def my_duty(person_id: int, residents: list[dict], visits: list[dict], zone: ZoneInfo,
            now: datetime, book: RuleBook = TABLET_BOOK) -> MyDuty:
    """This month's and this year's points of ``person_id`` and what earned them."""
    today = district_today(now, zone)
    entries = sp.compute_ledger(facts_of(residents, visits), book, zone, now)
    me = str(person_id)
    first_of_month, first_of_year = month_start(today), date(today.year, 1, 1)
    month = sp.totals(entries, first_of_month, today).get(me, 0)
    year = sp.totals(entries, first_of_year, today).get(me, 0)
    recent = [e for e in entries if e.person_id == me and first_of_month <= e.day <= today]
    return MyDuty(month, year, by_kind(entries, me, first_of_month, today),
                  sorted(recent, key=lambda e: e.at, reverse=True))


def held_records(store) -> tuple[list[dict], list[dict]]:
    """The residents and visits the tablet holds (their effective copies)."""
    with store.reading() as db:
        residents = [json.loads(row[0]) for row in db.execute("SELECT payload FROM residents")]
        visits = [json.loads(row[0]) for row in db.execute("SELECT payload FROM visits")]
    return residents, visits
