"""Duty points (issue 15): what each visit, follow-up, raised request and adjustment earns, and
a person's sums."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from shared.points import (
    RAISED,
    Adjustment,
    PointsResident,
    RequestEvent,
    totals,
)
from shared.points import rules as r
from shared.points.totals import by_kind
from tests.shared.points_facts import (ALONE, CHINA, OTHER, cn, kinds, ledger, points, visit)


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


def test_a_follow_up_closed_exactly_48_hours_after_the_no_answer_earns():
    entries = ledger(ALONE, visit("v1", cn(2, 10), "no_answer"), visit("v2", cn(4, 10)))
    assert (r.FOLLOW_UP_CLOSED, 2, "") in kinds(entries)


def test_raising_a_request_earns_the_raiser_once():
    raised = RequestEvent("e1", "q1", RAISED, cn(2), "li", resident_id="r1")
    again = RequestEvent("e2", "q1", RAISED, cn(2, 11), "li", resident_id="r1")
    loose = RequestEvent("e3", "q2", RAISED, cn(2), "li")  # a street light: no resident
    entries = ledger(raised, again, loose)
    assert [(e.kind, e.points, e.source_id) for e in entries] == [
        (r.REQUEST_RAISED, 1, "q1"), (r.REQUEST_RAISED, 1, "q2")]


def test_a_request_raised_by_nobody_earns_nobody():
    # Open311: a partner's request names no person who raised it
    entries = ledger(RequestEvent("e1", "q1", RAISED, cn(2), "", resident_id="r1"),
                     RequestEvent("e2", "q2", RAISED, cn(2), ""))
    assert entries == []


def test_a_supervisors_adjustment_needs_a_reason_and_carries_it():
    with pytest.raises(ValueError, match="reason"):
        Adjustment("a1", "wang", cn(2), 5, "  ", "sup")
    with pytest.raises(ValueError, match="points"):
        Adjustment("a1", "wang", cn(2), 0, "why", "sup")
    entries = ledger(Adjustment("a1", "wang", cn(2), -3, "双重登记", "sup"))
    assert [(e.kind, e.points, e.note, e.rule_version) for e in entries] == [
        (r.ADJUSTMENT, -3, "双重登记", None)]


def test_a_persons_points_for_a_month_and_their_main_sources():
    entries = ledger(ALONE, visit("v1", cn(30)), visit("v2", cn(7, month=12)),
                     visit("v3", cn(8, 10, month=12), "no_answer"),
                     visit("v4", cn(9, 10, month=12)))
    december = (date(2026, 12, 1), date(2026, 12, 31))
    assert totals(entries, *december) == {"wang": 8}
    assert by_kind(entries, "wang", *december) == {r.VISIT_MET: 4, r.VISIT_VULNERABLE: 2,
                                                   r.FOLLOW_UP_CLOSED: 2}
