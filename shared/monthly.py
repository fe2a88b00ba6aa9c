"""The monthly figures higher levels ask for (issue 12, point 14). Pure: the caller reads the
residents and visits and says which month, zone and rules; nothing here reads a clock or a
database.

- **月探访率** (monthly visit rate): of the residents on the roster during the month, the share
  met at least once in the month (a visit whose outcome is 见到本人, after corrections: a voided
  visit is no visit, an amended one counts as amended) by a method that counts for the
  resident's tier (the district decides: e.g. only door visits for high risk). Per care
  category (a resident in two categories counts in both), per risk tier and per area.
- residents by category and ability level;
- visits by method and by outcome;
- needs found (how many visits found each need) and referred (of those, the visits that also
  recorded a referral: 上报转办);
- follow-ups opened (a no-answer, for a resident the follow-up rule covers, with none open)
  and closed (a meeting while one was open) in the month, and those still open at its end.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .district_day import day_end, day_start, local_date
from .due import VisitFact, effective_visits
from .protocol import MET, NO_ANSWER
from .vocabulary import codes

#: The tier of a resident nobody has given one, and the ability level of one not assessed.
UNTIERED = ""
UNASSESSED = ""
DOOR = "door"
#: The service that says a need was passed on (上报转办).
REFERRAL = "referral"


@dataclass(frozen=True)
class ResidentFact:
    id: str
    area: str  # the key of the area the resident is reported under (e.g. a community's id)
    categories: tuple[str, ...]  # as a person reads them, 高龄 included when computed
    tier: str = UNTIERED
    ability: str = UNASSESSED
    follows_up: bool = False  # whether a no-answer opens a follow-up
    joined: date | None = None  # the district day the resident joined the roster


@dataclass(frozen=True)
class MonthVisit:
    id: str
    resident_id: str
    visited_at: datetime
    outcome: str | None
    method: str = DOOR
    needs: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    corrects: str | None = None
    correction: str | None = None


@dataclass
class Rate:
    residents: int = 0
    visited: int = 0

    @property
    def percent(self) -> float | None:
        """The rate in per cent, one decimal; None when there is nobody to visit."""
        return round(100 * self.visited / self.residents, 1) if self.residents else None


@dataclass
class MonthlyFigures:
    first: date
    last: date
    total: Rate = field(default_factory=Rate)
    by_category: dict[str, Rate] = field(default_factory=dict)
    by_tier: dict[str, Rate] = field(default_factory=dict)
    by_area: dict[str, Rate] = field(default_factory=dict)
    #: category → ability level → residents ("" : not assessed); and every resident by level.
    category_ability: dict[str, Counter] = field(default_factory=dict)
    ability: Counter = field(default_factory=Counter)
    visits_by_method: Counter = field(default_factory=Counter)
    visits_by_outcome: Counter = field(default_factory=Counter)
    #: need → [visits that found it, of which referred]
    needs: dict[str, list[int]] = field(default_factory=dict)
    follow_ups_opened: int = 0
    follow_ups_closed: int = 0
    follow_ups_open_at_end: int = 0

    @property
    def visits(self) -> int:
        return sum(self.visits_by_method.values())


def _all_count(_tier: str, _method: str) -> bool:
    return True


def monthly_figures(residents: Iterable[ResidentFact], visits: Iterable[MonthVisit],
                    first: date, last: date, zone: ZoneInfo,
                    counts: Callable[[str, str], bool] = _all_count) -> MonthlyFigures:
    """The figures of the district days ``first`` to ``last``.

    ``visits``: every visit of these residents up to the month's end, and far enough back to
    know which follow-ups were open when the month began (those before it count nothing else).
    ``counts(tier, method)``: whether a meeting by ``method`` counts for a resident of ``tier``.
    """
    start, end = day_start(first, zone), day_end(last, zone)
    figures = MonthlyFigures(first, last)
    people = {r.id: r for r in residents if r.joined is None or r.joined <= last}
    history: dict[str, list[MonthVisit]] = defaultdict(list)
    for visit in visits:
        if visit.resident_id in people and visit.visited_at < end:
            history[visit.resident_id].append(visit)
    met: set[str] = set()
    for resident_id, kept in history.items():
        resident = people[resident_id]
        by_id = {visit.id: visit for visit in kept}
        facts = effective_visits(VisitFact(v.id, v.visited_at, v.outcome, v.corrects,
                                           v.correction) for v in kept)
        open_since = None
        for fact in facts:
            visit = by_id[fact.id]
            inside = fact.visited_at >= start
            if inside:
                _count_visit(figures, visit)
                if fact.outcome == MET and counts(resident.tier, visit.method):
                    met.add(resident_id)
            if fact.outcome == MET and open_since is not None:
                open_since = None
                figures.follow_ups_closed += inside
            elif fact.outcome == NO_ANSWER and open_since is None and resident.follows_up:
                open_since = fact.visited_at
                figures.follow_ups_opened += inside
        figures.follow_ups_open_at_end += open_since is not None
    for resident in people.values():
        visited = resident.id in met
        for rate in (figures.total, *(_rate(figures.by_category, c) for c in resident.categories),
                     _rate(figures.by_tier, resident.tier), _rate(figures.by_area, resident.area)):
            rate.residents += 1
            rate.visited += visited
        figures.ability[resident.ability] += 1
        for category in resident.categories:
            figures.category_ability.setdefault(category, Counter())[resident.ability] += 1
    _put_in_order(figures)
    return figures


def in_order(counts: dict, *kinds: str) -> dict:
    """``counts`` with its keys in the vocabulary's order of ``kinds`` (the order a person
    chooses them in: GB/T 42195's levels from able to unable, tiers from high risk down), then
    any other key, with "" (not assessed, no tier) last."""
    order = {code: index for index, code in enumerate(c for kind in kinds for c in codes(kind))}
    ranked = sorted(counts, key=lambda key: (key == "", order.get(key, len(order)), key))
    return type(counts)({key: counts[key] for key in ranked}) if isinstance(counts, Counter) \
        else {key: counts[key] for key in ranked}


def _put_in_order(figures: MonthlyFigures) -> None:
    categories = ("care_category", "derived_category")
    figures.by_category = in_order(figures.by_category, *categories)
    figures.by_tier = in_order(figures.by_tier, "risk_tier")
    figures.ability = in_order(figures.ability, "ability_level")
    figures.category_ability = {
        category: in_order(levels, "ability_level")
        for category, levels in in_order(figures.category_ability, *categories).items()}
    figures.visits_by_method = in_order(figures.visits_by_method, "method")
    figures.visits_by_outcome = in_order(figures.visits_by_outcome, "outcome")


def _rate(rates: dict[str, Rate], key: str) -> Rate:
    return rates.setdefault(key, Rate())


def _count_visit(figures: MonthlyFigures, visit: MonthVisit) -> None:
    figures.visits_by_method[visit.method or DOOR] += 1
    figures.visits_by_outcome[visit.outcome or ""] += 1
    referred = REFERRAL in visit.services
    for need in dict.fromkeys(visit.needs):
        found = figures.needs.setdefault(need, [0, 0])
        found[0] += 1
        found[1] += referred


def month_of(moment: datetime, zone: ZoneInfo) -> tuple[int, int]:
    day = local_date(moment, zone)
    return day.year, day.month


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first and last day of a calendar month."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """``count`` months ending with (year, month), oldest first."""
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]
