from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from shared import protocol as p
from shared.clock import isoformat, utcnow
from shared.schemas import LoginRequestSchema, LoginResponseSchema

from ..audit import audit
from ..auth import authenticate, hash_token, new_token
from ..db import db
from ..district import zone_name
from ..errors import ApiError
from ..models import Device, Person
from .common import check_protocol, document_errors

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Device sign-in")


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginRequestSchema)
@blp.response(200, LoginResponseSchema)
@document_errors(blp, 400, 401, 422, 426, 429)
def login(body):
    """Sign a person in on a device; returns the device's bearer token.

    Signing in again on the same device replaces its token. A revoked device id stays revoked:
    the app must wipe itself and sign in as a new device.
    """
    check_protocol(body["protocol"])
    person_id = authenticate(db.engine, body["username"], body["password"], request.remote_addr)
    if person_id is None:
        raise ApiError(401, p.ERR_BAD_CREDENTIALS, "Wrong username or password.")
    session = db.session
    person = session.get(Person, person_id)
    device = session.get(Device, body["device_id"])
    token = new_token()
    now = utcnow()
    if device is not None and device.revoked_at is not None:
        raise ApiError(401, p.ERR_DEVICE_REVOKED,
                       "This device has been revoked; its local data must be wiped.",
                       {"action": "wipe"})
    if device is None:
        device = Device(id=body["device_id"], person_id=person.id, name=body["device_name"],
                        token_hash=hash_token(token), created_at=now)
        session.add(device)
    else:
        device.person_id, device.name = person.id, body["device_name"]
        device.token_hash = hash_token(token)
    device.last_seen_at = now
    device.app_version = body.get("app_version")
    device.protocol_version = body["protocol"]
    audit(session, "sign_in", person_id=person.id, device_id=device.id)
    return {"token": token, "device_id": device.id, "person": person,
            "server_time": isoformat(now), "timezone": zone_name()}
