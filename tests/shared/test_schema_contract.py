"""The wire schemas held to their contract (docs/sync-protocol.md, DESIGN.md §4).

The cases of test_schema_fields.py read each rule off the schemas, so they prove a schema
enforces what it declares. The tables of documented_schemas.py say what it must declare: a
bound, a length or a required field changed in a schema fails here until the contract is
changed too. A document with every field set must load with every value kept, so a field
dropped from a schema is noticed too.
"""
from __future__ import annotations

import copy
import uuid

from marshmallow import validate

from shared import schemas as s
from tests.shared.documented_schemas import (DOCUMENTED_LENGTHS, DOCUMENTED_NULLABLE,
                                             DOCUMENTED_RANGES, DOCUMENTED_REQUIRED,
                                             RESPONSES_WITH_NULL)
from tests.shared.schema_slots import ALL_SLOTS, SUBJECTS, validators_of


def test_every_subject_loads_with_every_field_kept():
    for subject in SUBJECTS:
        document = subject.document()
        loaded = subject.load(copy.deepcopy(document))
        for key in document:
            if subject.schema.fields[key].load_only:
                continue
            assert key in loaded, f"{subject.name}.{key} was dropped"


def test_the_full_documents_set_every_field_the_schemas_know():
    # A field missing from the full documents would escape the boundary cases (test_schema_fields).
    for subject in SUBJECTS:
        document = subject.document()
        missing = set(subject.schema.fields) - set(document)
        assert not missing, f"{subject.name}: add {sorted(missing)} to its full document"


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


def test_a_password_is_never_written_out():
    login = {"protocol": 2, "username": "wangfang", "password": "s3cret-pass",
             "device_id": str(uuid.uuid4()), "device_name": "平板一号"}
    assert "password" not in s.LoginRequestSchema().dump(login)
