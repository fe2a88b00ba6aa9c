"""Signing in to and out of the web view."""
from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from shared.requests import DEPARTMENT

from ...audit import audit
from ...auth import authenticate
from ...db import db
from ...errors import ApiError
from ...models import Person
from ..access import WEB_ROLES, current_person
from ..i18n import gettext as _
from .blueprint import bp, safe_next


@bp.route("/login", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        if current_person() is not None:
            return redirect(url_for("web.dashboard"))
        return render_template("web/login.html", next=request.args.get("next", ""))
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    next_url = request.form.get("next", "")
    try:
        person_id = authenticate(db.engine, username, password, request.remote_addr) \
            if username and password else None
    except ApiError as error:
        if error.status != 429:
            raise
        return render_template("web/login.html", next=next_url, username=username,
                               error=_("Too many failed sign-ins; wait a few minutes and try "
                                       "again.")), 429, error.headers
    person = db.session.get(Person, person_id) if person_id else None
    if person is None:
        return render_template("web/login.html", next=next_url, username=username,
                               error=_("Wrong username or password.")), 401
    if person.role not in WEB_ROLES + (DEPARTMENT,):
        return render_template("web/login.html", next=next_url, username=username,
                               error=_("Only supervisors and administrators use the web view; "
                                       "field workers use the tablet app.")), 403
    session.clear()  # a fresh session on every sign-in: no fixation
    session["person_id"] = person.id
    audit(db.session, "web_sign_in", person_id=person.id)
    if person.role == DEPARTMENT:  # department staff see only their inbox
        return redirect(url_for("web.inbox"))
    return redirect(safe_next(next_url))


@bp.post("/logout")
def sign_out():
    person = current_person()
    if person is not None:
        audit(db.session, "web_sign_out", person_id=person.id)
    session.clear()
    return redirect(url_for("web.sign_in"))
