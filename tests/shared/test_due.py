"""Who is due a visit and which follow-ups are open: one rule for server and tablet."""
from dataclasses import FrozenInstanceError
from datetime import date, datetime, timezone

import pytest

from shared import due
from shared.district_day import zone_named
from shared.due import VisitFact, cadence_days, due_status, last_met, open_follow_up

TODAY = date(2026, 11, 25)  # a Wednesday
CHINA = zone_named("Asia/Shanghai")


def at(day, hour=10):
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


def status(**overrides):
    values = dict(status="active", care_categories=[], birth_year=1950,
                  visit_cadence_days=None, last_met=None, since=date(2026, 1, 1), today=TODAY,
                  zone=CHINA)
    values.update(overrides)
    return due_status(**values)


def test_people_living_alone_or_over_80_are_visited_weekly_others_fortnightly():
    assert cadence_days(["alone"], 1960, None, TODAY) == 7
    assert cadence_days([], 1940, None, TODAY) == 7
    # 80+ is the birth year's alone: the old stored tag means nothing any more
    assert cadence_days(["aged_80_plus"], 1950, None, TODAY) == 14
    assert cadence_days(["empty_nest"], 1950, None, TODAY) == 14
    assert cadence_days(["alone"], 1950, 3, TODAY) == 3


def test_overdue_counts_days_past_the_due_date():
    result = status(care_categories=["alone"], last_met=at(10))
    assert result.status == due.OVERDUE
    assert result.next_due == date(2026, 11, 17)
    assert result.days_overdue == 8


def test_due_today_this_week_and_not_due():
    assert status(care_categories=["alone"], last_met=at(18)).status == due.DUE_TODAY
    assert status(care_categories=["alone"], last_met=at(21)).status == due.DUE_THIS_WEEK
    assert status(last_met=at(24)).status == due.NOT_DUE


def test_someone_never_met_is_due_from_joining_the_roster():
    result = status(since=date(2026, 11, 1))
    assert result.status == due.OVERDUE and result.days_overdue == 24


def test_residents_who_moved_or_died_are_not_due():
    assert status(status="deceased").status == due.INACTIVE


def test_overdue_sorts_before_due_today_and_longest_overdue_first():
    long_overdue = status(care_categories=["alone"], last_met=at(1))
    short_overdue = status(care_categories=["alone"], last_met=at(15))
    today = status(care_categories=["alone"], last_met=at(18))
    ordered = sorted([today, short_overdue, long_overdue], key=lambda s: s.sort_key)
    assert ordered == [long_overdue, short_overdue, today]


def test_no_answer_at_the_door_of_someone_living_alone_opens_a_follow_up():
    visits = [VisitFact("a", at(10), "met"), VisitFact("b", at(12), "no_answer"),
              VisitFact("c", at(13), "no_answer")]
    assert open_follow_up(True, visits) == at(12)


def test_only_a_later_visit_that_meets_the_resident_closes_the_follow_up():
    visits = [VisitFact("b", at(12), "no_answer"), VisitFact("c", at(13), "refused"),
              VisitFact("d", at(14), "met")]
    assert open_follow_up(True, visits) is None
    assert open_follow_up(True, visits[:2]) == at(12)


def test_no_follow_up_for_people_the_district_does_not_follow_up():
    assert open_follow_up(False, [VisitFact("b", at(12), "no_answer")]) is None


def test_a_voided_visit_no_longer_counts():
    visits = [VisitFact("a", at(10), "met"), VisitFact("v", at(11), None, "a", "void")]
    assert last_met(visits) is None


def test_an_amended_visit_is_replaced_by_its_amendment():
    visits = [VisitFact("a", at(10), "no_answer"), VisitFact("b", at(10, 11), "met", "a", "amend")]
    assert last_met(visits) == at(10, 11)
    assert open_follow_up(True, visits) is None


def test_a_meeting_counts_on_the_districts_day_not_the_utc_day():
    # 07:30 on 18 November in China is still 17 November in UTC: met a week before today's
    # Wednesday in China, so due today, not overdue since yesterday.
    early_morning = datetime(2026, 11, 17, 23, 30, tzinfo=timezone.utc)
    assert status(care_categories=["alone"], last_met=early_morning).status == due.DUE_TODAY
    # 23:30 on 17 November in China (15:30 UTC): met eight days before, so overdue by one.
    late_evening = datetime(2026, 11, 17, 15, 30, tzinfo=timezone.utc)
    result = status(care_categories=["alone"], last_met=late_evening)
    assert (result.status, result.days_overdue) == (due.OVERDUE, 1)


def test_an_instant_without_the_districts_zone_is_refused():
    with pytest.raises(ValueError):
        status(last_met=at(10), zone=None)


# ---- edges of age, week and order ------------------------------------------------------------

def test_a_resident_turning_80_this_year_is_visited_weekly_and_79_fortnightly():
    assert cadence_days([], TODAY.year - 80, None, TODAY) == 7
    assert cadence_days([], TODAY.year - 79, None, TODAY) == 14
    assert cadence_days([], None, None, TODAY) == 14  # no birth year: no age-based rule


def test_due_this_week_ends_on_sunday_of_this_week():
    # TODAY is Wednesday 25 November; this week ends on Sunday 29 November.
    sunday = status(last_met=date(2026, 11, 15))  # fortnightly: due on the 29th
    monday = status(last_met=date(2026, 11, 16))  # due on Monday the 30th: next week
    assert (sunday.status, sunday.next_due) == (due.DUE_THIS_WEEK, date(2026, 11, 29))
    assert (monday.status, monday.next_due) == (due.NOT_DUE, date(2026, 11, 30))


def test_on_a_sunday_nothing_of_next_week_is_due_this_week():
    sunday = date(2026, 11, 29)
    assert status(last_met=date(2026, 11, 16), today=sunday).status == due.NOT_DUE
    assert status(last_met=date(2026, 11, 15), today=sunday).status == due.DUE_TODAY


def test_on_a_monday_the_whole_week_ahead_is_due_this_week():
    monday = date(2026, 11, 23)
    assert status(last_met=date(2026, 11, 15), today=monday).status == due.DUE_THIS_WEEK
    assert status(last_met=date(2026, 11, 16), today=monday).status == due.NOT_DUE


def test_only_overdue_residents_count_days_overdue():
    for result in (status(care_categories=["alone"], last_met=at(18)),
                   status(care_categories=["alone"], last_met=at(21)),
                   status(last_met=at(24)), status(status="deceased")):
        assert result.days_overdue == 0, result
    assert status(care_categories=["alone"], last_met=at(17)).days_overdue == 1


def test_an_inactive_resident_has_no_due_date():
    assert status(status="moved", last_met=at(1)).next_due is None


def test_the_today_list_orders_each_state_and_this_week_by_due_date():
    overdue = status(care_categories=["alone"], last_met=at(15))
    today = status(care_categories=["alone"], last_met=at(18))
    friday = status(last_met=date(2026, 11, 13))
    thursday = status(last_met=date(2026, 11, 12))
    not_due = status(last_met=at(24))
    inactive = status(status="deceased")
    shuffled = [inactive, not_due, friday, today, thursday, overdue]
    assert sorted(shuffled, key=lambda s: s.sort_key) == [
        overdue, today, thursday, friday, not_due, inactive]



def fresh(text: str) -> str:
    """The same text as a new string object, as values read from a database or JSON are."""
    return "".join(list(text))


def test_values_read_from_storage_compare_by_value_not_identity():
    met, no_answer, void = fresh("met"), fresh("no_answer"), fresh("void")
    visits = [VisitFact("a", at(10), no_answer), VisitFact("b", at(11), met),
              VisitFact("c", at(12), no_answer), VisitFact("d", at(13), met),
              VisitFact("e", at(14), None, "d", void)]
    assert last_met(visits) == at(11)
    assert open_follow_up(True, visits) == at(12)
    assert status(status=fresh("active"), last_met=at(24)).status == due.NOT_DUE


def test_due_facts_are_values_that_cannot_be_changed_in_place():
    fact, result = VisitFact("a", at(10), "met"), status(last_met=at(24))
    with pytest.raises(FrozenInstanceError):
        fact.outcome = "no_answer"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        result.status = due.OVERDUE  # type: ignore[misc]
    assert len({fact, VisitFact("a", at(10), "met")}) == 1


def test_a_meeting_and_a_no_answer_at_one_instant_count_the_meeting_last_whatever_their_ids():
    # The door did open: the follow-up is closed, in every order of ids and arrival.
    met = "".join(["m", "et"])  # as read back from storage: equal, not the same object
    for met_id, no_answer_id in (("a", "b"), ("b", "a")):
        visits = [VisitFact(no_answer_id, at(12), "no_answer"), VisitFact(met_id, at(12), met)]
        assert open_follow_up(True, visits) is None
        assert open_follow_up(True, visits[::-1]) is None
        assert last_met(visits) == at(12)


def test_only_no_answer_opens_a_follow_up_not_any_other_unmet_outcome():
    # Away, in hospital, moved, deceased, refused: someone knows where the resident is.
    for outcome in ("away", "hospitalised", "moved", "deceased", "refused"):
        assert open_follow_up(True, [VisitFact("a", at(12), outcome)]) is None, outcome
        # nor closes one: only meeting the resident does
        opened = [VisitFact("a", at(12), "no_answer"), VisitFact("b", at(13), outcome)]
        assert open_follow_up(True, opened) == at(12), outcome


def test_only_a_meeting_is_a_last_meeting_and_a_void_read_from_storage_removes_a_visit():
    for outcome in ("away", "hospitalised", "deceased", "moved", "no_answer", "refused"):
        assert last_met([VisitFact("a", at(12), outcome)]) is None, outcome
    void = "".join(["vo", "id"])  # as read back from storage
    visits = [VisitFact("a", at(12), "met"), VisitFact("b", at(13), None, "a", void)]
    assert last_met(visits) is None
    # a void may carry the outcome it was typed with: it still counts for nothing
    visits = [VisitFact("a", at(12), "met"), VisitFact("b", at(13), "met", "a", void)]
    assert last_met(visits) is None


def test_a_residents_visit_facts_read_through_corrections_and_cannot_be_changed():
    # One function gives the server and the tablet the same derived facts of a resident.
    visits = [VisitFact("a", at(10), "met"), VisitFact("b", at(12), "no_answer"),
              VisitFact("c", at(13), "met"), VisitFact("d", at(14), None, "c", "void")]
    facts = due.visit_facts(["alone"], visits)
    assert facts == due.VisitFacts(last_visit_at=at(12), last_met_at=at(10),
                                   follow_up_since=at(12))
    assert due.visit_facts([], visits).follow_up_since is None
    assert due.visit_facts([], []) == due.VisitFacts(None, None, None)
    with pytest.raises(FrozenInstanceError):
        facts.last_met_at = at(13)  # type: ignore[misc]
