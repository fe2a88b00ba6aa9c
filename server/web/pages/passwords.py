"""Resetting a forgotten password: supervisors for the people they manage, admins for anyone
(server.passwords; the command line has ``knockdoor reset-password`` for administrators)."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for

from ...db import db
from ...passwords import MIN_PASSWORD_CHARS, reset_password, too_short
from ..access import current_person, current_scope, forbidden, not_found, sign_in_required
from ..i18n import gettext as _
from ..queries.people import person_in_scope
from .blueprint import bp
from .people import may_manage


@bp.post("/people/<int:person_id>/password")
@sign_in_required
def reset_person_password(person_id: int):
    target = person_in_scope(db.session, current_scope(), person_id)
    if target is None:
        raise not_found()
    if not may_manage(target) or not target.active or target.id == current_person().id:
        raise forbidden()
    password = request.form.get("password") or ""
    if too_short(password):
        flash(_("Password: at least %(count)s characters.", count=MIN_PASSWORD_CHARS), "error")
        return redirect(url_for("web.person", person_id=target.id)), 303
    reset_password(db.session, target, password, current_app.config["PASSWORD_HASH_METHOD"],
                   by_person_id=current_person().id, via="web")
    flash(_("New password set for %(name)s: tell them in person. They are signed out of the web "
            "view; their tablets keep working.", name=target.display_name), "ok")
    return redirect(url_for("web.person", person_id=target.id))
