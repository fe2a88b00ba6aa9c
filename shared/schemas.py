"""Wire schemas (marshmallow). The one definition of what crosses the network.

The field types live in shared/wire_fields.py and the ops' schemas in shared/op_schemas.py;
every name of both is importable from here as before."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from . import protocol as p
from .wire_fields import *  # noqa: F401,F403
from .wire_fields import _DATE_RANGE, _INSTANT_RANGE  # noqa: F401
from .wire_fields import Plaintext, StrictSchema, Text, UUIDText
from .op_schemas import *  # noqa: E402,F401,F403 - after the field types it builds on
from .op_schemas import _data_schema  # noqa: E402,F401

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
