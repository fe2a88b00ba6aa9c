from __future__ import annotations

from flask import Response, g, request

from shared import protocol as p
from shared.clock import isoformat, utcnow
from shared.schemas import (PullRequestSchema, PullResponseSchema, PushRequestSchema,
                            PushResponseSchema, SyncStateRequestSchema,
                            SyncStateResponseSchema)

from ..audit import audit
from ..auth import device_for_request
from ..db import db
from ..devices import note_pull, note_push
from ..district import rules as district_rules
from ..district import zone_name
from ..errors import ApiError
from ..points_pull import tablet_points
from ..sync.pull import pull_changes
from ..sync.push import push_ops
from ..sync.restore import server_state
from .common import api_blueprint, check_protocol, document_errors

blp = api_blueprint("sync", __name__, url_prefix="/api/v1/sync",
                description="Push ops, pull changes (see docs/sync-protocol.md)")


@blp.before_request
def authenticate_device():
    if request.endpoint == "sync.pull" and db.is_postgres:
        # One snapshot for the whole pull, so its positions, rows and digests agree.
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    g.device = device_for_request(db.session)


@blp.route("/push", methods=["POST"])
@blp.arguments(PushRequestSchema)
@blp.response(200, PushResponseSchema)
@blp.doc(security=[{"deviceToken": []}])
@document_errors(blp, 400, 401, 413, 422, 426)
def push(body):
    """Push a batch of ops; every op gets its own result.

    Ops are applied exactly once: a retried or duplicated push answers ``duplicate`` for what
    was already applied. Each op is validated on its own, so one bad op is rejected with a
    reason and never blocks the rest.
    """
    check_protocol(body["protocol"])
    if body["protocol"] >= 2 and body.get("device_time") is None:
        raise ApiError(422, p.ERR_INVALID_BODY, "device_time: Missing data for required field.",
                       {"fields": {"device_time": ["Missing data for required field."]}})
    device, now = g.device, utcnow()
    skew = note_push(device, body, now)
    results = push_ops(db.session, device, body["ops"], skew, now)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    audit(db.session, "push", person_id=device.person_id, device_id=device.id, detail=counts)
    return {"results": [result.to_json() for result in results], "server_time": isoformat(now)}


@blp.route("/pull", methods=["POST"])
@blp.arguments(PullRequestSchema)
@blp.response(200, PullResponseSchema)
@blp.doc(security=[{"deviceToken": []}])
@document_errors(blp, 400, 401, 409, 422, 426)
def pull(body):
    """Changes of the device's grids after a cursor, in position order, one page at a time.

    Grids newly in scope start from the beginning; grids out of scope are listed in
    ``evict_grids``; a grid that is caught up carries its digest.
    """
    check_protocol(body["protocol"])
    device, now = g.device, utcnow()
    page = pull_changes(db.session, device, body["cursor"], body["limit"], now,
                        departures=body["protocol"] >= p.DEPARTURES_SINCE_PROTOCOL,
                        campaigns=body["protocol"] >= p.CAMPAIGNS_SINCE_PROTOCOL)
    note_pull(device, now)
    if page.rows:
        grids = sorted({row[3] for row in page.rows})
        audit(db.session, "pull", person_id=device.person_id, device_id=device.id,
              detail={"records": len(page.rows), "grids": grids})
    # Duty points (rule versions, the person's adjustments, the ranking) with the last page.
    points = None if page.has_more else tablet_points(db.session, device.person, now)
    return Response(page.to_json_text(now, zone_name(), district_rules().to_dict(), points),
                    mimetype="application/json")


@blp.route("/state", methods=["POST"])
@blp.arguments(SyncStateRequestSchema)
@blp.response(200, SyncStateResponseSchema)
@blp.doc(security=[{"deviceToken": []}])
@document_errors(blp, 400, 401, 422, 426)
def state(body):
    """What the server holds, asked before every push: its epoch, its log head and the highest
    sequence number of this device it has applied. A tablet that has seen more than that was
    talking to a server since restored from a backup: it starts its copy over and re-sends
    what the server lacks (docs/operations.md)."""
    check_protocol(body["protocol"])
    answer = server_state(db.session, g.device, body["epoch"], body["seen_position"],
                          body["acked_seq"])
    if answer["restored"]:
        audit(db.session, "server_restored", person_id=g.device.person_id,
              device_id=g.device.id, detail={"epoch": answer["epoch"]})
    return {**answer, "server_time": isoformat(utcnow())}
