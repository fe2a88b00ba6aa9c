"""Supervisor web view: server-rendered pages for supervisors and admins (see docs/web.md).

Chinese by default, English on request; every script, style and font is served by the app
itself, because the office intranet has no internet.
"""
from __future__ import annotations

from flask import Flask, request

from shared import protocol as p

from . import audit_text, i18n, labels, roster, typography
from .queries.tablets import is_stale
from .timeutil import local_today, to_local


def init_web(app: Flask) -> None:
    """Registers the supervisor pages, their CSRF protection and their translations."""
    from .sessions import DatabaseSessionInterface
    from .pages import bp, csrf, pairings
    from ..threelists.workdays import is_provisional
    from .request_words import request_word

    app.session_interface = DatabaseSessionInterface()

    # CSRF is checked for the web blueprint only: the JSON API under /api authenticates with
    # bearer tokens, which a browser never sends on its own, so it stays exempt.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's lifetime
    app.config.setdefault("WTF_CSRF_SSL_STRICT", app.config.get("SESSION_COOKIE_SECURE", False))
    csrf.init_app(app)

    i18n.compile_all()
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    app.jinja_env.globals.update(word=labels.word, choices=labels.choices,
                                 field_value_text=labels.field_value_text,
                                 categories_text=labels.categories_text,
                                 shown_categories=labels.shown_categories,
                                 resident_pairings=pairings.resident_pairings,
                                 person_pairings=pairings.person_pairings,
                                 pairing_candidates=pairings.pairing_candidates,
                                 current_locale=i18n.current_locale, HTML_LANG=i18n.HTML_LANG,
                                 protocol=p, field_label=roster.field_label,
                                 stale_check=is_stale,
                                 audit_source=audit_text.source_word,
                                 audit_fields=audit_text.field_names,
                                 audit_changes=audit_text.field_changes,
                                 audit_summary=audit_text.summary,
                                 colon=typography.colon,
                                 list_separator=typography.list_separator,
                                 request_word=request_word,
                                 provisional_deadline=is_provisional)
    app.jinja_env.filters["local"] = _format_local
    app.jinja_env.filters["parse_instant"] = _parse_instant
    app.jinja_env.filters["local_date"] = lambda m: to_local(m).strftime("%Y-%m-%d") if m else "—"

    @app.context_processor
    def web_context():
        if request.blueprint != "web":
            return {}
        from .access import current_person, current_scope
        me = current_person()
        return {"me": me, "locale": i18n.current_locale(), "lang_url": _lang_url,
                "areas": current_scope().areas if me else {},
                "today_year": local_today().year}

    app.register_blueprint(bp)
    app.before_request(_refuse_unstorable_form_text)


def _refuse_unstorable_form_text():
    """A form field holding NUL (``%00``) would reach PostgreSQL, which refuses it with a 500:
    refuse it here, naming the field, before any view reads it."""
    if request.blueprint != "web" or request.method != "POST":
        return None
    from shared.schemas import text_problem

    from ..errors import ApiError
    for name, value in request.form.items(multi=True):
        if text_problem(name) or text_problem(value):
            raise ApiError(422, p.ERR_INVALID_BODY, i18n.gettext(
                "The field %(field)s holds a character that cannot be saved. Remove it and try "
                "again.", field=text_problem(name) and "?" or name))
    return None


def _format_local(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(moment).strftime(fmt) if moment else "—"


def _lang_url(lang: str) -> str:
    args = request.args.to_dict()
    args["lang"] = lang
    from urllib.parse import urlencode
    return f"{request.path}?{urlencode(args)}"


def _parse_instant(text: str | None):
    from datetime import datetime
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
