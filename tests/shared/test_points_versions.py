"""Duty points (issue 15): rule versions, each counting from its own day and never rewriting a
day already counted."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.points import (
    ASSIGNED,
    RuleBook,
    RuleError,
    RuleSet,
    add_version,
    default_rules,
)
from shared.points import rules as r
from tests.shared.points_facts import (ALONE, BOOK, OTHER, cn, ledger, task, visit)


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


def test_a_rule_book_needs_versions_each_numbered_once():
    with pytest.raises(RuleError):
        RuleBook(())
    with pytest.raises(RuleError):
        RuleBook((BOOK.versions[0], RuleSet(1, date(2026, 12, 1), {})))


def test_version_numbers_count_on_past_small_numbers():
    book = RuleBook((RuleSet(299, date(2026, 1, 1), {}),))
    assert add_version(book, RuleSet(300, date(2026, 12, 1), {}), date(2026, 11, 1)).latest.version \
        == 300


def test_a_long_rule_book_is_still_one_version_each():
    book = RuleBook(tuple(RuleSet(n, date(2026, 1, 1) + timedelta(days=n), {})
                          for n in range(1, 301)))
    assert book.in_force(date(2026, 1, 1) + timedelta(days=300)).version == 300
