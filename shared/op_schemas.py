"""The ops a tablet pushes and the record data they carry (shared/schemas.py re-exports them)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import protocol as p
from .wire_fields import (_DATE_RANGE, _INSTANT_RANGE, MAX_ROW_ID, PHONE_RE, DateText,
                          NotAfterThisYear, Plaintext, StrictSchema, Text, UUIDText, one_of)

# ---- record data carried by ops -------------------------------------------------------------

class ResidentDataSchema(StrictSchema):
    name = Text(40, min_len=1, required=True)
    sex = fields.String(required=True, validate=one_of(("F", "M")))
    birth_year = fields.Integer(required=True, strict=True,
                                validate=NotAfterThisYear(1900))
    address = Text(120, min_len=1, required=True)
    phone = Plaintext(allow_none=True, validate=validate.Regexp(PHONE_RE))
    emergency_contact = Text(40, allow_none=True)
    emergency_phone = Plaintext(allow_none=True, validate=validate.Regexp(PHONE_RE))
    care_categories = fields.List(fields.String(validate=one_of(p.CARE_CATEGORIES)),
                                  validate=validate.Length(max=len(p.CARE_CATEGORIES)))
    ability_level = fields.String(allow_none=True, validate=one_of(p.ABILITY_LEVELS))
    ability_assessed_on = DateText(allow_none=True)
    ability_assessor = Text(40, allow_none=True)
    risk_tier = fields.String(allow_none=True, validate=one_of(p.RISK_TIERS))
    risk_reason = Text(200, allow_none=True)
    visit_cadence_days = fields.Integer(allow_none=True, strict=True,
                                        validate=validate.Range(1, 90))
    safety_devices = fields.List(fields.String(validate=one_of(p.SAFETY_DEVICES)),
                                 validate=validate.Length(max=len(p.SAFETY_DEVICES)))
    device_details = fields.Dict(keys=fields.String(validate=one_of(p.SAFETY_DEVICES)),
                                 values=fields.Nested(lambda: DeviceDetailSchema()))
    care_notes = Text(2000, allow_none=True)
    status = fields.String(validate=one_of(p.RESIDENT_STATUSES))


class DeviceDetailSchema(StrictSchema):
    """A safety device as installed: when, and who receives its alarms."""

    installed_on = DateText(allow_none=True)
    alarm_to = Text(80, allow_none=True)


class ReadingsSchema(StrictSchema):
    systolic = fields.Integer(strict=True, validate=validate.Range(50, 260))
    diastolic = fields.Integer(strict=True, validate=validate.Range(30, 160))
    pulse = fields.Integer(strict=True, validate=validate.Range(25, 220))
    blood_sugar = fields.Float(validate=validate.Range(1.0, 35.0))
    temperature = fields.Float(validate=validate.Range(33.0, 43.0))

    @validates_schema
    def check_pressure(self, data, **kwargs):
        if {"systolic", "diastolic"} <= data.keys() and data["diastolic"] >= data["systolic"]:
            raise ValidationError("Must be lower than systolic.", "diastolic")


class VisitDataSchema(StrictSchema):
    resident_id = UUIDText(required=True)
    outcome = fields.String(allow_none=True, validate=one_of(p.OUTCOMES))
    #: 上门 / 电话 / 视频; absent: at the door (what every visit before protocol 4 was).
    method = fields.String(allow_none=True, validate=one_of(p.VISIT_METHODS))
    away_reason = Text(200, allow_none=True)
    #: What was done about the emergency found (required with that outcome).
    emergency_action = Text(500, allow_none=True)
    #: The quick checklist: only the items with something to note, each with what it is;
    #: an item not named had no problem.
    checklist = fields.Dict(keys=fields.String(validate=one_of(p.CHECK_ITEMS)),
                            values=Text(300, min_len=1))
    advice = fields.List(fields.String(validate=one_of(p.ADVICE)),
                         validate=validate.Length(max=len(p.ADVICE)))
    readings = fields.Nested(ReadingsSchema)
    mood = fields.String(allow_none=True, validate=one_of(p.MOODS))
    needs = fields.List(fields.String(validate=one_of(p.NEEDS)), validate=validate.Length(max=20))
    services = fields.List(fields.String(validate=one_of(p.SERVICES)),
                           validate=validate.Length(max=20))
    safety_checks = fields.Dict(keys=fields.String(validate=one_of(p.SAFETY_DEVICES)),
                                values=fields.String(validate=one_of(p.SAFETY_CHECK_RESULTS)))
    note = Text(2000, allow_none=True)
    follow_up_on = fields.Date(allow_none=True, validate=_DATE_RANGE)
    corrects = UUIDText(allow_none=True)
    correction = fields.String(allow_none=True, validate=one_of(p.CORRECTIONS))

    @validates_schema
    def check_shape(self, data, **kwargs):
        correction = data.get("correction")
        if bool(correction) != bool(data.get("corrects")):
            raise ValidationError("corrects and correction go together.", "correction")
        if correction != p.VOID and not data.get("outcome"):
            raise ValidationError("Missing data for required field.", "outcome")
        if data.get("outcome") == p.EMERGENCY and not (data.get("emergency_action") or "").strip():
            raise ValidationError("Say what was done about the emergency.", "emergency_action")


class NoteDataSchema(StrictSchema):
    resident_id = UUIDText(required=True)
    text = Text(4000, allow_none=True)
    corrects = UUIDText(allow_none=True)
    correction = fields.String(allow_none=True, validate=one_of(p.CORRECTIONS))

    @validates_schema
    def check_shape(self, data, **kwargs):
        if bool(data.get("correction")) != bool(data.get("corrects")):
            raise ValidationError("corrects and correction go together.", "correction")
        if data.get("correction") != p.VOID and not (data.get("text") or "").strip():
            raise ValidationError("A note needs text.", "text")


DATA_SCHEMAS = {
    (p.RESIDENT, p.CREATE): ResidentDataSchema(),
    (p.RESIDENT, p.UPDATE): ResidentDataSchema(partial=True),
    (p.VISIT, p.CREATE): VisitDataSchema(),
    (p.NOTE, p.CREATE): NoteDataSchema(),
}

from .request_schemas import RequestEventDataSchema  # noqa: E402 - it builds on the above

DATA_SCHEMAS[(p.REQUEST_EVENT, p.CREATE)] = RequestEventDataSchema()


def _data_schema(op) -> Schema | None:
    """The schema of an op's ``data``, by its entity and action (None if they name none)."""
    entity, action = op.get("entity"), op.get("action")
    if type(entity) is not str or type(action) is not str:
        return None
    return DATA_SCHEMAS.get((entity, action))


class OpData(fields.Dict):
    """An op's ``data``, loaded by the schema of the op's entity and action (DATA_SCHEMAS)
    as the field is read: the nested record is walked once, not checked as a dict and then
    loaded again by a schema-level validator."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        schema = _data_schema(data)
        return value if schema is None else schema.load(value)

    def fast_converter(self, name, partial, compile_loader):
        """For shared.fastload: the same dispatch over loaders compiled from DATA_SCHEMAS."""
        from .fastload import Fallback
        loaders = {id(schema): compile_loader(schema) for schema in DATA_SCHEMAS.values()}

        def convert(value, raw):
            if type(value) is not dict:
                raise Fallback()
            schema = _data_schema(raw)
            if schema is None:
                return dict(value)
            load = loaders.get(id(schema))
            if load is None:  # not compiled (or added since): marshmallow loads it
                raise Fallback()
            return load(value)
        return convert


class OpSchema(StrictSchema):
    """One change made on a device. ``data`` is checked against the entity's own schema."""

    op_id = UUIDText(required=True, metadata={"description": "Made by the device; unique."})
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**62),
                         metadata={"description": "Per-device sequence number, from 1."})
    entity = fields.String(required=True, validate=one_of(p.PUSHABLE_ENTITIES))
    action = fields.String(required=True, validate=one_of(p.ACTIONS))
    entity_id = UUIDText(required=True)
    grid_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_ROW_ID))
    base_version = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(0, 2**62),
                                  metadata={"description": "Record version an update was based on."})
    device_time = fields.AwareDateTime(required=True, default_timezone=None,
                                       validate=_INSTANT_RANGE)
    data = OpData(required=True, metadata={"description": "ResidentData, VisitData or NoteData."})

    @validates_schema
    def check_entity_action(self, data, **kwargs):
        """What no single field can tell: which actions an entity takes, what an update needs.
        (``data`` itself was loaded by its field, with the entity's schema.)"""
        key = (data.get("entity"), data.get("action"))
        if None in key:
            return
        if key not in DATA_SCHEMAS:
            raise ValidationError(f"{key[0]} records are append-only: only 'create' is allowed.",
                                  "action")
        if key == (p.RESIDENT, p.UPDATE):
            if data.get("base_version") is None:
                raise ValidationError("An update needs the version it was based on.",
                                      "base_version")
            if not data.get("data"):
                raise ValidationError("An update changes at least one field.", "data")


def flatten_errors(errors, prefix="") -> str:
    """marshmallow's nested error dict as one line naming every field."""
    parts = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            parts.append(flatten_errors(value, name))
    elif isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            text = " ".join(errors)
            parts.append(f"{prefix}: {text}" if prefix else text)
        else:
            parts.extend(flatten_errors(item, prefix) for item in errors)
    else:
        parts.append(f"{prefix}: {errors}" if prefix else str(errors))
    return "; ".join(part for part in parts if part)
