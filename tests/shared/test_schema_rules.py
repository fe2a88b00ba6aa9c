"""The rules of the wire schemas that tie fields together (a correction and what it corrects, a
void, the blood-pressure pair, an op's entity and action and its data), and how a refusal
names its fields."""
from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError

from shared import schemas as s
from tests.shared.documented_schemas import full_note, full_resident, full_visit, op_with
from tests.shared.schema_slots import GOOD_UUID


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


def test_flatten_errors_names_the_field_of_a_bare_message():
    assert s.flatten_errors({"data": "Not a valid mapping type."}) == \
        "data: Not a valid mapping type."
    assert s.flatten_errors("Invalid input.") == "Invalid input."
