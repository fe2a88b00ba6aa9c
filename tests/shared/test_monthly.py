"""The monthly figures (issue 12, point 14), worked out by hand for a small district."""
from __future__ import annotations

from datetime import date, datetime, timezone

from shared.district_day import zone_named
from shared.monthly import (MonthlyFigures, MonthVisit, ResidentFact, month_bounds,
                            monthly_figures, months_back)

CHINA = zone_named("Asia/Shanghai")
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 30)


def at(day: int, hour: int = 2, month: int = 11) -> datetime:
    """UTC: 02:00 UTC is 10:00 in China."""
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


RESIDENTS = [
    ResidentFact("a", "c1", ("alone", "aged_80_plus"), "high", "moderate", follows_up=True),
    ResidentFact("b", "c1", ("empty_nest",), "key", "intact"),
    ResidentFact("c", "c2", ("alone",), "high", "severe", follows_up=True),
    ResidentFact("d", "c2", ("disabled",), "", "", joined=date(2026, 12, 2)),  # not yet on it
]


def figures(visits, counts=lambda tier, method: True) -> MonthlyFigures:
    return monthly_figures(RESIDENTS, visits, FIRST, LAST, CHINA, counts)


def test_rates_per_category_tier_and_area():
    result = figures([
        MonthVisit("v1", "a", at(3), "met", needs=("medicine", "meals"),
                   services=("referral",)),
        MonthVisit("v2", "b", at(5), "met", method="phone", needs=("medicine",)),
        MonthVisit("v3", "c", at(6), "no_answer"),
        MonthVisit("v0", "c", at(20, month=10), "met"),  # October: not this month
    ])
    assert (result.total.residents, result.total.visited) == (3, 2)
    assert result.total.percent == 66.7
    assert result.by_category["alone"].percent == 50.0
    assert result.by_category["aged_80_plus"].percent == 100.0
    assert result.by_tier["high"].visited == 1 and result.by_tier["key"].visited == 1
    assert result.by_area["c1"].percent == 100.0 and result.by_area["c2"].percent == 0.0
    assert result.visits == 3 and result.visits_by_method == {"door": 2, "phone": 1}
    assert result.visits_by_outcome == {"met": 2, "no_answer": 1}
    assert result.needs == {"medicine": [2, 1], "meals": [1, 1]}
    assert result.ability == {"moderate": 1, "intact": 1, "severe": 1}
    assert result.category_ability["alone"] == {"moderate": 1, "severe": 1}


def test_methods_that_do_not_count_for_a_tier_leave_the_resident_unvisited():
    only_door_for_high = lambda tier, method: tier != "high" or method == "door"  # noqa: E731
    result = figures([MonthVisit("v1", "a", at(3), "met", method="phone"),
                      MonthVisit("v2", "b", at(3), "met", method="phone")], only_door_for_high)
    assert result.by_tier["high"].visited == 0 and result.by_tier["key"].visited == 1


def test_month_edges_are_the_districts_days():
    # 31 October 16:30 UTC is 1 November 00:30 in China; 30 November 16:30 UTC is 1 December.
    inside = MonthVisit("v1", "a", datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc), "met")
    outside = MonthVisit("v2", "b", datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc), "met")
    result = figures([inside, outside])
    assert result.total.visited == 1 and result.visits == 1


def test_corrections_are_read_through():
    result = figures([MonthVisit("v1", "a", at(3), "met"),
                      MonthVisit("v2", "a", at(4), None, corrects="v1", correction="void"),
                      MonthVisit("v3", "b", at(3), "no_answer"),
                      MonthVisit("v4", "b", at(3, 3), "met", corrects="v3", correction="amend")])
    assert result.total.visited == 1 and result.visits_by_outcome == {"met": 1}


def test_follow_ups_opened_closed_and_open_at_the_end():
    result = figures([
        MonthVisit("o1", "a", at(28, month=10), "no_answer"),  # opened in October …
        MonthVisit("m1", "a", at(2), "met"),  # … closed in November
        MonthVisit("n1", "c", at(10), "no_answer"),  # opened in November
        MonthVisit("n2", "c", at(11), "no_answer"),  # already open: nothing new
        MonthVisit("n3", "b", at(10), "no_answer"),  # the rule does not cover b
    ])
    assert (result.follow_ups_opened, result.follow_ups_closed,
            result.follow_ups_open_at_end) == (1, 1, 1)


def test_month_helpers():
    assert month_bounds(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month_bounds(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    assert months_back(2026, 2, 3) == [(2025, 12), (2026, 1), (2026, 2)]
    assert figures([]).total.percent == 0.0
    assert monthly_figures([], [], FIRST, LAST, CHINA).total.percent is None
