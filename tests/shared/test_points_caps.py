"""Duty points (issue 15): the caps and the gaming cases (the same day, minutes apart, the
weekly cap per person and resident), counted by the district's day and week."""
from __future__ import annotations

from datetime import date


from shared.points import (
    ASSIGNED,
    RAISED,
    Adjustment,
    RequestEvent,
    RuleBook,
    RuleSet,
    totals,
)
from shared.points import facts as f
from shared.points import rules as r
from tests.shared.points_facts import (ALONE, BOOK, DEADLINE, OTHER, cn, ledger, points, task,
                                       visit)


def test_a_second_visit_to_the_same_resident_the_same_district_day_earns_nothing():
    entries = ledger(OTHER, visit("v1", cn(2, 9)), visit("v2", cn(2, 15), author="li"))
    assert [(e.person_id, e.points, e.note) for e in entries] == [
        ("wang", 2, ""), ("li", 0, f.SAME_DAY)]


def test_the_same_day_is_the_districts_not_utcs():
    # 23:00 and 01:00 in China: one UTC day (15:00 and 17:00 UTC), two district days.
    entries = ledger(OTHER, visit("v1", cn(2, 23)), visit("v2", cn(3, 1)))
    assert [e.points for e in entries] == [2, 2]


def test_visits_minutes_apart_count_once_even_across_midnight():
    entries = ledger(OTHER, visit("v1", cn(2, 23, 50)), visit("v2", cn(3, 0, 10)),
                     visit("v3", cn(3, 0, 30)))
    assert [(e.source_id, e.points, e.note) for e in entries] == [
        ("v1", 2, ""), ("v2", 0, f.MINUTES_APART), ("v3", 2, "")]


def test_a_visit_exactly_the_gap_after_the_last_counted_one_counts():
    entries = ledger(OTHER, visit("v1", cn(2, 23, 50)), visit("v2", cn(3, 0, 20)))
    assert [(e.source_id, e.points, e.note) for e in entries] == [("v1", 2, ""), ("v2", 2, "")]


def test_a_follow_up_closed_minutes_after_the_no_answer_was_never_open():
    # Knock, write "no answer", knock again: no follow-up bonus for that.
    entries = ledger(ALONE, visit("v1", cn(2, 10), "no_answer"), visit("v2", cn(2, 10, 5)))
    assert r.FOLLOW_UP_CLOSED not in [e.kind for e in entries]


def test_points_from_one_resident_are_capped_per_person_and_district_week():
    # Monday 2 to Sunday 8 November; 3 points a visit to someone living alone, cap 10.
    facts = [ALONE] + [visit(f"v{d}", cn(d)) for d in (2, 3, 4, 5, 8, 9)]
    entries = ledger(*facts)
    week = [(e.day.day, e.kind, e.points, e.note) for e in entries if e.day.day <= 8]
    assert week == [(2, r.VISIT_MET, 2, ""), (2, r.VISIT_VULNERABLE, 1, ""),
                    (3, r.VISIT_MET, 2, ""), (3, r.VISIT_VULNERABLE, 1, ""),
                    (4, r.VISIT_MET, 2, ""), (4, r.VISIT_VULNERABLE, 1, ""),
                    (5, r.VISIT_MET, 1, f.WEEKLY_CAP), (5, r.VISIT_VULNERABLE, 0, f.WEEKLY_CAP),
                    (8, r.VISIT_MET, 0, f.WEEKLY_CAP), (8, r.VISIT_VULNERABLE, 0, f.WEEKLY_CAP)]
    assert totals(entries, date(2026, 11, 2), date(2026, 11, 8)) == {"wang": 10}
    assert totals(entries, date(2026, 11, 9), date(2026, 11, 15)) == {"wang": 3}  # a new week


def test_the_weekly_cap_is_per_person():
    facts = [ALONE] + [visit(f"v{d}", cn(d)) for d in (2, 3, 4, 5)] + \
        [visit("li1", cn(6), author="li")]
    entries = ledger(*facts)
    assert points(entries, "wang") == 10 and points(entries, "li") == 3


def test_raising_requests_about_one_resident_counts_in_the_weekly_cap():
    facts = [ALONE] + [visit(f"v{d}", cn(d)) for d in (2, 3, 4)] + \
        [RequestEvent(f"e{n}", f"q{n}", RAISED, cn(5, 9 + n), "wang", resident_id="r1")
         for n in range(3)]
    entries = ledger(*facts)
    assert points(entries) == 10
    assert [e.note for e in entries if e.kind == r.REQUEST_RAISED] == ["", f.WEEKLY_CAP,
                                                                        f.WEEKLY_CAP]


def test_costs_are_never_capped():
    small = RuleSet(1, date(2026, 1, 1), r.DEFAULT_AMOUNTS, weekly_cap=1)
    entries = ledger(Adjustment("a1", "wang", cn(2), -50, "错误记录", "sup"),
                     *task((ASSIGNED, cn(2), "wang", DEADLINE, None)),
                     book=RuleBook((small,)), as_of=cn(20))
    assert points(entries) == -52


def test_a_lower_cap_from_mid_week_takes_no_points_away():
    lower = RuleSet(2, date(2026, 11, 5), r.DEFAULT_AMOUNTS, weekly_cap=5)
    facts = [ALONE] + [visit(f"v{d}", cn(d)) for d in (2, 3, 4, 5, 6)]
    entries = ledger(*facts, book=RuleBook((BOOK.versions[0], lower)))
    assert [(e.day.day, e.points, e.note) for e in entries if e.day.day >= 5] == [
        (5, 0, f.WEEKLY_CAP), (5, 0, f.WEEKLY_CAP), (6, 0, f.WEEKLY_CAP), (6, 0, f.WEEKLY_CAP)]
    assert points(entries) == 9
