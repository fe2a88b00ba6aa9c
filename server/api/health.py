from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from shared import protocol as p

from ..db import db

blp = Blueprint("health", __name__, url_prefix="/", description="Liveness")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    protocol = fields.Integer()
    min_protocol = fields.Integer()


@blp.route("/healthz")
@blp.response(200, HealthSchema)
def healthz():
    """Is the server up and its database reachable?"""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": db.engine.dialect.name,
            "protocol": p.PROTOCOL_VERSION, "min_protocol": p.MIN_PROTOCOL_VERSION}
