"""Every rule of the wire schemas, at its edges, generated from the schemas themselves.

Each bounded field is tried at min−1, min, max and max+1; each required field is left out; each
choice is tried with every allowed value and a near miss; each UUID with a near miss. A document
with every field set must load with every value kept, so a field dropped from a schema is
noticed too. Because the cases are read off the schemas, a new field or a changed bound is
covered without editing this file.
"""
from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
import time_machine
from marshmallow import Schema, ValidationError, fields, validate

from shared import protocol as p
from shared import schemas as s
from shared.clock import utcnow

RESIDENT_ID = "3f1c2b7e-8a9d-4c1e-9b2a-6d5e4f3a2b1c"


# ---- valid documents with every field set ----------------------------------------------------

def full_resident() -> dict:
    return {"name": "张桂兰", "sex": "F", "birth_year": 1941,
            "address": "建设路51号院2号楼4单元202", "phone": "13800001234",
            "emergency_contact": "王建国（儿子）", "emergency_phone": "0393-4412345",
            "care_categories": ["alone"], "ability_level": "mild",
            "ability_assessed_on": "2026-03-02", "ability_assessor": "社区卫生服务中心 王医生",
            "risk_tier": "key", "risk_reason": "独居", "visit_cadence_days": 7,
            "safety_devices": ["fall_alarm"],
            "device_details": {"fall_alarm": {"installed_on": "2025-06-01",
                                              "alarm_to": "王建国（儿子）"}},
            "care_notes": "右腿不便，敲门要多等一会儿", "status": "active"}


def full_visit() -> dict:
    return {"resident_id": RESIDENT_ID, "outcome": "met", "away_reason": None,
            "readings": {"systolic": 135, "diastolic": 85, "pulse": 72, "blood_sugar": 6.1,
                         "temperature": 36.6},
            "mood": "good", "needs": ["meals"], "services": ["chat"], "method": "door",
            "checklist": {"home_safety": "插座发烫，已报修"}, "advice": ["anti_fraud"],
            "emergency_action": "测得血压偏高，已让其休息后复测并告知女儿",
            "safety_checks": {"fall_alarm": "ok"}, "note": "一切都好",
            "follow_up_on": "2026-12-03", "corrects": None, "correction": None}


def full_note() -> dict:
    return {"resident_id": RESIDENT_ID, "text": "需要帮忙买降压药", "corrects": None,
            "correction": None}


def op_with(entity: str, action: str, data: dict) -> dict:
    op = {"op_id": str(uuid.uuid4()), "seq": 7, "entity": entity, "action": action,
          "entity_id": str(uuid.uuid4()), "grid_id": 3, "device_time": "2026-11-27T09:00:00+08:00",
          "data": data}
    op["base_version"] = 12 if action == "update" else None
    return op


@dataclass(frozen=True)
class Subject:
    """A schema, a valid document of it with every field set, and how to load one."""

    name: str
    schema: Schema
    document: Callable[[], dict]
    load: Callable[[dict], Any]


SUBJECTS = [
    Subject("resident", s.ResidentDataSchema(), full_resident, s.ResidentDataSchema().load),
    Subject("visit", s.VisitDataSchema(), full_visit, s.VisitDataSchema().load),
    Subject("note", s.NoteDataSchema(), full_note, s.NoteDataSchema().load),
    Subject("op", s.OpSchema(), lambda: op_with("visit", "create", full_visit()),
            s.OpSchema().load),
    Subject("login", s.LoginRequestSchema(),
            lambda: {"protocol": 2, "app_version": "1.0", "username": "wangfang",
                     "password": "s3cret-pass", "device_id": str(uuid.uuid4()),
                     "device_name": "平板一号"},
            s.LoginRequestSchema().load),
    Subject("pull", s.PullRequestSchema(),
            lambda: {"protocol": 2, "app_version": "1.0", "cursor": None, "limit": 100},
            s.PullRequestSchema().load),
    Subject("push", s.PushRequestSchema(),
            lambda: {"protocol": 2, "app_version": "1.0",
                     "device_time": "2026-11-27T09:00:00+08:00", "ops": []},
            s.PushRequestSchema().load),
    Subject("sync_state", s.SyncStateRequestSchema(),
            lambda: {"protocol": 3, "app_version": "1.0",
                     "epoch": "4f6c2a8e-0b1d-4c3e-9a7f-2d5e8b1c0a93", "seen_position": 812,
                     "acked_seq": 40},
            s.SyncStateRequestSchema().load),
]


# ---- walking a schema ------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    subject: Subject
    path: tuple[str, ...]
    field: fields.Field

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def __str__(self) -> str:
        return f"{self.subject.name}:{self.dotted}"


def slots_of(schema: Schema, subject: Subject, prefix: tuple[str, ...] = ()):
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        path = prefix + (field.data_key or name,)
        yield Slot(subject, path, field)
        if isinstance(field, fields.Nested):
            yield from slots_of(field.schema, subject, path)


ALL_SLOTS = [slot for subject in SUBJECTS for slot in slots_of(subject.schema, subject)]


def validators_of(field: fields.Field, kind):
    return [v for v in field.validators if isinstance(v, kind)]


#: Fields that only make sense with a partner: setting one sets (or clears) the other.
PARTNERS = {
    ("corrects",): lambda target: target.update(correction="amend"),
    ("correction",): lambda target: target.update(corrects=GOOD_UUID),
    ("readings", "systolic"): lambda target: target.pop("diastolic", None),
    ("readings", "diastolic"): lambda target: target.pop("systolic", None),
}


def with_value(slot: Slot, value) -> dict:
    document = slot.subject.document()
    target = document
    for key in slot.path[:-1]:
        target = target.setdefault(key, {})
    target[slot.path[-1]] = value
    partner = PARTNERS.get(slot.path)
    if partner and slot.subject.name in ("visit", "note"):
        partner(target)
    return document


def without(slot: Slot) -> dict:
    document = slot.subject.document()
    target = document
    for key in slot.path[:-1]:
        target = target[key]
    target.pop(slot.path[-1], None)
    return document


def refused_naming(slot: Slot, document: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        slot.subject.load(document)
    text = s.flatten_errors(caught.value.messages)
    assert slot.dotted in text or slot.path[-1] in text, text
    return text


def accepted(slot: Slot, document: dict) -> dict:
    try:
        return slot.subject.load(document)
    except ValidationError as error:  # pragma: no cover - the message is the point
        pytest.fail(f"{slot}: refused a valid value: {s.flatten_errors(error.messages)}")


def loaded_at(slot: Slot, loaded: dict):
    value = loaded
    for key in slot.path:
        value = value[key]
    return value


# ---- the cases -------------------------------------------------------------------------------

def test_every_subject_loads_with_every_field_kept():
    for subject in SUBJECTS:
        document = subject.document()
        loaded = subject.load(copy.deepcopy(document))
        for key in document:
            if subject.schema.fields[key].load_only:
                continue
            assert key in loaded, f"{subject.name}.{key} was dropped"


def test_the_full_documents_set_every_field_the_schemas_know():
    # A field missing from the full documents would escape the boundary cases below.
    for subject in SUBJECTS:
        document = subject.document()
        missing = set(subject.schema.fields) - set(document)
        assert not missing, f"{subject.name}: add {sorted(missing)} to its full document"


# ---- the contract the generated cases are held to -------------------------------------------
# The cases below read each rule off the schemas, so they prove a schema enforces what it
# declares. These tables say what it must declare (docs/sync-protocol.md, DESIGN.md §4): a bound,
# a length or a required field changed in a schema fails here until the contract is changed too.

BIG = 2**62
DOCUMENTED_RANGES = {
    # up to this year anywhere on Earth (a zone is at most 14 hours ahead of UTC)
    "resident:birth_year": (1900, (utcnow() + timedelta(hours=14)).year),
    "resident:visit_cadence_days": (1, 90),
    "visit:readings.systolic": (50, 260), "visit:readings.diastolic": (30, 160),
    "visit:readings.pulse": (25, 220), "visit:readings.blood_sugar": (1.0, 35.0),
    "visit:readings.temperature": (33.0, 43.0), "op:seq": (1, BIG), "op:grid_id": (1, 2**31 - 1),
    # a tablet whose clock reset to 1970 still delivers; year 1 or 9999 is refused
    "op:device_time": (datetime(1970, 1, 1, tzinfo=timezone.utc),
                       datetime(2199, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    "push:device_time": (datetime(1970, 1, 1, tzinfo=timezone.utc),
                         datetime(2199, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    "visit:follow_up_on": (date(1970, 1, 1), date(2199, 12, 31)),
    "op:base_version": (0, BIG), "pull:limit": (1, p.MAX_PULL_LIMIT),
    "sync_state:seen_position": (0, BIG), "sync_state:acked_seq": (0, BIG),
}
#: (shortest, longest); 0: may be empty.
DOCUMENTED_LENGTHS = {
    "resident:name": (1, 40), "resident:address": (1, 120), "resident:emergency_contact": (0, 40),
    "resident:care_categories": (0, len(p.CARE_CATEGORIES)),
    "resident:ability_assessor": (0, 40), "resident:risk_reason": (0, 200),
    "visit:advice": (0, len(p.ADVICE)), "visit:emergency_action": (0, 500),
    "resident:safety_devices": (0, len(p.SAFETY_DEVICES)), "resident:care_notes": (0, 2000),
    "visit:away_reason": (0, 200), "visit:needs": (0, 20), "visit:services": (0, 20),
    "visit:note": (0, 2000), "note:text": (0, 4000), "login:app_version": (0, 40),
    "login:username": (1, 64), "login:password": (1, 256), "login:device_name": (1, 80),
    "pull:app_version": (0, 40), "pull:cursor": (0, 20000), "push:app_version": (0, 40),
    "push:ops": (0, p.MAX_OPS_PER_PUSH), "sync_state:app_version": (0, 40),
    "sync_state:epoch": (0, 36),
}
DOCUMENTED_REQUIRED = {
    "resident:name", "resident:sex", "resident:birth_year", "resident:address",
    "visit:resident_id", "note:resident_id", "op:op_id", "op:seq", "op:entity", "op:action",
    "op:entity_id", "op:grid_id", "op:device_time", "op:data", "login:protocol",
    "login:username", "login:password", "login:device_id", "login:device_name",
    "pull:protocol", "push:protocol", "push:ops", "sync_state:protocol",
}


DOCUMENTED_NULLABLE = {
    "login:app_version", "pull:app_version", "push:app_version", "pull:cursor",
    "push:device_time", "op:base_version", "resident:phone", "resident:emergency_contact",
    "resident:emergency_phone", "resident:visit_cadence_days", "resident:care_notes",
    "visit:outcome", "visit:away_reason", "visit:mood", "visit:note", "visit:follow_up_on",
    "visit:corrects", "visit:correction", "note:text", "note:corrects", "note:correction",
    "resident:ability_level", "resident:ability_assessed_on", "resident:ability_assessor",
    "resident:risk_tier", "resident:risk_reason", "visit:method", "visit:emergency_action",
    "sync_state:app_version", "sync_state:epoch",
}
#: What the server sends as null, so the published OpenAPI document must say so.
RESPONSES_WITH_NULL = {
    s.OpResultSchema: {"op_id", "seq", "version", "reason"}, s.GridStateSchema: {"digest", "facts_digest"},
    s.RenewResponseSchema: {"token"},
}


def test_the_schemas_take_null_exactly_where_documented():
    assert {str(slot) for slot in ALL_SLOTS if slot.field.allow_none} == DOCUMENTED_NULLABLE


def test_the_responses_declare_every_null_the_server_sends():
    for schema, nullable in RESPONSES_WITH_NULL.items():
        assert {name for name, field in schema().fields.items() if field.allow_none} == nullable


def test_the_schemas_declare_the_documented_ranges():
    declared = {str(slot): (rule.min, rule.max) for slot in ALL_SLOTS
                for rule in validators_of(slot.field, validate.Range)}
    assert declared == DOCUMENTED_RANGES
    assert all(rule.min_inclusive and rule.max_inclusive for slot in ALL_SLOTS
               for rule in validators_of(slot.field, validate.Range))


def test_the_schemas_declare_the_documented_lengths():
    declared = {str(slot): (max(rule.min or 0, 0), rule.max) for slot in ALL_SLOTS
                for rule in validators_of(slot.field, validate.Length)}
    assert declared == DOCUMENTED_LENGTHS


def test_the_schemas_require_the_documented_fields():
    assert {str(slot) for slot in ALL_SLOTS if slot.field.required} == DOCUMENTED_REQUIRED


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
GOOD_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
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


# ---- the rules that tie fields together ------------------------------------------------------

def visit_error(**changes) -> str | None:
    data = {**full_visit(), **changes}
    try:
        s.VisitDataSchema().load(data)
    except ValidationError as error:
        return s.flatten_errors(error.messages)
    return None


def test_corrects_and_correction_go_together_on_visits_and_notes():
    assert "correction" in visit_error(corrects=GOOD_UUID)
    assert "correction" in visit_error(correction="amend")
    assert visit_error(corrects=GOOD_UUID, correction="amend") is None
    for data in ({**full_note(), "corrects": GOOD_UUID}, {**full_note(), "correction": "void"}):
        with pytest.raises(ValidationError) as caught:
            s.NoteDataSchema().load(data)
        assert "correction" in caught.value.messages


def test_only_a_void_may_leave_out_the_outcome():
    assert "outcome: Missing data" in visit_error(outcome=None)
    assert visit_error(outcome=None, corrects=GOOD_UUID, correction="void") is None
    off_the_wire = json.loads('"void"')  # equal to p.VOID, not the same object
    assert visit_error(outcome=None, corrects=GOOD_UUID, correction=off_the_wire) is None
    assert "outcome" in visit_error(outcome=None, corrects=GOOD_UUID, correction="amend")


def test_a_note_needs_text_unless_it_voids_another():
    for text in (None, "", "   "):
        with pytest.raises(ValidationError) as caught:
            s.NoteDataSchema().load({**full_note(), "text": text})
        assert "text" in caught.value.messages
    s.NoteDataSchema().load({**full_note(), "text": None, "corrects": GOOD_UUID,
                             "correction": "void"})
    s.NoteDataSchema().load({**full_note(), "text": None, "corrects": GOOD_UUID,
                             "correction": json.loads('"void"')})  # as it comes off the wire


def test_diastolic_equal_to_systolic_is_refused_and_one_below_is_taken():
    readings = {"systolic": 120, "diastolic": 120}
    assert "diastolic" in visit_error(readings=readings)
    assert visit_error(readings={"systolic": 120, "diastolic": 119}) is None
    # with the other readings beside them too
    assert "diastolic" in visit_error(readings={**full_visit()["readings"], **readings})


def op_errors(op: dict) -> str | None:
    try:
        s.OpSchema().load(op)
    except ValidationError as error:
        return s.flatten_errors(error.messages)
    return None


def test_each_pushable_entity_checks_its_data_against_its_own_schema():
    assert op_errors(op_with("resident", "create", full_resident())) is None
    assert op_errors(op_with("note", "create", full_note())) is None
    assert "data.name" in op_errors(op_with("resident", "create", {**full_resident(), "name": ""}))
    assert "data.text" in op_errors(op_with("note", "create", {**full_note(), "text": ""}))
    assert "data.outcome" in op_errors(op_with("visit", "create", {**full_visit(), "outcome": "x"}))


def test_only_residents_may_be_updated_and_an_update_needs_a_base_and_a_change():
    assert "visit records are append-only" in op_errors(op_with("visit", "update", full_visit()))
    assert "note records are append-only" in op_errors(op_with("note", "update", full_note()))
    update = op_with("resident", "update", {"phone": "13900001111"})
    assert op_errors(update) is None
    assert "base_version" in op_errors({**update, "base_version": None})
    assert "data" in op_errors({**update, "data": {}})


def test_a_resident_update_may_carry_any_single_field_alone():
    for name, value in full_resident().items():
        assert op_errors(op_with("resident", "update", {name: value})) is None, name


def test_conflicts_cannot_be_pushed_and_near_misses_of_entity_and_action_are_named():
    assert "entity: Must be one of" in op_errors(op_with("conflict", "create", {}))
    assert "entity: Must be one of" in op_errors(op_with("visits", "create", full_visit()))
    assert "action: Must be one of" in op_errors(op_with("visit", "created", full_visit()))


def test_flatten_errors_names_every_nested_field():
    text = s.flatten_errors({"data": {"readings": {"systolic": ["Too high."]},
                                      "_schema": ["Bad shape."]}, "seq": ["Not a valid integer."]})
    assert text == ("data.readings.systolic: Too high.; data: Bad shape.; "
                    "seq: Not a valid integer.")


def test_flatten_errors_gives_a_fields_messages_after_its_name_once():
    assert s.flatten_errors({"name": ["Too long.", "Not valid."]}) == "name: Too long. Not valid."


def test_a_password_is_never_written_out():
    login = {"protocol": 2, "username": "wangfang", "password": "s3cret-pass",
             "device_id": str(uuid.uuid4()), "device_name": "平板一号"}
    assert "password" not in s.LoginRequestSchema().dump(login)


def test_flatten_errors_names_the_field_of_a_bare_message():
    assert s.flatten_errors({"data": "Not a valid mapping type."}) == \
        "data: Not a valid mapping type."
    assert s.flatten_errors("Invalid input.") == "Invalid input."


def test_a_birth_year_may_be_this_year_wherever_new_year_has_come():
    # 10:00 UTC on 31 December is already 1 January in UTC+14 (Kiribati); never later.
    with time_machine.travel("2026-12-31T10:00:00+00:00", tick=False):
        assert s.ResidentDataSchema().load({**full_resident(), "birth_year": 2027})
    with time_machine.travel("2026-12-31T09:59:00+00:00", tick=False):
        with pytest.raises(ValidationError):
            s.ResidentDataSchema().load({**full_resident(), "birth_year": 2027})
