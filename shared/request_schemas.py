"""Wire schema of a move on a request (an op of entity ``request_event``), see shared/requests.py.

Registered in shared.schemas.DATA_SCHEMAS. The category is checked against the district's
configured list by the server (it is configurable), not here.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from . import requests as r
from .schemas import _DATE_RANGE, StrictSchema, Text, UUIDText, one_of


class RequestEventDataSchema(StrictSchema):
    request_id = UUIDText(required=True)
    action = fields.String(required=True, validate=one_of(r.TABLET_ACTIONS))
    # raise
    category = Text(32, min_len=1)
    description = Text(2000)
    urgency = fields.String(validate=one_of(r.URGENCIES))
    resident_id = UUIDText(allow_none=True)
    location = Text(200, allow_none=True)
    channel = fields.String(validate=one_of(r.CHANNELS))
    visit_id = UUIDText(allow_none=True)
    # claim (a plan and the date the owner means to finish by)
    plan = Text(2000, allow_none=True)
    plan_due_on = fields.Date(allow_none=True, validate=_DATE_RANGE)
    # progress, note
    text = Text(4000, allow_none=True)
    # verdict
    verdict = fields.String(validate=one_of(r.VERDICTS))

    #: Members each move may carry (anything else is refused, naming it).
    ALLOWED = {
        r.RAISE: {"category", "description", "urgency", "resident_id", "location", "channel",
                  "visit_id"},
        r.CLAIM: {"plan", "plan_due_on"},
        r.PROGRESS: {"text"}, r.NOTE: {"text"}, r.FINISH: {"text"},
        r.VERDICT: {"verdict", "text"},
    }

    @validates_schema
    def check_shape(self, data, **kwargs):
        action = data.get("action")
        if action not in self.ALLOWED:
            return
        extra = sorted(set(data) - {"request_id", "action"} - self.ALLOWED[action])
        if extra:
            raise ValidationError(f"Not carried by '{action}'.", extra[0])
        if action == r.RAISE:
            for name in ("category", "description"):
                if not (data.get(name) or "").strip():
                    raise ValidationError("Missing data for required field.", name)
        if action in (r.PROGRESS, r.NOTE) and not (data.get("text") or "").strip():
            raise ValidationError("Missing data for required field.", "text")
        if action == r.VERDICT and not data.get("verdict"):
            raise ValidationError("Missing data for required field.", "verdict")
