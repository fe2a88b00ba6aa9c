"""Duty points (issue 15): one test per rule and per cap, the gaming cases, corrections, and
rule versions that never rewrite a day already counted."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from shared.district_day import zone_named
from shared.points import (
    ASSIGNED,
    NOT_SATISFIED,
    PARTLY,
    RAISED,
    RESOLVED,
    SATISFIED,
    VERDICT,
    Adjustment,
    PointsResident,
    PointsVisit,
    RequestEvent,
    RuleBook,
    RuleError,
    RuleSet,
    add_version,
    compute_ledger,
    default_rules,
    rules_from_dict,
    rules_to_dict,
    totals,
)
from shared.points import facts as f
from shared.points import rules as r
from shared.points.totals import by_kind

CHINA = zone_named("Asia/Shanghai")
BOOK = RuleBook((default_rules(date(2026, 1, 1)),))
LATER = datetime(2027, 6, 1, tzinfo=timezone.utc)  # "as of": after everything below


def cn(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    """An instant given as the district's wall clock (November 2026 unless said)."""
    return datetime(2026, month, day, hour, minute, tzinfo=CHINA).astimezone(timezone.utc)


def visit(vid, at, outcome="met", author="wang", resident="r1", **kw):
    return PointsVisit(vid, author, resident, at, outcome, **kw)


ALONE = PointsResident("r1", 1950, ("alone",))
OTHER = PointsResident("r1", 1950, ("empty_nest",))


def ledger(*facts, book=BOOK, as_of=LATER):
    return compute_ledger(facts, book, CHINA, as_of)


def points(entries, person="wang"):
    return sum(e.points for e in entries if e.person_id == person)


def kinds(entries):
    return [(e.kind, e.points, e.note) for e in entries]


# ---- each rule -------------------------------------------------------------------------------

def test_a_visit_that_met_the_resident_earns_its_author_points_and_a_closed_door_none():
    entries = ledger(OTHER, visit("v1", cn(2)), visit("v2", cn(3), "no_answer"))
    assert kinds(entries) == [(r.VISIT_MET, 2, "")]
    only = entries[0]
    assert (only.person_id, only.day, only.source, only.source_id, only.rule_version,
            only.resident_id) == ("wang", date(2026, 11, 2), "visit", "v1", 1, "r1")


def test_meeting_someone_living_alone_earns_the_vulnerable_bonus():
    assert kinds(ledger(ALONE, visit("v1", cn(2)))) == [(r.VISIT_MET, 2, ""),
                                                        (r.VISIT_VULNERABLE, 1, "")]


@pytest.mark.parametrize("birth_year, bonus", [(1946, True), (1947, False)])
def test_aged_80_comes_from_the_birth_year_in_the_year_of_the_visit(birth_year, bonus):
    resident = PointsResident("r1", birth_year, ())
    assert points(ledger(resident, visit("v1", cn(2)))) == (3 if bonus else 2)


def test_a_stored_80_plus_flag_is_not_an_age():
    flagged = PointsResident("r1", None, ("aged_80_plus",))
    assert points(ledger(flagged, visit("v1", cn(2)))) == 2


def test_the_age_is_taken_on_the_district_day_of_the_visit():
    # 1 January 2027 00:30 in China is still 2026 in UTC: the resident born 1947 is 80 then.
    resident = PointsResident("r1", 1947, ())
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=CHINA)
    assert points(ledger(resident, visit("v1", new_year))) == 3


def test_closing_a_no_answer_follow_up_within_48_hours_earns_whoever_met_the_resident():
    entries = ledger(ALONE, visit("v1", cn(2, 10), "no_answer"),
                     visit("v2", cn(4, 9, 59), author="li"))
    assert (r.FOLLOW_UP_CLOSED, 2, "") in kinds(entries)
    assert points(entries, "li") == 5 and points(entries, "wang") == 0


def test_a_follow_up_closed_after_48_hours_earns_only_the_visit():
    entries = ledger(ALONE, visit("v1", cn(2, 10), "no_answer"), visit("v2", cn(4, 10, 1)))
    assert r.FOLLOW_UP_CLOSED not in [e.kind for e in entries]


def test_the_48_hours_run_from_the_first_no_answer():
    entries = ledger(ALONE, visit("v1", cn(2, 10), "no_answer"),
                     visit("v2", cn(3, 10), "no_answer"), visit("v3", cn(4, 11)))
    assert r.FOLLOW_UP_CLOSED not in [e.kind for e in entries]


def test_no_follow_up_opens_for_someone_not_living_alone():
    entries = ledger(OTHER, visit("v1", cn(2, 10), "no_answer"), visit("v2", cn(3, 10)))
    assert r.FOLLOW_UP_CLOSED not in [e.kind for e in entries]


def test_raising_a_request_earns_the_raiser_once():
    raised = RequestEvent("e1", "q1", RAISED, cn(2), "li", resident_id="r1")
    again = RequestEvent("e2", "q1", RAISED, cn(2, 11), "li", resident_id="r1")
    loose = RequestEvent("e3", "q2", RAISED, cn(2), "li")  # a street light: no resident
    entries = ledger(raised, again, loose)
    assert [(e.kind, e.points, e.source_id) for e in entries] == [
        (r.REQUEST_RAISED, 1, "q1"), (r.REQUEST_RAISED, 1, "q2")]


def task(*events):
    return [RequestEvent(f"e{n}", "q1", kind, at, person, due=due, verdict=verdict)
            for n, (kind, at, person, due, verdict) in enumerate(events)]


DEADLINE = date(2026, 11, 10)


def test_resolving_a_task_by_the_end_of_its_deadline_earns_its_owner():
    entries = ledger(*task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                           (RESOLVED, cn(10, 23, 59), "supervisor", None, None)))
    assert [(e.person_id, e.kind, e.points, e.day) for e in entries] == [
        ("wang", r.TASK_ON_TIME, 3, DEADLINE)]


def test_a_task_resolved_late_earns_nothing_and_was_overdue_from_the_day_after_its_deadline():
    entries = ledger(*task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                           (RESOLVED, cn(11, 0, 1), "wang", None, None)))
    assert [(e.kind, e.points, e.day) for e in entries] == [
        (r.TASK_OVERDUE, -2, date(2026, 11, 11))]
    assert entries[0].at == cn(11, 0, 0)


def test_an_open_task_costs_its_owner_once_its_deadline_has_passed_and_only_then():
    events = task((ASSIGNED, cn(2), "wang", DEADLINE, None))
    assert ledger(*events, as_of=cn(10, 23, 59)) == []
    entries = ledger(*events, as_of=cn(11, 0, 0))
    assert kinds(entries) == [(r.TASK_OVERDUE, -2, "")]
    assert ledger(*events, as_of=cn(20)) == entries  # charged once, not daily


def test_a_task_handed_to_someone_else_costs_the_new_owner_when_late():
    entries = ledger(*task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                           (ASSIGNED, cn(5), "li", date(2026, 11, 12), None)), as_of=cn(20))
    assert [(e.person_id, e.kind, e.day) for e in entries] == [
        ("li", r.TASK_OVERDUE, date(2026, 11, 13))]


def test_verdicts_satisfied_earns_once_not_satisfied_costs_and_reopens():
    entries = ledger(*task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                           (RESOLVED, cn(3), "wang", None, None),
                           (VERDICT, cn(4), "li", None, NOT_SATISFIED),
                           (VERDICT, cn(5), "li", None, PARTLY),
                           (RESOLVED, cn(6), "wang", None, None),
                           (VERDICT, cn(7), "li", None, SATISFIED),
                           (VERDICT, cn(8), "li", None, SATISFIED)), as_of=cn(20))
    assert [(e.person_id, e.kind, e.points) for e in entries] == [
        ("wang", r.TASK_ON_TIME, 3), ("wang", r.VERDICT_NOT_SATISFIED, -2),
        ("wang", r.VERDICT_SATISFIED, 2)]


def test_a_task_reopened_after_its_deadline_is_overdue_from_the_reopening():
    entries = ledger(*task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                           (RESOLVED, cn(9), "wang", None, None),
                           (VERDICT, cn(12), "li", None, NOT_SATISFIED)), as_of=cn(20))
    assert [(e.kind, e.points, e.at) for e in entries] == [
        (r.TASK_ON_TIME, 3, cn(9)), (r.TASK_OVERDUE, -2, cn(12)),
        (r.VERDICT_NOT_SATISFIED, -2, cn(12))]


def test_a_supervisors_adjustment_needs_a_reason_and_carries_it():
    with pytest.raises(ValueError, match="reason"):
        Adjustment("a1", "wang", cn(2), 5, "  ", "sup")
    with pytest.raises(ValueError, match="points"):
        Adjustment("a1", "wang", cn(2), 0, "why", "sup")
    entries = ledger(Adjustment("a1", "wang", cn(2), -3, "双重登记", "sup"))
    assert [(e.kind, e.points, e.note, e.rule_version) for e in entries] == [
        (r.ADJUSTMENT, -3, "双重登记", None)]


# ---- caps and gaming ---------------------------------------------------------------------------

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


# ---- corrections -------------------------------------------------------------------------------

def test_a_voided_visit_takes_its_points_back_and_says_so():
    entries = ledger(ALONE, visit("v1", cn(2)),
                     visit("x1", cn(3), None, author="sup", corrects="v1", correction="void"))
    assert [(e.source_id, e.kind, e.points, e.note) for e in entries] == [
        ("v1", r.VISIT_MET, 0, f.VOIDED)]


def test_once_a_visit_is_voided_the_next_visit_that_day_counts():
    entries = ledger(OTHER, visit("v1", cn(2, 9)), visit("v2", cn(2, 15), author="li"),
                     visit("x1", cn(3), None, author="sup", corrects="v1", correction="void"))
    assert points(entries, "wang") == 0 and points(entries, "li") == 2


def test_an_amended_visit_counts_once_for_whoever_made_the_visit():
    entries = ledger(OTHER, visit("v1", cn(2, 9), "no_answer"),
                     visit("v2", cn(2, 9), "met", author="sup", corrects="v1",
                           correction="amend"))
    assert [(e.person_id, e.source_id, e.points) for e in entries] == [("wang", "v2", 2)]
    twice = ledger(OTHER, visit("v1", cn(2, 9)),
                   visit("v2", cn(2, 9), "met", author="sup", corrects="v1", correction="amend"),
                   visit("v3", cn(2, 9), "no_answer", author="sup", corrects="v2",
                         correction="amend"))
    assert [(e.person_id, e.source_id, e.points, e.note) for e in twice] == [
        ("wang", "v1", 0, f.CORRECTED), ("wang", "v2", 0, f.CORRECTED)]


def test_a_voided_visit_takes_back_the_follow_up_it_closed():
    entries = ledger(ALONE, visit("v1", cn(2), "no_answer"), visit("v2", cn(3)),
                     visit("x1", cn(4), None, corrects="v2", correction="void"))
    assert sum(e.points for e in entries) == 0


# ---- rule versions -----------------------------------------------------------------------------

V2 = RuleSet(2, date(2026, 11, 5), {**r.DEFAULT_AMOUNTS, r.VISIT_MET: 5})


def test_each_entry_is_counted_by_the_rules_in_force_on_its_district_day():
    entries = ledger(OTHER, visit("v1", cn(4, 23, 59)), visit("v2", cn(5, 0, 30)),
                     book=RuleBook((BOOK.versions[0], V2)))
    assert [(e.source_id, e.points, e.rule_version) for e in entries] == [
        ("v1", 2, 1), ("v2", 5, 2)]


def test_a_new_version_never_rewrites_the_days_before_it():
    facts = [ALONE] + [visit(f"v{d}", cn(d)) for d in range(1, 10)] + \
        task((ASSIGNED, cn(1), "wang", date(2026, 11, 3), None))
    before = ledger(*facts)
    after = ledger(*facts, book=RuleBook((BOOK.versions[0], V2)))
    cut = V2.effective
    assert [e for e in after if e.day < cut] == [e for e in before if e.day < cut]
    assert [e for e in after if e.day >= cut] != [e for e in before if e.day >= cut]


def test_nothing_counts_before_the_first_rules():
    late = RuleBook((default_rules(date(2026, 11, 3)),))
    assert [e.source_id for e in ledger(OTHER, visit("v1", cn(2)), visit("v2", cn(3)),
                                        book=late)] == ["v2"]


def test_a_new_version_takes_effect_today_or_later_and_is_the_next_number():
    today = date(2026, 11, 5)
    book = add_version(BOOK, V2, today)
    assert book.in_force(date(2026, 11, 4)).version == 1
    assert book.in_force(today).version == 2
    with pytest.raises(RuleError) as refused:
        add_version(BOOK, V2, date(2026, 11, 6))
    assert set(refused.value.problems) == {"effective"}
    with pytest.raises(RuleError) as refused:
        add_version(book, V2, today)
    assert set(refused.value.problems) == {"version"}


def test_a_newer_version_for_the_same_date_replaces_a_scheduled_one():
    v3 = RuleSet(3, V2.effective, r.DEFAULT_AMOUNTS)
    book = add_version(add_version(BOOK, V2, date(2026, 11, 1)), v3, date(2026, 11, 2))
    assert book.in_force(date(2026, 11, 30)).version == 3
    assert RuleBook((V2, BOOK.versions[0])).in_force(date(2026, 11, 30)).version == 2


def test_a_rule_book_needs_versions_each_numbered_once():
    with pytest.raises(RuleError):
        RuleBook(())
    with pytest.raises(RuleError):
        RuleBook((BOOK.versions[0], RuleSet(1, date(2026, 12, 1), {})))


# ---- rules as data -----------------------------------------------------------------------------

def test_rules_round_trip_through_their_plain_form():
    rules = RuleSet(4, date(2026, 12, 1), r.DEFAULT_AMOUNTS, weekly_cap=None, once_a_day=False,
                    gap_minutes=15, follow_up_hours=24, vulnerable_age=75)
    assert rules_from_dict(rules_to_dict(rules)) == rules
    plain = rules_to_dict(default_rules(date(2026, 1, 1)))
    assert rules_from_dict(plain) == default_rules(date(2026, 1, 1))


@pytest.mark.parametrize("change, field", [
    ({"amounts": {"visit_met": -1}}, "amounts.visit_met"),
    ({"amounts": {"task_overdue": 1}}, "amounts.task_overdue"),
    ({"amounts": {"visit_met": 101}}, "amounts.visit_met"),
    ({"amounts": {"visit_met": True}}, "amounts.visit_met"),
    ({"amounts": {"task_overdue": -101}}, "amounts.task_overdue"),
    ({"amounts": {"likes": 1}}, "amounts.likes"),
    ({"amounts": []}, "amounts"),
    ({"effective": "2026-13-01"}, "effective"),
    ({"effective": None}, "effective"),
    ({"version": 0}, "version"),
    ({"version": "2"}, "version"),
    ({"weekly_cap": 0}, "weekly_cap"),
    ({"once_a_day": "yes"}, "once_a_day"),
    ({"gap_minutes": -1}, "gap_minutes"),
    ({"follow_up_hours": 0}, "follow_up_hours"),
    ({"vulnerable_age": 59}, "vulnerable_age"),
    ({"bonus": 1}, "bonus"),
])
def test_bad_rules_are_refused_naming_the_setting(change, field):
    plain = {**rules_to_dict(default_rules(date(2026, 1, 1))), **change}
    with pytest.raises(RuleError) as refused:
        rules_from_dict(plain)
    assert set(refused.value.problems) == {field}
    assert field in str(refused.value)


@pytest.mark.parametrize("change", [{"amounts": {"visit_met": 0}}, {"amounts": {"visit_met": 100}},
                                    {"amounts": {"task_overdue": 0}},
                                    {"amounts": {"task_overdue": -100}}, {"weekly_cap": None},
                                    {"gap_minutes": 0}, {"vulnerable_age": 60}])
def test_the_edges_of_each_setting_are_allowed(change):
    plain = {**rules_to_dict(default_rules(date(2026, 1, 1))), **change}
    assert rules_from_dict(plain).version == 1


def test_a_rule_set_that_is_not_an_object_is_refused():
    with pytest.raises(RuleError) as refused:
        rules_from_dict(["visit_met", 2])
    assert set(refused.value.problems) == {"_schema"}


def test_a_request_event_names_what_is_wrong_with_it():
    with pytest.raises(ValueError, match="kind"):
        RequestEvent("e1", "q1", "liked", cn(2), "wang")
    with pytest.raises(ValueError, match="person_id"):
        RequestEvent("e1", "q1", ASSIGNED, cn(2), "")
    with pytest.raises(ValueError, match="verdict"):
        RequestEvent("e1", "q1", VERDICT, cn(2), "wang", verdict="great")


# ---- sums ------------------------------------------------------------------------------------

def test_a_persons_points_for_a_month_and_their_main_sources():
    entries = ledger(ALONE, visit("v1", cn(30)), visit("v2", cn(7, month=12)),
                     visit("v3", cn(8, 10, month=12), "no_answer"),
                     visit("v4", cn(9, 10, month=12)))
    december = (date(2026, 12, 1), date(2026, 12, 31))
    assert totals(entries, *december) == {"wang": 8}
    assert by_kind(entries, "wang", *december) == {r.VISIT_MET: 4, r.VISIT_VULNERABLE: 2,
                                                   r.FOLLOW_UP_CLOSED: 2}


def test_a_record_synced_again_with_new_content_replaces_the_old_one():
    from shared.points import Ledger
    ledger_ = Ledger(BOOK, CHINA)
    ledger_.add(visit("v1", cn(2), resident="r1"))
    assert [e.resident_id for e in ledger_.entries(LATER)] == ["r1"]
    ledger_.add(visit("v1", cn(2), resident="r2"))
    assert [e.resident_id for e in ledger_.entries(LATER)] == ["r2"]
    ledger_.add(RequestEvent("e1", "q1", RAISED, cn(3), "li", resident_id="r1"))
    ledger_.add(RequestEvent("e1", "q1", RAISED, cn(3), "li"))
    assert [(e.kind, e.resident_id) for e in ledger_.entries(LATER)] == [
        (r.VISIT_MET, "r2"), (r.REQUEST_RAISED, None)]
    with pytest.raises(TypeError):
        ledger_.add("v1")


@pytest.mark.parametrize("name, low, high", [
    ("version", 1, 10**6), ("weekly_cap", 1, 1000), ("gap_minutes", 0, 24 * 60),
    ("follow_up_hours", 1, 24 * 14), ("vulnerable_age", 60, 120)])
def test_each_bounded_setting_takes_its_bounds_and_refuses_one_beyond(name, low, high):
    plain = rules_to_dict(default_rules(date(2026, 1, 1)))
    for good in (low, high):
        assert rules_to_dict(rules_from_dict({**plain, name: good}))[name] == good
    for bad in (low - 1, high + 1):
        with pytest.raises(RuleError) as refused:
            rules_from_dict({**plain, name: bad})
        assert refused.value.problems == {name: f"must be between {low} and {high}"}


def test_a_version_made_later_for_an_earlier_date_replaces_the_one_scheduled():
    scheduled = RuleSet(2, date(2026, 11, 10), r.DEFAULT_AMOUNTS)
    sooner = RuleSet(3, date(2026, 11, 5), {**r.DEFAULT_AMOUNTS, r.VISIT_MET: 4})
    book = add_version(add_version(BOOK, scheduled, date(2026, 11, 1)), sooner,
                       date(2026, 11, 2))
    assert [book.in_force(date(2026, 11, d)).version for d in (4, 5, 10, 12)] == [1, 3, 3, 3]


def test_a_version_number_that_skips_one_is_refused_saying_which_is_next():
    with pytest.raises(RuleError) as refused:
        add_version(BOOK, RuleSet(3, date(2026, 12, 1), {}), date(2026, 11, 1))
    assert refused.value.problems == {"version": "must be 2, the next version"}


def test_settings_left_out_take_their_defaults_and_a_rule_left_out_counts_nothing():
    rules = rules_from_dict({"version": 1, "effective": "2026-01-01", "amounts": {}})
    assert rules == RuleSet(1, date(2026, 1, 1), {})
    assert (rules.weekly_cap, rules.once_a_day, rules.gap_minutes, rules.follow_up_hours,
            rules.vulnerable_age) == (10, True, 30, 48, 80)
    entries = ledger(OTHER, visit("v1", cn(2)), book=RuleBook((rules,)))
    assert [(e.kind, e.points, e.note) for e in entries] == [(r.VISIT_MET, 0, "")]


def test_every_problem_of_a_rule_set_is_named_at_once():
    plain = {**rules_to_dict(default_rules(date(2026, 1, 1))),
             "amounts": {"likes": 1, "visit_met": -1}, "gap_minutes": -1}
    with pytest.raises(RuleError) as refused:
        rules_from_dict(plain)
    assert set(refused.value.problems) == {"amounts.likes", "amounts.visit_met", "gap_minutes"}


def test_rules_and_rule_books_cannot_be_changed_in_place():
    from dataclasses import FrozenInstanceError
    with pytest.raises(FrozenInstanceError):
        BOOK.versions[0].weekly_cap = 99  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        BOOK.versions = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        BOOK.versions[0].amounts[r.VISIT_MET] = 99  # type: ignore[index]


def test_version_numbers_count_on_past_small_numbers():
    book = RuleBook((RuleSet(299, date(2026, 1, 1), {}),))
    assert add_version(book, RuleSet(300, date(2026, 12, 1), {}), date(2026, 11, 1)).latest.version \
        == 300


def test_a_long_rule_book_is_still_one_version_each():
    book = RuleBook(tuple(RuleSet(n, date(2026, 1, 1) + timedelta(days=n), {})
                          for n in range(1, 301)))
    assert book.in_force(date(2026, 1, 1) + timedelta(days=300)).version == 300


def test_a_visit_exactly_the_gap_after_the_last_counted_one_counts():
    entries = ledger(OTHER, visit("v1", cn(2, 23, 50)), visit("v2", cn(3, 0, 20)))
    assert [(e.source_id, e.points, e.note) for e in entries] == [("v1", 2, ""), ("v2", 2, "")]


def test_a_task_resolved_and_judged_not_satisfied_at_one_instant_is_reopened():
    # The resolution comes first whatever the ids: the verdict then reopens the task, which is
    # overdue once its deadline has passed.
    events = [RequestEvent("e5", "q1", ASSIGNED, cn(2), "wang", due=DEADLINE),
              RequestEvent("e9", "q1", RESOLVED, cn(9), "wang"),
              RequestEvent("e1", "q1", VERDICT, cn(9), "li", verdict=NOT_SATISFIED)]
    entries = ledger(*events, as_of=cn(20))
    assert [(e.kind, e.points) for e in entries] == [
        (r.TASK_ON_TIME, 3), (r.VERDICT_NOT_SATISFIED, -2), (r.TASK_OVERDUE, -2)]


def test_a_task_without_a_deadline_earns_its_verdict_and_is_never_on_time_or_overdue():
    entries = ledger(*task((ASSIGNED, cn(2), "wang", None, None),
                           (RESOLVED, cn(30), "wang", None, None),
                           (VERDICT, cn(30, 12), "li", None, SATISFIED)), as_of=LATER)
    assert [(e.kind, e.person_id, e.points) for e in entries] == [
        (r.VERDICT_SATISFIED, "wang", 2)]


def test_a_withdrawn_task_is_not_charged_when_its_deadline_passes():
    events = task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                  (f.WITHDRAWN, cn(5), "boss", None, None))
    assert ledger(*events, as_of=LATER) == []
    # ... but one withdrawn after its deadline was charged when the deadline passed
    late = task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                (f.WITHDRAWN, cn(12), "boss", None, None))
    assert [(e.kind, e.day) for e in ledger(*late, as_of=LATER)] == [
        (r.TASK_OVERDUE, DEADLINE + timedelta(days=1))]


def test_a_request_raised_by_nobody_earns_nobody():
    # Open311: a partner's request names no person who raised it
    entries = ledger(RequestEvent("e1", "q1", RAISED, cn(2), "", resident_id="r1"),
                     RequestEvent("e2", "q2", RAISED, cn(2), ""))
    assert entries == []


def test_a_lower_cap_from_mid_week_takes_no_points_away():
    lower = RuleSet(2, date(2026, 11, 5), r.DEFAULT_AMOUNTS, weekly_cap=5)
    facts = [ALONE] + [visit(f"v{d}", cn(d)) for d in (2, 3, 4, 5, 6)]
    entries = ledger(*facts, book=RuleBook((BOOK.versions[0], lower)))
    assert [(e.day.day, e.points, e.note) for e in entries if e.day.day >= 5] == [
        (5, 0, f.WEEKLY_CAP), (5, 0, f.WEEKLY_CAP), (6, 0, f.WEEKLY_CAP), (6, 0, f.WEEKLY_CAP)]
    assert points(entries) == 9


def test_a_follow_up_closed_exactly_48_hours_after_the_no_answer_earns():
    entries = ledger(ALONE, visit("v1", cn(2, 10), "no_answer"), visit("v2", cn(4, 10)))
    assert (r.FOLLOW_UP_CLOSED, 2, "") in kinds(entries)


def fresh(text: str) -> str:
    """The same text as a new string object, as values read from storage or JSON are."""
    return "".join(list(text))


def test_codes_read_from_storage_compare_by_value():
    entries = ledger(OTHER, visit("v1", cn(2)),
                     visit("x1", cn(3), None, corrects="v1", correction=fresh("void")),
                     *task((ASSIGNED, cn(2), "wang", DEADLINE, None),
                           (RESOLVED, cn(3), "wang", None, None),
                           (fresh(VERDICT), cn(4), "li", None, fresh(SATISFIED))))
    assert [(e.kind, e.points, e.note) for e in entries] == [
        (r.VISIT_MET, 0, f.VOIDED), (r.TASK_ON_TIME, 3, ""), (r.VERDICT_SATISFIED, 2, "")]
