"""Duty points (issue 15): corrections (a voided or amended visit, a record synced again)
take back exactly what they change."""
from __future__ import annotations

import pytest

from shared.points import (
    ASSIGNED,
    RAISED,
    RESOLVED,
    SATISFIED,
    VERDICT,
    RequestEvent,
)
from shared.points import facts as f
from shared.points import rules as r
from tests.shared.points_facts import (ALONE, BOOK, CHINA, DEADLINE, LATER, OTHER, cn, ledger,
                                       points, task, visit)


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
