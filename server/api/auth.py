from __future__ import annotations

from flask import request

from shared import protocol as p
from shared.clock import isoformat, utcnow
from shared.schemas import (LoginRequestSchema, LoginResponseSchema, ProvisionRequestSchema,
                            RenewRequestSchema, RenewResponseSchema)

from ..audit import audit
from ..auth import (authenticate, device_for_request, issue_token, renew_token,
                    tablet_policy)
from ..db import db
from ..devices import device_for_sign_in, note_sign_in
from ..district import zone_name
from ..errors import ApiError
from ..models import Person
from ..provisioning import redeem_code
from .common import api_blueprint, check_protocol, document_errors

blp = api_blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Device sign-in")


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginRequestSchema)
@blp.response(200, LoginResponseSchema)
@document_errors(blp, 400, 401, 403, 422, 426, 429)
def login(body):
    """Sign a person in on a device; returns the device's bearer token and the tablet policy.

    A device belongs to the person who first signed it in: another person's sign-in with its
    id is refused (``403 device_not_yours``) and changes nothing, so the app must use a new
    device id. Signing in again as the same person keeps the device and its sequence history
    and replaces its token. A revoked device id stays revoked: the app must wipe itself and
    sign in as a new device.
    """
    check_protocol(body["protocol"])
    person_id = authenticate(db.engine, body["username"], body["password"], request.remote_addr)
    if person_id is None:
        raise ApiError(401, p.ERR_BAD_CREDENTIALS, "Wrong username or password.")
    session = db.session
    person = session.get(Person, person_id)
    now = utcnow()
    device = device_for_sign_in(session, person, body["device_id"], body["device_name"], now)
    token = issue_token(device, now)
    note_sign_in(device, body.get("app_version"), body["protocol"], now)
    audit(session, "sign_in", person_id=person.id, device_id=device.id)
    return {"token": token, "device_id": device.id, "person": person,
            "policy": tablet_policy(), "server_time": isoformat(now), "timezone": zone_name()}


@blp.route("/provision", methods=["POST"])
@blp.arguments(ProvisionRequestSchema)
@blp.response(200, LoginResponseSchema)
@document_errors(blp, 400, 401, 403, 422, 426)
def provision(body):
    """Sign a tablet in with the one-time code of a sign-in sheet (its QR code holds
    ``knockdoor://provision?server=URL&code=CODE``) instead of a password; answers as a login.

    A code is good once, for a short while (``401 provision_code_invalid`` otherwise: ask for a
    new sheet). The device rules are those of a login (``403 device_not_yours``,
    ``401 device_revoked``); a refused sign-in leaves the code unused.
    """
    check_protocol(body["protocol"])
    session, now = db.session, utcnow()
    person = redeem_code(session, body["code"], body["device_id"], now)
    device = device_for_sign_in(session, person, body["device_id"], body["device_name"], now)
    token = issue_token(device, now)
    note_sign_in(device, body.get("app_version"), body["protocol"], now)
    audit(session, "sign_in", person_id=person.id, device_id=device.id,
          detail={"via": "provision"})
    return {"token": token, "device_id": device.id, "person": person,
            "policy": tablet_policy(), "server_time": isoformat(now), "timezone": zone_name()}


@blp.route("/renew", methods=["POST"])
@blp.arguments(RenewRequestSchema)
@blp.response(200, RenewResponseSchema)
@blp.doc(security=[{"deviceToken": []}])
@document_errors(blp, 400, 401, 422, 426)
def renew(body):
    """Check the device's token at the start of a sync: answers the tablet policy and, when
    the token is due for rotation, a new token (``token``; null to keep the current one).

    The old token keeps working until the new one is first used, or for the grace period; a
    renewal repeated with the old token (its answer was lost) gets the same new token.
    """
    check_protocol(body["protocol"])
    device = device_for_request(db.session)
    now = utcnow()
    token = renew_token(device, now)
    return {"token": token, "policy": tablet_policy(), "server_time": isoformat(now)}
