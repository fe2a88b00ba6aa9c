"""The subjects of the wire-schema tests: each schema, a valid document of it with every field
set and how to load one; their slots (every field, found by walking a schema); and a subject's
document with one slot set or left out, loaded or refused."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from marshmallow import Schema, ValidationError, fields

from shared import schemas as s
from tests.shared.documented_schemas import full_note, full_resident, full_visit, op_with


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


GOOD_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


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
