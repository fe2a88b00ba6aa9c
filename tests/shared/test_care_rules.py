"""The district's visiting rules: categories, 80+ from the birth year, ability levels, tiers and
their cadence, which no-answers open a follow-up and the ladder after it, which methods count,
dangerous readings, grid codes, and the old protocol's fields mapped."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from shared import district_rules as rules_module
from shared import legacy
from shared.district_rules import (DEFAULT_RULES, RulesError, follows_up, method_counts,
                                   moderate_or_worse, rules_from_dict, shown_categories)
from shared.due import VisitFact, cadence_days, due_status, last_met, visit_facts
from shared.follow_up import ALERT_SUPERVISOR, CALL_CONTACT, REVISIT, ladder_step
from shared.grid_code import GridCodeError, make_grid_code, parse_grid_code
from shared.readings import HIGH, LOW, dangers

TODAY = date(2026, 11, 25)


def at(day, hour=10):
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


# ---- categories and age ------------------------------------------------------------------------

def test_80_plus_is_computed_from_the_birth_year_and_shown_after_the_stored_categories():
    assert shown_categories(["empty_nest", "alone"], 1946, TODAY) == [
        "alone", "empty_nest", "aged_80_plus"]
    assert shown_categories(["alone"], 1947, TODAY) == ["alone"]
    assert shown_categories(None, 1940, TODAY) == ["aged_80_plus"]
    # a stored 80+ tag is no category: the birth year decides
    assert shown_categories(["aged_80_plus"], 1960, TODAY) == []


def test_moderate_or_worse_is_the_subsidy_line_of_gbt_42195():
    assert [level for level in ("intact", "mild", "moderate", "severe", "complete", None)
            if moderate_or_worse(level)] == ["moderate", "severe", "complete"]


# ---- tiers and cadence -------------------------------------------------------------------------

def test_the_tier_sets_the_cadence_the_district_configured_and_own_cadence_overrides():
    assert cadence_days([], 1950, None, TODAY, "high") == 7
    assert cadence_days([], 1950, None, TODAY, "key") == 30
    assert cadence_days(["alone"], 1940, None, TODAY, "routine") == 90
    assert cadence_days(["alone"], 1940, 3, TODAY, "routine") == 3
    monthly_high = rules_from_dict({"cadence_days": {"high": 3}})
    assert cadence_days([], 1950, None, TODAY, "high", monthly_high) == 3
    assert cadence_days([], 1950, None, TODAY, "key", monthly_high) == 30


def test_a_resident_without_a_tier_keeps_the_weekly_and_fortnightly_rule():
    assert cadence_days(["alone"], 1960, None, TODAY, None) == 7
    assert cadence_days([], 1940, None, TODAY, None) == 7
    assert cadence_days(["empty_nest"], 1960, None, TODAY, None) == 14


def test_due_status_follows_the_tier():
    common = dict(status="active", care_categories=[], birth_year=1950, visit_cadence_days=None,
                  last_met=date(2026, 11, 1), since=date(2026, 1, 1), today=TODAY)
    assert due_status(risk_tier="high", **common).status == "overdue"
    assert due_status(risk_tier="key", **common).status == "not_due"  # due 12-01, next week


# ---- follow-ups and the ladder -----------------------------------------------------------------

def test_follow_ups_open_for_alone_80_plus_disabled_and_severe_disability_by_default():
    assert follows_up(["alone"], 1960, None, TODAY)
    assert follows_up([], 1946, None, TODAY)  # 80 this year
    assert follows_up(["disabled"], 1960, None, TODAY)
    assert follows_up(["severe_disability"], 1960, None, TODAY)
    assert not follows_up(["empty_nest", "subsistence"], 1960, "high", TODAY)


def test_the_district_chooses_the_categories_and_tiers_that_are_followed_up():
    custom = rules_from_dict({"follow_up_categories": ["subsistence"], "follow_up_aged_80": False,
                              "follow_up_tiers": ["high"]})
    assert follows_up(["subsistence"], 1960, None, TODAY, custom)
    assert follows_up([], 1960, "high", TODAY, custom)
    assert not follows_up(["alone"], 1930, "key", TODAY, custom)


def test_an_emergency_handled_is_a_meeting_and_closes_the_follow_up():
    visits = [VisitFact("a", at(10), "no_answer"), VisitFact("b", at(11), "emergency")]
    facts = visit_facts(True, visits)
    assert last_met(visits) == at(11) and facts.follow_up_since is None


def test_the_ladder_second_no_answer_calls_the_contact_third_alerts_the_supervisor():
    visits = [VisitFact("m", at(9), "met")]
    steps = []
    for day in (10, 11, 12, 13):
        visits.append(VisitFact(f"n{day}", at(day), "no_answer"))
        steps.append(ladder_step(True, visits))
    assert steps == [REVISIT, CALL_CONTACT, ALERT_SUPERVISOR, ALERT_SUPERVISOR]
    # a refusal neither counts nor resets; a meeting resets
    visits.append(VisitFact("r", at(14), "refused"))
    assert ladder_step(True, visits) == ALERT_SUPERVISOR
    visits.append(VisitFact("ok", at(15), "met"))
    assert ladder_step(True, visits) is None
    assert ladder_step(False, [VisitFact("x", at(9), "no_answer")]) is None


def test_a_voided_no_answer_steps_the_ladder_back():
    visits = [VisitFact("a", at(10), "no_answer"), VisitFact("b", at(11), "no_answer"),
              VisitFact("v", at(12), None, "b", "void")]
    assert ladder_step(True, visits) == REVISIT


# ---- methods -----------------------------------------------------------------------------------

def test_which_methods_count_for_the_monthly_rate_depends_on_the_tier():
    assert method_counts("door", "high") and not method_counts("phone", "high")
    assert method_counts("phone", "key") and method_counts("video", None)
    assert method_counts(None, "high")  # an old visit with no method was at the door
    strict = rules_from_dict({"counted_methods": {"": ["door"]}})
    assert not method_counts("phone", None, strict)


# ---- readings ----------------------------------------------------------------------------------

def test_185_over_110_is_dangerous_and_a_normal_reading_is_not():
    found = dangers({"systolic": 185, "diastolic": 110, "pulse": 72})
    assert [(d.reading, d.direction, d.limit) for d in found] == [
        ("systolic", HIGH, 180), ("diastolic", HIGH, 110)]
    assert dangers({"systolic": 135, "diastolic": 85, "pulse": 72, "blood_sugar": 6.1,
                    "temperature": 36.6}) == []
    assert dangers(None) == []


def test_low_readings_are_dangerous_too_and_the_district_sets_the_limits():
    assert [(d.reading, d.direction) for d in dangers({"blood_sugar": 3.2, "pulse": 45})] == [
        ("pulse", LOW), ("blood_sugar", LOW)]
    lenient = rules_from_dict({"thresholds": {"systolic_high": 200, "pulse_low": None}})
    assert dangers({"systolic": 185, "pulse": 45}, lenient) == []


# ---- the settings themselves -------------------------------------------------------------------

def test_rules_round_trip_through_json_data():
    custom = rules_from_dict({"categories": ["alone", "subsistence"],
                              "cadence_days": {"key": 14}, "thresholds": {"pulse_high": 130}})
    assert rules_from_dict(custom.to_dict()) == custom
    assert rules_from_dict(None) is DEFAULT_RULES
    assert rules_from_dict(DEFAULT_RULES.to_dict()) == DEFAULT_RULES


@pytest.mark.parametrize("data, named", [
    ({"categories": ["alone", "aged_80_plus"]}, "categories"),
    ({"categories": []}, "categories"),
    ({"cadence_days": {"high": 0}}, "cadence_days.high"),
    ({"cadence_days": {"weekly": 7}}, "cadence_days"),
    ({"follow_up_aged_80": "yes"}, "follow_up_aged_80"),
    ({"counted_methods": {"high": ["carrier pigeon"]}}, "counted_methods.high"),
    ({"thresholds": {"systolic_low": 200}}, "thresholds.systolic_low"),
    ({"thresholds": {"pulse_high": "fast"}}, "thresholds.pulse_high"),
    ({"cadense_days": {}}, "cadense_days"),
])
def test_a_bad_setting_is_refused_naming_it(data, named):
    with pytest.raises(RulesError, match=named.replace(".", r"\.")):
        rules_from_dict(data)


def test_the_default_categories_are_the_national_and_common_local_ones():
    assert rules_module.ALL_CATEGORIES == (
        "alone", "empty_nest", "left_behind", "disabled", "severe_disability",
        "bereaved_one_child", "destitute", "subsistence", "serious_illness")


# ---- grid codes --------------------------------------------------------------------------------

def test_grid_codes_are_division_street_community_sequence():
    assert make_grid_code("410902", 1, 3, 12) == "410902-001-003-012"
    code = parse_grid_code(" 410902-001-003-012 ")
    assert (code.division, code.street, code.community, code.sequence) == ("410902", 1, 3, 12)
    for bad in ("41090-001-003-012", "410000-001-003-012", "410902-000-003-012", "G-12", ""):
        with pytest.raises(GridCodeError):
            parse_grid_code(bad)
    with pytest.raises(GridCodeError, match="street"):
        make_grid_code("410902", 1000, 1, 1)


# ---- the old protocol's fields -----------------------------------------------------------------

def test_old_resident_data_maps_to_categories_and_the_nearest_ability_level():
    old = {"name": "王秀兰", "living_situation": ["alone", "aged_80_plus", "disabled"],
           "care_level": "assisted"}
    assert legacy.map_resident_data(old) == {
        "name": "王秀兰", "care_categories": ["alone", "disabled"], "ability_level": "moderate"}
    assert legacy.map_resident_data({"care_level": "full_care"}) == {"ability_level": "severe"}
    assert legacy.map_resident_data({"care_level": "self_care"}) == {"ability_level": "intact"}
    assert legacy.map_resident_data({"living_situation": ["aged_80_plus"]}) == {
        "care_categories": []}
    # what is not a known value is left for validation to name
    assert legacy.map_resident_data({"care_level": "cyborg"}) == {"ability_level": "cyborg"}
    assert legacy.map_resident_data({"phone": "123"}) == {"phone": "123"}
