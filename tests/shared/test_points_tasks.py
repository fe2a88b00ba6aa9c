"""Duty points (issue 15) for the tasks of the three lists: on time, overdue, handed on,
withdrawn, and the residents' verdicts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.points import (
    ASSIGNED,
    NOT_SATISFIED,
    PARTLY,
    RESOLVED,
    SATISFIED,
    VERDICT,
    RequestEvent,
)
from shared.points import facts as f
from shared.points import rules as r
from tests.shared.points_facts import (DEADLINE, LATER, cn, kinds, ledger, task)


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


def test_a_request_event_names_what_is_wrong_with_it():
    with pytest.raises(ValueError, match="kind"):
        RequestEvent("e1", "q1", "liked", cn(2), "wang")
    with pytest.raises(ValueError, match="person_id"):
        RequestEvent("e1", "q1", ASSIGNED, cn(2), "")
    with pytest.raises(ValueError, match="verdict"):
        RequestEvent("e1", "q1", VERDICT, cn(2), "wang", verdict="great")
