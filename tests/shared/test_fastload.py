"""The loader compiled from the wire schemas (shared.fastload) accepts nothing marshmallow
refuses, returns exactly what marshmallow returns, and takes the ordinary op without falling
back; refusals come from marshmallow itself, word for word (issue 10, point 3).

Ops are generated from the schemas (the strategies of the wire round-trip test), then broken one
member at a time: a wrong type, a null, a value out of range, a member left out, one unknown.
"""
from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields

from shared import protocol as p
from shared.fastload import Fallback, SchemaLoader, compile_loader
from shared.schemas import DATA_SCHEMAS, OpSchema
from tests.property.test_wire_round_trip import device_time, record_for

SCHEMA = OpSchema()
FAST = compile_loader(SCHEMA)
LOADER = SchemaLoader(SCHEMA)
KINDS = sorted(DATA_SCHEMAS)
#: Valid records are drawn and filtered through the schema (record_for): on a loaded machine
#: that trips hypothesis's speed and filter checks, which say nothing about the loader.
UNHURRIED = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["", " ", "\x00", "\ud800", "met", "F", "2026-02-30",
                                          "2026-03-01T08:00:00", "2026-03-01T08:00:00+08:00",
                                          "1969-12-31T23:59:59Z", str(uuid.uuid4()).upper()]),
    st.lists(st.sampled_from(["meals", "x", 1, None]), max_size=3),
    st.dictionaries(st.sampled_from(["systolic", "diastolic", "gas_alarm", "x"]),
                    st.one_of(st.integers(0, 300), st.sampled_from(["ok", "broken", None])),
                    max_size=3))


@st.composite
def valid_ops(draw):
    entity, action = draw(st.sampled_from(KINDS))
    op = {"op_id": draw(st.uuids().map(str).map(draw(st.sampled_from([str, str.upper])))),
          "seq": draw(st.integers(1, 2**62)), "entity": entity, "action": action,
          "entity_id": str(draw(st.uuids())), "grid_id": draw(st.integers(1, 2**31 - 1)),
          "device_time": draw(device_time()),
          "data": draw(record_for(DATA_SCHEMAS[(entity, action)]))}
    if (entity, action) == (p.RESIDENT, p.UPDATE):
        op["base_version"] = draw(st.integers(0, 2**62))
    elif draw(st.booleans()):
        op["base_version"] = draw(st.one_of(st.none(), st.integers(0, 2**62)))
    return op


@st.composite
def broken_ops(draw):
    op = draw(valid_ops())
    # where to break it: the op itself, its data, or a record nested in the data
    target = op
    nested = [key for key, value in op["data"].items() if isinstance(value, dict)]
    where = draw(st.sampled_from(["op", "data"] + (["nested"] if nested else [])))
    if where == "data":
        op["data"] = target = dict(op["data"])
    elif where == "nested":
        key = draw(st.sampled_from(nested))
        op["data"] = dict(op["data"])
        op["data"][key] = target = dict(op["data"][key])
    how = draw(st.sampled_from(["replace", "drop", "unknown"]))
    if how == "unknown" or not target:
        target[draw(st.sampled_from(["extra", "Outcome", "op id"]))] = draw(JUNK)
    elif how == "drop":
        del target[draw(st.sampled_from(sorted(target)))]
    else:
        target[draw(st.sampled_from(sorted(target)))] = draw(JUNK)
    return op


def outcome(load, op):
    try:
        return "loaded", load(op)
    except ValidationError as error:
        return "refused", error.messages
    except Fallback:
        return "fallback", None


def test_every_pushable_schema_compiles():
    assert FAST is not None
    assert all(compile_loader(schema) is not None for schema in DATA_SCHEMAS.values())


@settings(max_examples=400, deadline=None, suppress_health_check=UNHURRIED)
@given(valid_ops())
def test_an_ordinary_op_is_loaded_fast_and_exactly_as_marshmallow_loads_it(op):
    assert outcome(FAST, op) == outcome(SCHEMA.load, op) == ("loaded", SCHEMA.load(op))


@settings(max_examples=1500, deadline=None, suppress_health_check=UNHURRIED)
@given(broken_ops())
def test_a_broken_op_is_never_accepted_by_the_fast_loader_alone(op):
    slow, quick = outcome(SCHEMA.load, op), outcome(FAST, op)
    assert quick == slow if quick[0] == "loaded" else quick[0] == "fallback"
    assert outcome(LOADER.load, op) == slow  # what the push path sees: marshmallow's answer


def test_a_refusal_names_the_fields_as_marshmallow_does():
    op = {"op_id": "nope", "seq": 0, "entity": "visit", "action": "create",
          "entity_id": str(uuid.uuid4()), "grid_id": 1, "device_time": "2026-03-01T08:00:00Z",
          "data": {"resident_id": str(uuid.uuid4()), "outcome": "asleep"}}
    assert outcome(LOADER.load, op) == outcome(SCHEMA.load, op)
    kind, messages = outcome(LOADER.load, op)
    assert kind == "refused" and set(messages) == {"op_id", "seq", "data"}
    assert set(messages["data"]) == {"outcome"}


def _schemas_within(schema, found):
    """``schema`` and every schema nested in its fields (a dict's values included)."""
    found.append(schema)
    for field in schema.fields.values():
        inner = getattr(field, "value_field", None) or field
        if isinstance(inner, fields.Nested):
            _schemas_within(inner.schema, found)
    return found


def _edges(field) -> list:
    """Values at and around every limit the field's validators set, and the kinds of text,
    number and UUID that the loader's inline tests (shared.fastload._inline_test) tell apart."""
    known = str(uuid.uuid4())
    values = [True, 0, -1, 2**63, 1.5, float("nan"), float("inf"), "", "x", "\x00", "\ud800",
              "a\n", known, known.upper(), known + "\n", known[:-1] + "\x00", " " + known,
              known[:-1] + "\ud800"]
    for validator in field.validators:
        for choice in getattr(validator, "choices", ()):
            values += [choice, str(choice).upper(), str(choice) + "\x00"]
        for bound in (getattr(validator, "min", None), getattr(validator, "max", None)):
            if type(bound) in (int, float):
                values += [bound - 1, bound, bound + 1, float(bound), bound - 0.5, bound + 0.5]
                if type(bound) is int and 0 < bound <= 5000:
                    values += ["x" * (bound - 1), "x" * bound, "x" * (bound + 1), "好" * bound,
                               "\x00" + "x" * (bound - 1), "x" * (bound - 1) + "\udfff"]
    return values


EDGE_SCHEMAS = _schemas_within(SCHEMA, []) + [
    nested for data in DATA_SCHEMAS.values() for nested in _schemas_within(data, [])]
EDGE_LOADERS = {id(schema): compile_loader(schema) for schema in EDGE_SCHEMAS}
EDGE_CASES = [(schema, name, value) for schema in EDGE_SCHEMAS
              for name, field in schema.fields.items() for value in _edges(field)]


@settings(max_examples=1500, deadline=None, suppress_health_check=UNHURRIED)
@given(st.data())
def test_a_value_at_the_edge_of_a_field_is_loaded_fast_only_as_marshmallow_loads_it(data):
    schema, name, value = data.draw(st.sampled_from(EDGE_CASES))
    record = dict(data.draw(valid_ops() if schema is SCHEMA else record_for(schema)))
    record[name] = value
    slow, quick = outcome(schema.load, record), outcome(EDGE_LOADERS[id(schema)], record)
    assert quick == slow if quick[0] == "loaded" else quick[0] == "fallback"
