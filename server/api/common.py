"""What every API view needs: the protocol check and the error responses it documents."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from webargs.flaskparser import is_json_request

from shared import protocol as p
from shared.schemas import ErrorSchema

from ..errors import ApiError
from .body import BodyParser, request_json


def check_protocol(version: int) -> None:
    """Refuse a protocol this server does not speak, naming the side that must be updated
    (``details.upgrade``: ``app`` or ``server``)."""
    if version < p.MIN_PROTOCOL_VERSION:
        raise ApiError(426, p.ERR_UPGRADE_REQUIRED,
                       "This app is too old for the server: please update the app.",
                       {"upgrade": "app", "min_protocol": p.MIN_PROTOCOL_VERSION,
                        "protocol": p.PROTOCOL_VERSION})
    if version > p.PROTOCOL_VERSION:
        raise ApiError(400, p.ERR_UPGRADE_REQUIRED,
                       "This app is newer than the server: the server must be updated first.",
                       {"upgrade": "server", "min_protocol": p.MIN_PROTOCOL_VERSION,
                        "protocol": p.PROTOCOL_VERSION})


def check_protocol_first() -> None:
    """Before the body is validated: a newer app may send members this server has never heard
    of, and must hear "update the server", not "unknown field"."""
    if request.method != "POST" or not is_json_request(request):
        return
    body = request_json()
    version = body.get("protocol") if isinstance(body, dict) else None
    if isinstance(version, int) and not isinstance(version, bool):
        check_protocol(version)


def api_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint of the JSON API: bodies read safely (server.api.body), protocol first."""
    blueprint = Blueprint(name, import_name, **kwargs)
    blueprint.ARGUMENTS_PARSER = BodyParser()
    blueprint.before_request(check_protocol_first)
    return blueprint


def document_errors(blueprint, *statuses):
    """Decorator: list the error responses a view can give, all in the one error shape."""
    descriptions = {400: "Bad request",
                    401: "Missing, unknown, expired or revoked device token",
                    403: "The device id belongs to another person's tablet",
                    409: "Cursor ahead of the log", 413: "Body too large",
                    422: "Body fails validation", 426: "App too old: update required",
                    429: "Too many failed sign-ins"}

    def wrap(view):
        for status in statuses:
            view = blueprint.alt_response(status, schema=ErrorSchema,
                                          description=descriptions[status])(view)
        return view
    return wrap
