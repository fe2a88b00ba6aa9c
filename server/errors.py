"""The one error shape, registered in one place.

Every error, from any layer, leaves as ``{"status", "error", "message", "details"}`` on the API
and as a short page on the web view.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template_string, request
from werkzeug.exceptions import HTTPException

from shared import protocol as p
from shared.schemas import flatten_errors, printable


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, details: dict | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


_HTTP_CODES = {400: p.ERR_INVALID_BODY, 401: p.ERR_TOKEN_MISSING, 403: p.ERR_FORBIDDEN,
               404: p.ERR_NOT_FOUND, 405: "method_not_allowed", 413: p.ERR_BODY_TOO_LARGE,
               415: p.ERR_UNSUPPORTED_ENCODING, 422: p.ERR_INVALID_BODY, 429: p.ERR_THROTTLED}

_PAGE = """<!doctype html><html lang="{{ lang }}"><meta charset="utf-8"><title>{{ status }}</title>
<body style="font-family:sans-serif;padding:2em"><h1>{{ status }}</h1><p>{{ message }}</p>
<p><a href="/">↩</a></p></body></html>"""


def _page_words(status: int) -> tuple[str | None, str]:
    """What a page says for an error Flask or werkzeug raised (never their English text), in
    the reader's language, and the page's ``lang``."""
    from .web.i18n import HTML_LANG, current_locale, gettext as _
    words = {
        400: _("The request could not be understood. Go back and try again."),
        403: _("You may not open this page. Ask your community if you need it."),
        404: _("This page does not exist, or it is not in your area. Start again from the "
               "dashboard."),
        405: _("This page cannot be used that way. Go back and use the page's own buttons."),
        413: _("The file is too large. Split it into smaller files and try again."),
        429: _("Too many tries. Wait a few minutes, then try again."),
        500: _("Something went wrong on our side. Try again in a moment; if it happens again, "
               "ask the district's administrator."),
    }
    return words.get(status) or words[400 if status < 500 else 500], \
        HTML_LANG.get(current_locale(), "zh-CN")


def _wants_json() -> bool:
    return request.path.startswith("/api") or request.path == "/healthz" or \
        request.accept_mimetypes.best == "application/json"


def _quotable(value):
    """Input quoted back in an error (an unknown member's name, say) may hold what UTF-8 cannot
    encode: escape it, so the error itself can always be sent."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_quotable(key): _quotable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_quotable(item) for item in value]
    return value


def _respond(status: int, error: str, message: str, details: dict, headers: dict,
             translated: bool = True):
    """``translated`` False: ``message`` is a library's English; a page says its own words."""
    message, details = _quotable(message), _quotable(details)
    if _wants_json():
        response = jsonify(status=status, error=error, message=message, details=details)
    else:
        words, lang = _page_words(status)
        response = current_app.make_response(render_template_string(
            _PAGE, status=status, message=message if translated else words, lang=lang))
    response.status_code = status
    response.headers.update(headers)
    return response


def _http_message(exc: HTTPException) -> tuple[str, dict]:
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs/marshmallow: {"json": {"field": ["..."]}}
        flat = messages.get("json", messages) if isinstance(messages, dict) else messages
        return flatten_errors(flat), {"fields": flat}
    if exc.code == 413:
        return "The request body is too large.", {}
    return exc.description or exc.name, {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def on_api_error(exc: ApiError):
        return _respond(exc.status, exc.error, exc.message, exc.details, exc.headers)

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException):
        message, details = _http_message(exc)
        return _respond(exc.code or 500, _HTTP_CODES.get(exc.code, "http_error"), message,
                        details, {}, translated=False)

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, "internal_error",
                        "Something went wrong on the server; please retry later.", {}, {},
                        translated=False)
