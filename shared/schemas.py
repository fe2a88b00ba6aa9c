"""Wire schemas (marshmallow). The one definition of what crosses the network."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import protocol as p
from .clock import utcnow

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PHONE_RE = re.compile(r"^[0-9+\- ]{3,20}\Z")


#: Instants a device may claim (``device_time``) and dates it may set: a tablet whose clock
#: reset to 1970 still delivers its visits (the skew correction dates them), while year 1 or
#: 9999 (which overflow on conversion) and other nonsense are refused, naming the field.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST_INSTANT = datetime(2199, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
_INSTANT_RANGE = validate.Range(EARLIEST_INSTANT, LATEST_INSTANT,
                                error="Must be between 1970-01-01 and 2199-12-31 (UTC).")
_DATE_RANGE = validate.Range(EARLIEST_INSTANT.date(), LATEST_INSTANT.date(),
                             error="Must be between 1970-01-01 and 2199-12-31.")

#: Areas, people and other rows the server numbers have 32-bit ids on every database.
MAX_ROW_ID = 2**31 - 1

#: What no database should store and no encoder can write: NUL (PostgreSQL refuses it in text)
#: and UTF-16 surrogates not in a pair (no UTF-8 encoding exists for them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    return "Must not contain a NUL character." if found.group() == "\x00" else \
        "Not valid Unicode text (an unpaired surrogate)."


def printable(text: str) -> str:
    """``text`` made safe to store and to encode as UTF-8 (for messages that quote input)."""
    if _UNSTORABLE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


class Plaintext(fields.String):
    """A string that can be stored on every database and encoded as UTF-8."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class UUIDText(Plaintext):
    """A UUID kept as its lower-case text."""

    default_error_messages = {"invalid_uuid": "Not a valid UUID."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).lower()
        if not UUID_RE.fullmatch(text):
            raise self.make_error("invalid_uuid")
        return text


class DateText(Plaintext):
    """A calendar day kept as its ISO text (``2026-11-24``), as stored and sent."""

    default_error_messages = {"invalid_day": "Must be a date written as YYYY-MM-DD."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise self.make_error("invalid_day")
        _DATE_RANGE(day)
        return text


class NotAfterThisYear(validate.Range):
    """A year from ``min`` to the current year, reckoned when the value is checked (not when the
    module was imported: a server runs across New Year). "This year" anywhere on Earth: a zone
    is at most 14 hours ahead of UTC."""

    def __init__(self, min: int) -> None:
        super().__init__(min, None)

    @property
    def max(self) -> int:
        return (utcnow() + timedelta(hours=14)).year

    @max.setter
    def max(self, _value) -> None:
        pass  # always the current year


def one_of(choices):
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def Text(max_len: int, *, required=False, min_len=0, **kw):  # noqa: N802 - a field factory
    return Plaintext(required=required, validate=validate.Length(min=min_len, max=max_len),
                         **kw)


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


# ---- requests and responses -----------------------------------------------------------------

class VersionedSchema(StrictSchema):
    protocol = fields.Integer(required=True, strict=True,
                              metadata={"description": "Protocol version the app speaks."})
    app_version = Text(40, load_default=None, allow_none=True)


class LoginRequestSchema(VersionedSchema):
    username = Text(64, min_len=1, required=True)
    password = Text(256, min_len=1, required=True, load_only=True)
    device_id = UUIDText(required=True)
    device_name = Text(80, min_len=1, required=True)


class ProvisionRequestSchema(VersionedSchema):
    code = Text(32, min_len=1, required=True, load_only=True,
                metadata={"description": "The one-time code of a sign-in sheet (its QR code)."})
    device_id = UUIDText(required=True)
    device_name = Text(80, min_len=1, required=True)


class PersonSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()


class TabletPolicySchema(Schema):
    pin_idle_minutes = fields.Integer(metadata={"description": "Idle minutes before the PIN."})
    pin_attempts = fields.Integer(metadata={"description": "Wrong PINs before a sign-in."})
    lock_after_days = fields.Integer(metadata={
        "description": "Days without reaching the server before the app locks until an "
                       "online sign-in."})
    wipe_after_days = fields.Integer(metadata={
        "description": "Days without reaching the server before the app wipes its data."})


class LoginResponseSchema(Schema):
    token = fields.String(metadata={"description": "Send as 'Authorization: Bearer <token>'."})
    device_id = fields.String()
    person = fields.Nested(PersonSchema)
    policy = fields.Nested(TabletPolicySchema)
    server_time = fields.String()
    timezone = fields.String(metadata={
        "description": "The district's time zone (IANA name, e.g. Asia/Shanghai): every calendar "
                       "day and every time shown to a person is reckoned in it. Absent from "
                       "older servers: assume Asia/Shanghai."})


class RenewRequestSchema(VersionedSchema):
    pass


class RenewResponseSchema(Schema):
    token = fields.String(allow_none=True, metadata={
        "description": "A new token to use from now on, or null to keep the current one."})
    policy = fields.Nested(TabletPolicySchema)
    server_time = fields.String()


class RawList(fields.List):
    """A list of ``fields.Raw`` items, read in one step: Raw takes any value but null as it is,
    so a list without nulls is taken whole (a null item goes the long way, for its error)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(fields.Raw(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is list and None not in value:
            return list(value)
        return super()._deserialize(value, attr, data, **kwargs)


class PushRequestSchema(VersionedSchema):
    device_time = fields.AwareDateTime(load_default=None, default_timezone=None,
                                       validate=_INSTANT_RANGE,
                                       metadata={"description": "Device clock when sent; "
                                                                "required from protocol 2."})
    ops = RawList(required=True, validate=validate.Length(max=p.MAX_OPS_PER_PUSH),
                  metadata={"description": "Op objects (see Op); each is checked on its own "
                                           "so one bad op never blocks the rest."})


class OpReasonSchema(Schema):
    code = fields.String(metadata={"description": "shared.protocol.RejectCode"})
    message = fields.String(metadata={"description": "For a person, in English; the app words "
                                                     "the code and params in its language."})
    params = fields.Dict(keys=fields.String(), metadata={
        "description": "What the message names: ids, grid id and name, fields (per code, see "
                       "docs/sync-protocol.md). Older servers send none: never required."})


class OpResultSchema(Schema):
    op_id = fields.String(allow_none=True,
                          metadata={"description": "Null when the op had no usable id."})
    seq = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "applied | duplicate | conflict | rejected"})
    version = fields.Integer(allow_none=True,
                             metadata={"description": "Log position of the record after this op."})
    conflict_ids = fields.List(fields.String())
    reason = fields.Nested(OpReasonSchema, allow_none=True)


class WireList(fields.List):
    """A list whose items the server builds in their wire form already (``OpResult.to_json``;
    a test holds them to the item schema): dumped as they are, not item by item, and
    documented as the item schema. A push answers 500 ops at once."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else list(value)


class PushResponseSchema(Schema):
    results = WireList(fields.Nested(OpResultSchema))
    server_time = fields.String()


class PullRequestSchema(VersionedSchema):
    cursor = Plaintext(load_default=None, allow_none=True, validate=validate.Length(max=20000),
                           metadata={"description": "Opaque; null for a first sync."})
    limit = fields.Integer(load_default=p.DEFAULT_PULL_LIMIT, strict=True,
                           validate=validate.Range(1, p.MAX_PULL_LIMIT))


class SyncStateRequestSchema(VersionedSchema):
    """What the tablet knows of the server's history, sent before it pushes."""

    epoch = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36),
                          metadata={"description": "The server epoch the tablet last saw; "
                                    "null for a first sync."})
    seen_position = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(0, 2**62),
        metadata={"description": "The highest log position the tablet has seen in this epoch."})
    acked_seq = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(0, 2**62),
        metadata={"description": "The highest sequence number of this device the server has "
                                 "acknowledged as applied, in this epoch."})


class SyncStateResponseSchema(Schema):
    epoch = fields.String(metadata={"description": "This server's history id."})
    epoch_since = fields.Integer(metadata={
        "description": "Up to this position the current history equals the one before the "
                       "last restore (0: unknown)."})
    head = fields.Integer(metadata={"description": "The last log position handed out."})
    applied_seq = fields.Integer(metadata={
        "description": "The highest sequence number of this device the server holds (0: none)."})
    restored = fields.Boolean(metadata={
        "description": "This request showed the server holds less than it had acknowledged: "
                       "it started a new epoch."})
    server_time = fields.String()


class ChangeSchema(Schema):
    position = fields.Integer()
    entity = fields.String(metadata={
        "description": "resident, visit, note, conflict, or departure (a resident left the "
                       "grid: drop them and their records of that grid; protocol 3 and later)",
        "enum": list(p.ENTITIES)})
    id = fields.String()
    grid_id = fields.Integer()
    data = fields.Dict()


class GridStateSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    digest = fields.String(allow_none=True,
                           metadata={"description": "Set once the grid is caught up."})
    facts_digest = fields.String(
        allow_none=True, metadata={"description": "Set once the grid is caught up: the digest "
                                   "of its residents' last visit, last meeting and open "
                                   "follow-up."})


class PullResponseSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    rules = fields.Dict(metadata={
        "description": "The district's visiting rules (care categories, cadence per risk tier, "
                       "follow-ups, counted methods, reading thresholds; see "
                       "shared/district_rules.py). Absent from older servers: use the defaults."})
    points = fields.Dict(metadata={
        "description": "Last page only: duty points the tablet counts with (rule versions, the "
                       "person's own adjustments, the ranking setting and, when it is on, the "
                       "rankings of their communities; docs/points.md). Absent from older "
                       "servers."})
    cursor = fields.String()
    epoch = fields.String(metadata={"description": "The server epoch the cursor belongs to."})
    has_more = fields.Boolean()
    evict_grids = fields.List(fields.Integer())
    grids = fields.List(fields.Nested(GridStateSchema))
    server_time = fields.String()
    timezone = fields.String(metadata={
        "description": "The district's time zone (IANA name, e.g. Asia/Shanghai): every calendar "
                       "day and every time shown to a person is reckoned in it. Absent from "
                       "older servers: assume Asia/Shanghai."})


class ErrorSchema(Schema):
    status = fields.Integer()
    error = fields.String(metadata={"description": "Machine-readable code."})
    message = fields.String(metadata={"description": "For a person."})
    details = fields.Dict()
