"""Duty points (issue 15): the rules as data, their plain form, and every setting's bounds
and defaults."""
from __future__ import annotations

from datetime import date

import pytest

from shared.points import (
    RuleBook,
    RuleError,
    RuleSet,
    default_rules,
    rules_from_dict,
    rules_to_dict,
)
from shared.points import rules as r
from tests.shared.points_facts import (BOOK, OTHER, cn, ledger, visit)


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


def test_every_problem_of_a_rule_set_is_named_at_once():
    plain = {**rules_to_dict(default_rules(date(2026, 1, 1))),
             "amounts": {"likes": 1, "visit_met": -1}, "gap_minutes": -1}
    with pytest.raises(RuleError) as refused:
        rules_from_dict(plain)
    assert set(refused.value.problems) == {"amounts.likes", "amounts.visit_met", "gap_minutes"}


def test_a_rule_set_that_is_not_an_object_is_refused():
    with pytest.raises(RuleError) as refused:
        rules_from_dict(["visit_met", 2])
    assert set(refused.value.problems) == {"_schema"}


def test_settings_left_out_take_their_defaults_and_a_rule_left_out_counts_nothing():
    rules = rules_from_dict({"version": 1, "effective": "2026-01-01", "amounts": {}})
    assert rules == RuleSet(1, date(2026, 1, 1), {})
    assert (rules.weekly_cap, rules.once_a_day, rules.gap_minutes, rules.follow_up_hours,
            rules.vulnerable_age) == (10, True, 30, 48, 80)
    entries = ledger(OTHER, visit("v1", cn(2)), book=RuleBook((rules,)))
    assert [(e.kind, e.points, e.note) for e in entries] == [(r.VISIT_MET, 0, "")]


def test_rules_and_rule_books_cannot_be_changed_in_place():
    from dataclasses import FrozenInstanceError
    with pytest.raises(FrozenInstanceError):
        BOOK.versions[0].weekly_cap = 99  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        BOOK.versions = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        BOOK.versions[0].amounts[r.VISIT_MET] = 99  # type: ignore[index]
