"""Moves on requests pushed by tablets (ops of entity ``request_event``), dispatched from
server.sync.push. Each op is applied on its own; a move the rule refuses is rejected with the
rule's code and parameters (who holds a request and since when, when it was reopened) and kept
like every rejected op."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from shared import protocol as p
from shared import requests as r
from shared.requests import Move

from ..audit import FROM_TABLET, audit_row
from ..models import Resident
from ..sync.bulk import among_bound, bound_array, on_postgres
from ..sync.push import OpResult, PushContext, Rejection, _device_times
from . import service, settings
from .models import RequestEvent, ServiceRequest

#: English for the log and the API explorer; the tablet shows its own words for each code.
MESSAGES = {
    r.ALREADY_CLAIMED: "Someone else claimed this request first.",
    r.ALREADY_CLOSED: "This request is already closed.",
    r.REOPENED_SINCE: "This request was reopened after the resident was not satisfied.",
    r.NOT_OWNER: "Only the representative who holds this request (or a supervisor) may do this.",
    r.ROLE_NOT_ALLOWED: "Your role may not do this.",
    r.WRONG_STATE: "This request is not at a stage where this can be done.",
    r.NOT_YOUR_DEPARTMENT: "This request is not with your department.",
    r.NO_SUCH_REQUEST: "This request does not exist in this grid.",
    r.ALREADY_RAISED: "This request already exists.",
    r.MISSING: "Something this step needs is missing.",
}


def _jsonable(params: dict) -> dict:
    return {key: (value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat")
                  else value) for key, value in params.items()}


def refused(refusal: r.Refusal) -> Rejection:
    return Rejection(refusal.code, MESSAGES.get(refusal.code, refusal.code),
                     **_jsonable(refusal.params))


def lock_requests(ctx: PushContext, ops: list[dict]) -> None:
    """Lock every request the batch moves, in id order (after the residents, before the log
    head), so concurrent pushes queue on them instead of deadlocking."""
    ids = sorted({op["data"]["request_id"] for op in ops if op["entity"] == p.REQUEST_EVENT})
    postgres = on_postgres(ctx.session)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for request_id in ctx.session.scalars(_requests_among(postgres),
                                              {"ids": bound_array(chunk, postgres)}):
            ctx.requests[request_id] = service.lock(ctx.session, request_id)


@lru_cache(maxsize=None)
def _requests_among(postgres: bool):
    """Built once per kind of database (see sync.bulk.among_bound)."""
    return select(ServiceRequest.id).where(among_bound(ServiceRequest.id, "ids", postgres)) \
        .order_by(ServiceRequest.id)


def apply_request_event(ctx: PushContext, op: dict) -> OpResult:
    data = dict(op["data"])
    request_id, action = data.pop("request_id"), data.pop("action")
    if ctx.session.get(RequestEvent, op["entity_id"]) is not None or \
            op["entity_id"] in ctx.request_events:
        raise Rejection(p.REJ_ALREADY_EXISTS, f"Request event {op['entity_id']} already exists.")
    actor = service.actor_for(ctx.session, ctx.person)
    at, _device_time = _device_times(ctx, op)
    made = service.Made(at=at, now=ctx.now, via=service.VIA_TABLET, device_id=ctx.device.id)
    request = ctx.requests.get(request_id)
    try:
        if action == r.RAISE:
            request = _raise(ctx, op, request_id, actor, data, made)
        else:
            if request is None or request.grid_id != op["grid_id"]:
                # One answer whether the request lives in another grid or nowhere.
                raise service.MoveRefused(r.Refusal(r.NO_SUCH_REQUEST))
            service.make_move(ctx.session, request, op["entity_id"], actor,
                              Move(action, data), made)
    except service.MoveRefused as error:
        raise refused(error.refusal) from None
    ctx.requests[request.id] = request
    ctx.touched_requests[request.id] = request
    ctx.request_events[op["entity_id"]] = request.id
    ctx.audit.append(audit_row(
        f"request_{action}", at=ctx.now, person_id=ctx.person.id, device_id=ctx.device.id,
        entity=p.REQUEST, entity_id=request.id, grid_id=request.grid_id,
        detail={"source": FROM_TABLET, "op": op["op_id"], "event": op["entity_id"],
                "state": request.state}))
    return OpResult(op["op_id"], op["seq"], p.APPLIED)


def _raise(ctx: PushContext, op: dict, request_id: str, actor, data: dict, made):
    if request_id in ctx.requests or ctx.session.get(ServiceRequest, request_id) is not None:
        raise service.MoveRefused(r.Refusal(r.ALREADY_RAISED))
    if data["category"] not in settings.categories():
        raise Rejection(p.REJ_INVALID, "data.category: Must be one of: "
                        f"{', '.join(settings.categories())}.")
    resident_id = data.get("resident_id")
    if resident_id:
        grid = ctx.session.scalar(select(Resident.grid_id).where(Resident.id == resident_id))
        if grid != op["grid_id"]:
            raise Rejection(p.REJ_UNKNOWN_ENTITY,
                            f"Resident {resident_id} is not on the roster of grid "
                            f"{op['grid_id']}.")
    return service.raise_request(ctx.session, request_id, op["entity_id"], op["grid_id"], actor,
                                 data, made)


def before_flush(ctx: PushContext) -> None:
    service.relog(ctx.session, ctx.batch, ctx.touched_requests.values())


def after_flush(ctx: PushContext, positions: dict) -> None:
    service.stamp_versions(ctx.touched_requests.values(), positions)


def version_of(ctx: PushContext, event_id: str, positions: dict) -> int | None:
    request_id = ctx.request_events.get(event_id)
    return positions.get((p.REQUEST, request_id)) if request_id else None
