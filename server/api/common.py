"""What every API view needs: the protocol check and the error responses it documents."""
from __future__ import annotations

from shared import protocol as p

from ..errors import ApiError


def check_protocol(version: int) -> None:
    if version < p.MIN_PROTOCOL_VERSION:
        raise ApiError(426, p.ERR_UPGRADE_REQUIRED,
                       "This app is too old for the server: please update it.",
                       {"min_protocol": p.MIN_PROTOCOL_VERSION, "protocol": p.PROTOCOL_VERSION})
    if version > p.PROTOCOL_VERSION:
        raise ApiError(400, p.ERR_UPGRADE_REQUIRED,
                       "This app is newer than the server; the server must be updated first.",
                       {"min_protocol": p.MIN_PROTOCOL_VERSION, "protocol": p.PROTOCOL_VERSION})


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
            view = blueprint.alt_response(status, schema="ErrorSchema",
                                          description=descriptions[status])(view)
        return view
    return wrap
