"""Every rule of the wire schemas, at its edges, generated from the schemas themselves.

Each bounded field is tried at min−1, min, max and max+1; each required field is left out; each
choice is tried with every allowed value and a near miss; each UUID with a near miss. Because
the cases are read off the schemas, a new field or a changed bound is covered without editing
this file; what the schemas must declare is in documented_schemas.py (test_schema_contract.py).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from marshmallow import ValidationError, fields, validate

from shared import schemas as s
from tests.shared.documented_schemas import full_resident
from tests.shared.schema_slots import (ALL_SLOTS, GOOD_UUID, SUBJECTS, Slot, accepted, loaded_at,
                                       refused_naming, validators_of, with_value, without)


RANGED = [(slot, rule) for slot in ALL_SLOTS for rule in validators_of(slot.field, validate.Range)]


def step(field: fields.Field):
    if isinstance(field, fields.Date):  # (a Date is a DateTime to marshmallow: ask it first)
        return timedelta(days=1)
    if isinstance(field, fields.DateTime):
        return timedelta(seconds=1)
    return 1 if isinstance(field, fields.Integer) else 0.1


def wire(value):
    """A value as a document carries it: dates and instants as ISO 8601 text."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


@pytest.mark.parametrize("slot,rule", RANGED, ids=[str(slot) for slot, _ in RANGED])
def test_a_ranged_field_takes_its_bounds_and_refuses_one_step_beyond(slot, rule):
    delta = step(slot.field)
    if rule.min is not None:
        low = rule.min if rule.min_inclusive else rule.min + delta
        assert loaded_at(slot, accepted(slot, with_value(slot, wire(low)))) == low
        refused_naming(slot, with_value(slot, wire(low - delta)))
    if rule.max is not None:
        high = rule.max if rule.max_inclusive else rule.max - delta
        assert loaded_at(slot, accepted(slot, with_value(slot, wire(high)))) == high
        refused_naming(slot, with_value(slot, wire(high + delta)))


def item_for(field: fields.Field):
    """A valid item for a list field."""
    inner = field.inner
    choices = validators_of(inner, validate.OneOf)
    return choices[0].choices[0] if choices else "x"


LENGTHS = [(slot, rule) for slot in ALL_SLOTS for rule in validators_of(slot.field, validate.Length)]


def of_length(slot: Slot, n: int):
    if isinstance(slot.field, fields.List):
        return [item_for(slot.field)] * n
    return "长" * n


@pytest.mark.parametrize("slot,rule", LENGTHS, ids=[str(slot) for slot, _ in LENGTHS])
def test_a_length_bounded_field_takes_its_bounds_and_refuses_one_beyond(slot, rule):
    if rule.equal is not None:
        pytest.fail(f"{slot}: add exact-length cases for Length(equal=…)")
    low = rule.min or 0
    if low > 0:
        assert loaded_at(slot, accepted(slot, with_value(slot, of_length(slot, low))))
        refused_naming(slot, with_value(slot, of_length(slot, low - 1)))
    if rule.max is not None:
        assert len(loaded_at(slot, accepted(slot, with_value(slot, of_length(slot, rule.max))))) \
            == rule.max
        refused_naming(slot, with_value(slot, of_length(slot, rule.max + 1)))


REQUIRED = [slot for slot in ALL_SLOTS if slot.field.required]


@pytest.mark.parametrize("slot", REQUIRED, ids=[str(slot) for slot in REQUIRED])
def test_a_required_field_left_out_is_named(slot):
    assert "Missing data for required field" in refused_naming(slot, without(slot))


# A visit's outcome and a note's text are optional only for a void (tested below).
OPTIONAL = [slot for slot in ALL_SLOTS if not slot.field.required and len(slot.path) == 1
            and slot.subject.name in ("resident", "visit", "note")
            and str(slot) not in ("visit:outcome", "note:text")]


@pytest.mark.parametrize("slot", OPTIONAL, ids=[str(slot) for slot in OPTIONAL])
def test_an_optional_field_may_be_left_out(slot):
    accepted(slot, without(slot))


# An op's entity and action decide which data schema applies: tested below, pair by pair.
CHOICES = [(slot, rule) for slot in ALL_SLOTS
           for rule in validators_of(slot.field, validate.OneOf)
           if str(slot) not in ("op:entity", "op:action")]


CHOICE_ITEMS = [(slot, rule) for slot in ALL_SLOTS if isinstance(slot.field, fields.List)
                for rule in validators_of(slot.field.inner, validate.OneOf)]


@pytest.mark.parametrize("slot,rule", CHOICES, ids=[str(slot) for slot, _ in CHOICES])
def test_a_choice_takes_each_allowed_value_and_refuses_a_near_miss(slot, rule):
    for choice in rule.choices:
        assert loaded_at(slot, accepted(slot, with_value(slot, choice))) == choice
    text = refused_naming(slot, with_value(slot, rule.choices[0] + "_"))
    assert "Must be one of" in text


@pytest.mark.parametrize("slot,rule", CHOICE_ITEMS, ids=[str(slot) for slot, _ in CHOICE_ITEMS])
def test_a_list_of_choices_takes_each_allowed_value_and_refuses_a_near_miss(slot, rule):
    for choice in rule.choices:
        assert loaded_at(slot, accepted(slot, with_value(slot, [choice]))) == [choice]
    refused_naming(slot, with_value(slot, [rule.choices[0].upper() + "x"]))


UUIDS = [slot for slot in ALL_SLOTS if isinstance(slot.field, s.UUIDText)]


NEAR_MISSES = [GOOD_UUID[:-1], GOOD_UUID + "0", GOOD_UUID.replace("-", ""),
               GOOD_UUID.replace("0a", "0g", 1), " " + GOOD_UUID, GOOD_UUID.replace("-", "_", 1)]


@pytest.mark.parametrize("slot", UUIDS, ids=[str(slot) for slot in UUIDS])
def test_a_uuid_field_takes_a_uuid_in_either_case_and_refuses_near_misses(slot):
    assert loaded_at(slot, accepted(slot, with_value(slot, GOOD_UUID.upper()))) == GOOD_UUID
    for miss in NEAR_MISSES:
        assert "Not a valid UUID" in refused_naming(slot, with_value(slot, miss))


PHONES = [slot for slot in ALL_SLOTS if validators_of(slot.field, validate.Regexp)]


@pytest.mark.parametrize("slot", PHONES, ids=[str(slot) for slot in PHONES])
def test_a_phone_takes_digits_and_separators_and_refuses_anything_else(slot):
    for good in ("120", "13800001234", "0393-4412345", "+86 138 0000 1234", "1" * 20):
        assert loaded_at(slot, accepted(slot, with_value(slot, good))) == good
    for bad in ("12", "1" * 21, "138abc", "电话13800001234", "138\n0000"):
        refused_naming(slot, with_value(slot, bad))


STRICT_INTEGERS = [slot for slot in ALL_SLOTS if isinstance(slot.field, fields.Integer)]


@pytest.mark.parametrize("slot", STRICT_INTEGERS, ids=[str(slot) for slot in STRICT_INTEGERS])
def test_an_integer_field_refuses_text_and_fractions(slot):
    ranges = validators_of(slot.field, validate.Range)
    valid = ranges[0].min if ranges else 7  # text of a number the field would take
    refused_naming(slot, with_value(slot, str(valid)))
    refused_naming(slot, with_value(slot, valid + 0.5))


@pytest.mark.parametrize("subject", SUBJECTS, ids=[subject.name for subject in SUBJECTS])
def test_an_unknown_field_is_refused_by_name(subject):
    document = subject.document()
    document["favourite_colour"] = "red"
    with pytest.raises(ValidationError) as caught:
        subject.load(document)
    assert "favourite_colour" in caught.value.messages


def test_a_first_sync_state_may_leave_out_all_it_has_not_seen():
    # A tablet that never synced sends only its protocol: no epoch, nothing seen, nothing acked.
    assert s.SyncStateRequestSchema().load({"protocol": 3}) == {
        "protocol": 3, "app_version": None, "epoch": None, "seen_position": 0, "acked_seq": 0}


def test_a_birth_year_may_be_this_year_wherever_new_year_has_come():
    # 10:00 UTC on 31 December is already 1 January in UTC+14 (Kiribati); never later.
    with time_machine.travel("2026-12-31T10:00:00+00:00", tick=False):
        assert s.ResidentDataSchema().load({**full_resident(), "birth_year": 2027})
    with time_machine.travel("2026-12-31T09:59:00+00:00", tick=False):
        with pytest.raises(ValidationError):
            s.ResidentDataSchema().load({**full_resident(), "birth_year": 2027})
