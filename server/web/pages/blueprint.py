"""The web blueprint: CSRF on its forms, the language cookie and the headers of every page.

The pages of each resource live in the modules beside this one; they register on :data:`bp`.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from shared import protocol as p

from ...errors import ApiError
from ..i18n import LANG_COOKIE, normalise_locale
from ..i18n import gettext as _


#: The templates and static files are in server/web, beside this package.
bp = Blueprint("web", __name__, root_path=str(Path(__file__).resolve().parent.parent),
               template_folder="templates", static_folder="static",
               static_url_path="/web-static")
csrf = CSRFProtect()


@bp.before_request
def protect_forms():
    # CSRF is checked for the web blueprint only (WTF_CSRF_CHECK_DEFAULT is off): the JSON API
    # authenticates with bearer tokens, which a browser never sends on its own.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.errorhandler(CSRFError)
def stale_form(_error):
    """A form without a valid token: forged, or open longer than the session lasts (sessions
    end after idle time). Nothing is done; the person is told in their words to start again."""
    message = _("This page was open too long; please open it again and repeat what you did.")
    if request.endpoint == "web.sign_in":
        return render_template("web/login.html", next=safe_next(request.form.get("next")),
                               username=(request.form.get("username") or "").strip(),
                               error=message), 400
    # The app's one error shape (an error handler's own exceptions are not handled again).
    return current_app.handle_user_exception(ApiError(400, p.ERR_INVALID_BODY, message))


@bp.after_request
def remember_language(response):
    chosen = normalise_locale(request.args.get("lang"))
    if chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax",
                            httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    # Pages show personal data: never cache them, never frame them.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in link must not send anyone to another site.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so
    ``/\t/evil.example`` would become ``//evil.example``: any whitespace, control character or
    backslash makes the target unsafe, as does anything with a scheme or a host.
    """
    if not target or not target.startswith("/") or target.startswith("//") or \
            any(char == "\\" or char.isspace() or unicodedata.category(char)[0] == "C"
                for char in target):
        return url_for("web.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("web.dashboard")
    return target
