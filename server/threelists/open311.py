"""Open311 GeoReport v2, so a 12345 hotline platform can forward requests into a grid and
follow their status (docs/open311.md).

* ``GET /open311/v2/services.json``: the request categories, as services.
* ``GET /open311/v2/requests.json``: requests, filtered by ``service_request_id``,
  ``service_code``, ``status``, ``start_date`` and ``end_date`` (at most 1,000, newest first).
* ``GET /open311/v2/requests/<id>.json``: one request.
* ``POST /open311/v2/requests.json``: a new request, with the partner's ``api_key``.

Reading needs no key, and then shows no personal data: no description (it may name people),
no exact address, only the category, the status and the grid. A partner key allowed personal
data (``ApiPartner.personal_data``) also gets the description and the resident's address.
Errors follow GeoReport: a list of ``{"code", "description"}`` with the HTTP status.
Only the key's SHA-256 is stored (:func:`create_partner` prints the key once).
"""
from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import datetime, timedelta

from flask import Blueprint, Flask, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import requests as r
from shared.clock import isoformat, utcnow
from shared.district_day import day_start
from shared.schemas import text_problem

from ..audit import audit
from ..db import db
from ..district import district_zone
from ..models import Area, Resident
from ..sync.batch import ChangeBatch
from . import service, settings
from .models import ApiPartner, Department, ServiceRequest

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
MAX_LISTED = 1000
MAX_TEXT = 2000


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_partner(session: Session, name: str, grid_id: int | None,
                   personal_data: bool = False) -> str:
    """A partner system and its new API key (returned once; only its hash is kept)."""
    key = secrets.token_urlsafe(24)
    session.add(ApiPartner(name=name, key_hash=_hash(key), grid_id=grid_id,
                           personal_data=personal_data, active=True, created_at=utcnow()))
    session.flush()
    return key


def partner_by_key(session: Session, key: str) -> ApiPartner | None:
    return session.scalar(select(ApiPartner).where(ApiPartner.key_hash == _hash(key)))


def _json(body, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")


def _error(status: int, description: str) -> Response:
    return _json([{"code": status, "description": description}], status)


def _partner(required: bool) -> ApiPartner | None | Response:
    key = request.values.get("api_key")
    if not key:
        return _error(403, "api_key is required to submit a request.") if required else None
    partner = db.session.scalar(select(ApiPartner).where(ApiPartner.key_hash == _hash(key),
                                                         ApiPartner.active))
    if partner is None:
        return _error(403, "Invalid api_key.")
    return partner


def _words():
    from ..web.request_words import request_word
    return request_word


@bp.get("/services.json")
def services():
    word = _words()
    return _json([{"service_code": code, "service_name": word("category", code),
                   "description": word("category", code), "metadata": False,
                   "type": "realtime", "keywords": "", "group": ""}
                  for code in settings.categories()])


def _status(item: ServiceRequest) -> str:
    return "closed" if item.state in r.FINAL_STATES else "open"


def _view(item: ServiceRequest, personal: bool, grids: dict, departments: dict,
          addresses: dict) -> dict:
    word = _words()
    grid = grids.get(item.grid_id)
    view = {
        "service_request_id": item.id, "status": _status(item),
        "status_notes": word("state", item.state), "service_name": word("category", item.category),
        "service_code": item.category, "description": None,
        "agency_responsible": departments.get(item.department_id),
        "service_notice": None, "requested_datetime": isoformat(item.raised_at),
        "updated_datetime": isoformat(item.state_since),
        "expected_datetime": _end_of(item.due_on),
        # Without personal data, where is told by the grid's code only (never a name that
        # could narrow it down to a building).
        "address": None, "address_id": grid.code if grid else None, "zipcode": None,
        "lat": None, "long": None, "media_url": None}
    if personal:
        view["description"] = item.description
        view["address"] = addresses.get(item.resident_id) or item.location or \
            (grid.name if grid else None)
    return view


def _end_of(day) -> str | None:
    """The last second of a district day, as a W3C datetime in UTC."""
    if day is None:
        return None
    return isoformat(day_start(day + timedelta(days=1), district_zone()) - timedelta(seconds=1))


def _views(items, personal: bool) -> list[dict]:
    grids = {a.id: a for a in db.session.scalars(select(Area).where(
        Area.id.in_({i.grid_id for i in items})))} if items else {}
    departments = dict(db.session.execute(select(Department.id, Department.name)).all())
    addresses = {}
    if personal:
        ids = [i.resident_id for i in items if i.resident_id]
        addresses = dict(db.session.execute(select(Resident.id, Resident.address).where(
            Resident.id.in_(ids))).all()) if ids else {}
    return [_view(item, personal, grids, departments, addresses) for item in items]


def _instant(name: str):
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} is not a W3C datetime.") from None
    if moment.utcoffset() is None:
        raise ValueError(f"{name} needs a time zone.")
    return moment


@bp.get("/requests.json")
def list_requests():
    partner = _partner(required=False)
    if isinstance(partner, Response):
        return partner
    query = select(ServiceRequest)
    ids = [i.strip() for i in (request.args.get("service_request_id") or "").split(",")
           if i.strip()]
    if ids:
        query = query.where(ServiceRequest.id.in_(ids[:MAX_LISTED]))
    code = request.args.get("service_code")
    if code:
        query = query.where(ServiceRequest.category == code)
    status = request.args.get("status")
    if status not in (None, "open", "closed"):
        return _error(400, "status must be open or closed.")
    if status:
        closed = ServiceRequest.state.in_(r.FINAL_STATES)
        query = query.where(closed if status == "closed" else ~closed)
    try:
        start, end = _instant("start_date"), _instant("end_date")
    except ValueError as problem:
        return _error(400, str(problem))
    if start:
        query = query.where(ServiceRequest.raised_at >= start)
    if end:
        query = query.where(ServiceRequest.raised_at <= end)
    items = list(db.session.scalars(query.order_by(ServiceRequest.raised_at.desc())
                                    .limit(MAX_LISTED)))
    return _json(_views(items, bool(partner and partner.personal_data)))


@bp.get("/requests/<request_id>.json")
def one_request(request_id: str):
    partner = _partner(required=False)
    if isinstance(partner, Response):
        return partner
    item = db.session.get(ServiceRequest, request_id[:64])
    if item is None:
        return _error(404, "No such service request.")
    return _json(_views([item], bool(partner and partner.personal_data)))


def _text(name: str, limit: int) -> str | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    if len(value) > limit or text_problem(value):
        raise ValueError(f"{name} is too long or holds characters that cannot be stored.")
    return value


@bp.post("/requests.json")
def post_request():
    partner = _partner(required=True)
    if isinstance(partner, Response):
        return partner
    code = request.form.get("service_code")
    if code not in settings.categories():
        return _error(400, "service_code is missing or not one of services.json.")
    try:
        description = _text("description", MAX_TEXT)
        address = _text("address_string", 200)
        contact = [v for v in (_text("last_name", 40), _text("first_name", 40),
                               _text("phone", 20)) if v]
        grid_code = _text("attribute[grid]", 32)
        external = _text("attribute[external_id]", 64) or _text("account_id", 64)
    except ValueError as problem:
        return _error(400, str(problem))
    if not description:
        return _error(400, "description is required.")
    grid_id = partner.grid_id
    if grid_code:
        grid = db.session.scalar(select(Area).where(Area.code == grid_code, Area.level == "grid"))
        if grid is None:
            return _error(400, "attribute[grid] names no grid.")
        grid_id = grid.id
    if grid_id is None:
        return _error(400, "attribute[grid] is required for this api_key.")
    if contact:
        description = f"{description}（联系人：{' '.join(contact)}）"
    now = utcnow()
    actor = r.Actor(0, "supervisor", partner.name)  # raised on the partner's behalf
    made = service.Made(at=now, now=now, via=service.VIA_OPEN311)
    item = service.raise_request(db.session, str(uuid.uuid4()), str(uuid.uuid4()), grid_id,
                                 actor, {"category": code, "description": description,
                                         "location": address, "channel": "hotline"}, made)
    item.partner_id, item.external_id = partner.id, external
    batch = ChangeBatch(db.session)
    service.relog(db.session, batch, [item])
    service.stamp_versions([item], batch.flush())
    audit(db.session, "request_raise", entity="request", entity_id=item.id, grid_id=grid_id,
          detail={"source": "open311", "partner": partner.id})
    return _json([{"service_request_id": item.id, "service_notice": None,
                  "account_id": external}])


def init_open311(app: Flask) -> None:
    app.register_blueprint(bp)
