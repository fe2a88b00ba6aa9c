"""Wire schemas: what is accepted, and errors that name the field."""
import uuid

import pytest
from marshmallow import ValidationError

from shared.schemas import OpSchema, flatten_errors


def visit_op(**data):
    return {"op_id": str(uuid.uuid4()), "seq": 1, "entity": "visit", "action": "create",
            "entity_id": str(uuid.uuid4()), "grid_id": 3,
            "device_time": "2026-11-27T09:00:00+08:00",
            "data": {"resident_id": str(uuid.uuid4()), "outcome": "met", **data}}


def errors_of(raw) -> str:
    with pytest.raises(ValidationError) as caught:
        OpSchema().load(raw)
    return flatten_errors(caught.value.messages)


def test_a_complete_visit_op_loads():
    op = OpSchema().load(visit_op(readings={"systolic": 135, "diastolic": 85}, mood="good",
                                  needs=["meals"], safety_checks={"fall_alarm": "ok"}))
    assert op["data"]["readings"] == {"systolic": 135, "diastolic": 85}


def test_implausible_readings_are_refused_naming_the_reading():
    assert "data.readings.systolic" in errors_of(visit_op(readings={"systolic": 400}))


def test_diastolic_must_be_below_systolic():
    assert "diastolic" in errors_of(visit_op(readings={"systolic": 100, "diastolic": 120}))


def test_unknown_fields_are_refused_by_name():
    assert "data.favourite_colour: Unknown field." in errors_of(visit_op(favourite_colour="red"))


def test_wrong_types_are_refused():
    op = visit_op()
    op["seq"] = "1"
    assert "seq: Not a valid integer." in errors_of(op)


def test_visits_cannot_be_updated_only_corrected():
    op = visit_op()
    op["action"] = "update"
    assert "append-only" in errors_of(op)


def test_a_resident_update_needs_its_base_version():
    op = {"op_id": str(uuid.uuid4()), "seq": 2, "entity": "resident", "action": "update",
          "entity_id": str(uuid.uuid4()), "grid_id": 1, "device_time": "2026-11-27T01:00:00Z",
          "data": {"phone": "13800000000"}}
    assert "base_version" in errors_of(op)


def test_a_device_time_without_a_zone_is_refused():
    op = visit_op()
    op["device_time"] = "2026-11-27T09:00:00"
    assert "device_time" in errors_of(op)


def test_hostile_strings_are_data_not_code():
    note = "<script>alert(1)</script>'; DROP TABLE visits; --"
    assert OpSchema().load(visit_op(note=note))["data"]["note"] == note


def test_a_birth_year_is_checked_against_the_year_when_it_is_checked():
    import time_machine

    from shared.schemas import ResidentDataSchema
    schema = ResidentDataSchema(partial=True)
    with time_machine.travel("2027-01-01T00:30:00Z", tick=False):
        assert schema.load({"birth_year": 2027}) == {"birth_year": 2027}
    with time_machine.travel("2026-12-31T08:00:00Z", tick=False):
        assert "birth_year" in schema.validate({"birth_year": 2027})
