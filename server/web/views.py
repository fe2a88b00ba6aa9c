"""The supervisor pages. Each view checks scope, asks :mod:`.queries`, renders a template.

The request owns the transaction (server.db): nothing here commits. Every change to a resident
or a conflict goes through server.sync.edits so that it reaches the tablets at their next pull.
"""
from __future__ import annotations

import unicodedata
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (Blueprint, Response, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask_wtf.csrf import CSRFError, CSRFProtect

from shared import protocol as p
from shared.clock import utcnow
from shared.requests import DEPARTMENT

from ..audit import FROM_CONFLICT, FROM_IMPORT, FROM_WEB, audit, audit_row, audit_rows, \
    change_detail
from ..auth import authenticate, hash_password
from ..db import db
from ..errors import ApiError
from ..models import Assignment, Person
from ..sync.edits import (SETTLE_CHOICES, AlreadySettled, create_residents, edit_resident,
                          lock_resident, settle_conflict)
from ..sync.moves import VIA_IMPORT, VIA_WEB, move_resident
from . import confirmations, exports, privacy, queries, roster
from .access import (SUPERVISOR_GRANTABLE_ROLES, WEB_ROLES, current_person, current_scope,
                     forbidden, not_found, sign_in_required)
from .charts import bar_chart
from .forms import (changed_fields, error_lines, parse_date, raw_field_value, required_text,
                    validate_resident_fields)
from .i18n import LANG_COOKIE, normalise_locale
from .i18n import gettext as _
from .labels import field_value_text
from .sessions import end_sessions_of
from .timeutil import local_today

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
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
        return render_template("web/login.html", next=_safe_next(request.form.get("next")),
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

EDITABLE_FIELDS = p.RESIDENT_FIELDS
#: Rows the dashboard's lists show; the full lists are one click away.
LISTED = 10


def _safe_next(target: str | None) -> str:
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


# ---- sign in and out ------------------------------------------------------------------------

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
    return redirect(_safe_next(next_url))


@bp.post("/logout")
def sign_out():
    person = current_person()
    if person is not None:
        audit(db.session, "web_sign_out", person_id=person.id)
    session.clear()
    return redirect(url_for("web.sign_in"))


# ---- dashboard and lists --------------------------------------------------------------------

@bp.get("/")
@sign_in_required
def dashboard():
    scope, s = current_scope(), db.session
    grid_ids = queries.grid_filter(scope)
    rows = queries.resident_rows(s, grid_ids, brief=True)
    roots, levels = queries.dashboard_roots(scope)
    coverage = queries.coverage_table(scope, rows, roots, levels)
    follow_ups = queries.filter_residents(rows, "follow_up")
    overdue = queries.filter_residents(rows, "overdue")
    queries.fill_names(s, follow_ups[:LISTED] + overdue[:LISTED])
    flags = queries.health_flags(s, grid_ids)
    open_conflicts = queries.count_open_conflicts(s, scope)
    stale = queries.stale_devices(s, scope)
    chart = bar_chart(queries.visits_per_day(s, grid_ids))
    return render_template("web/dashboard.html", coverage=coverage, totals=queries.summarise(rows),
                           follow_ups=follow_ups, overdue=overdue, flags=flags,
                           open_conflicts=open_conflicts, stale=stale, chart=chart,
                           health_days=queries.HEALTH_WINDOW_DAYS,
                           stale_days=queries.STALE_DEVICE_DAYS, listed=LISTED)


@bp.get("/areas/<int:area_id>")
@sign_in_required
def area(area_id: int):
    scope = current_scope()
    if area_id not in scope.areas or not scope.allows_area(area_id):
        raise not_found()
    target = scope.areas[area_id]
    if target.level == p.GRID:
        return redirect(url_for("web.grid", grid_id=area_id))
    rows = queries.resident_rows(db.session, scope.grids_below(area_id))
    coverage = queries.coverage_table(scope, rows, [area_id], 1)
    return render_template("web/area.html", target=target, coverage=coverage,
                           path=scope.area_path(area_id))


def _resident_list_args(default_show: str):
    show = request.args.get("show", default_show)
    if show not in queries.RESIDENT_LISTS:
        show = default_show
    return show, (request.args.get("q") or "").strip()


@bp.get("/residents")
@sign_in_required
def residents():
    scope, s = current_scope(), db.session
    area_id = request.args.get("area", type=int)
    if area_id is not None and (area_id not in scope.areas or not scope.allows_area(area_id)):
        raise not_found()
    show, query = _resident_list_args("active")
    grid_ids = queries.grid_filter(scope, area_id)
    rows = queries.resident_rows(s, grid_ids)
    flagged = {f.resident_id for f in queries.health_flags(s, grid_ids)} if show == "health" \
        else None
    chosen = queries.filter_residents(rows, show, query, flagged)
    return render_template("web/residents.html", rows=chosen[:1000], total=len(chosen),
                           show=show, q=query, area_id=area_id,
                           area=scope.areas.get(area_id) if area_id else None,
                           area_choices=queries.areas_for_choice(scope))


@bp.get("/grids/<int:grid_id>")
@sign_in_required
def grid(grid_id: int):
    scope, s = current_scope(), db.session
    if not scope.allows_grid(grid_id):
        raise not_found()
    show, query = _resident_list_args("all")
    rows = queries.resident_rows(s, {grid_id})
    flagged = {f.resident_id for f in queries.health_flags(s, {grid_id})}
    chosen = queries.filter_residents(rows, show, query, flagged)
    chosen.sort(key=lambda r: (r.match, r.due.sort_key))
    return render_template("web/grid.html", target=scope.areas[grid_id],
                           path=scope.area_path(grid_id), rows=chosen,
                           counts=queries.summarise(rows), flagged=flagged, show=show, q=query,
                           people=queries.grid_assignments(s, grid_id))


@bp.get("/visits")
@sign_in_required
def visits():
    scope = current_scope()
    day = parse_date(request.args.get("day"), local_today())
    if day is None:
        raise ApiError(400, p.ERR_INVALID_BODY, _("day: Not a valid date."))
    area_id = request.args.get("area", type=int)
    if area_id is not None and not scope.allows_area(area_id):
        raise not_found()
    rows = queries.visits_on_day(db.session, queries.grid_filter(scope, area_id), day)
    return render_template("web/visits.html", day=day, rows=rows, area_id=area_id,
                           one_day=timedelta(days=1))


@bp.get("/health")
@sign_in_required
def health():
    scope = current_scope()
    flags = queries.health_flags(db.session, queries.grid_filter(scope))
    return render_template("web/health.html", flags=flags, days=queries.HEALTH_WINDOW_DAYS,
                           systolic=queries.SYSTOLIC_FLAG, diastolic=queries.DIASTOLIC_FLAG)


# ---- one resident ---------------------------------------------------------------------------

def _resident_or_404(resident_id: str, lock: bool = False):
    """``lock``: to change it: locked before it is read (see server.sync.locks)."""
    resident = queries.resident_in_scope(db.session, current_scope(), resident_id, for_update=lock)
    if resident is None:
        raise not_found()
    return resident


def _render_resident(resident, status: int = 200, errors: dict | None = None,
                     form_values: dict | None = None):
    s, scope = db.session, current_scope()
    rows = queries.resident_rows(s, {resident.grid_id})
    row = next(r for r in rows if r.id == resident.id)
    values = {name: getattr(resident, name) for name in EDITABLE_FIELDS}
    values.update(form_values or {})
    return render_template(
        "web/resident.html", resident=resident, row=row, values=values, errors=errors or {},
        error_list=error_lines(errors or {}), path=scope.area_path(resident.grid_id),
        grid=scope.areas[resident.grid_id], visits=queries.resident_visits(s, resident.id),
        notes=queries.resident_notes(s, resident.id),
        conflicts=queries.resident_conflicts(s, resident.id), fields=EDITABLE_FIELDS,
        moves=queries.resident_moves(s, resident.id),
        history=queries.resident_audit(s, resident.id)), status


@bp.get("/residents/<resident_id>")
@sign_in_required
def resident(resident_id: str):
    found = _resident_or_404(resident_id)
    audit(db.session, "view_resident", person_id=current_person().id, entity=p.RESIDENT,
          entity_id=found.id, grid_id=found.grid_id)
    return _render_resident(found)


@bp.post("/residents/<resident_id>")
@sign_in_required
def edit_resident_view(resident_id: str):
    found = _resident_or_404(resident_id, lock=True)
    person = current_person()
    raw = {name: raw_field_value(request.form, name) for name in EDITABLE_FIELDS}
    clean, errors = validate_resident_fields(raw)
    if errors:
        return _render_resident(found, 422, errors, raw)
    changes = changed_fields(found, clean)
    seen_version = request.form.get("version", type=int)
    if changes and seen_version != found.version:
        # Someone (a tablet, another supervisor) changed the record since the form was loaded:
        # saving now would overwrite what this supervisor never saw.
        return _render_resident(found, 409, {"version": _(
            "This record changed while you were editing; check the new values and save "
            "again.")})
    if changes:
        before = {name: getattr(found, name) for name in changes}
        edit_resident(db.session, person, found, changes)
        audit(db.session, "edit_resident", person_id=person.id, entity=p.RESIDENT,
              entity_id=found.id, grid_id=found.grid_id,
              detail=change_detail(FROM_WEB, before, changes))
        flash(_("Saved. The grid's tablets receive the change at their next sync."), "ok")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("web.resident", resident_id=found.id))


def _render_move(resident, status: int = 200, errors: list[str] | None = None,
                 to_grid: int | None = None, reason: str = ""):
    scope = current_scope()
    choices = [grid for grid in queries.grids_for_choice(scope) if grid.id != resident.grid_id]
    return render_template("web/move.html", resident=resident, grid=scope.areas[resident.grid_id],
                           path=scope.area_path(resident.grid_id), choices=choices,
                           errors=errors or [], to_grid=to_grid, reason=reason,
                           history=queries.resident_history_counts(db.session, resident.id),
                           paths={grid.id: scope.area_path(grid.id) for grid in choices}), status


@bp.get("/residents/<resident_id>/move")
@sign_in_required
def move_resident_form(resident_id: str):
    found = _resident_or_404(resident_id)
    return _render_move(found, to_grid=request.args.get("to", type=int))


@bp.post("/residents/<resident_id>/move")
@sign_in_required
def move_resident_view(resident_id: str):
    s, scope, person = db.session, current_scope(), current_person()
    found = _resident_or_404(resident_id, lock=True)
    to_grid = request.form.get("to_grid", type=int)
    reason = (request.form.get("reason") or "").strip()
    errors = []
    moved_meanwhile = request.form.get("from_grid", type=int) != found.grid_id
    if moved_meanwhile:
        errors.append(_("This resident was moved by someone else meanwhile; check the grid "
                        "below and try again."))
    if to_grid is None or to_grid == found.grid_id or not scope.allows_grid(to_grid):
        errors.append(_("New grid: choose one of your other grids."))
    if not reason:
        errors.append(_("Reason: Missing data for required field."))
    elif len(reason) > 500:
        errors.append(_("Reason: at most 500 characters."))
    elif any(ord(char) < 32 and char not in "\r\n\t" for char in reason) or \
            any(0xD800 <= ord(char) <= 0xDFFF for char in reason):
        errors.append(_("Reason: contains characters that cannot be stored."))
    if errors:
        return _render_move(found, 409 if moved_meanwhile else 422, errors, to_grid, reason)
    from_grid = found.grid_id
    move = move_resident(s, person, found, to_grid, via=VIA_WEB, reason=reason)
    audit(s, "move_resident", person_id=person.id, entity=p.RESIDENT, entity_id=found.id,
          grid_id=from_grid, detail={"from_grid": from_grid, "to_grid": to_grid,
                                     "move": move.id})
    flash(_("Moved to %(grid)s with every visit and case note. The old grid's tablets let "
            "this resident go and the new grid's tablets receive them at their next update.",
            grid=scope.areas[to_grid].name), "ok")
    return redirect(url_for("web.resident", resident_id=found.id))


# ---- conflicts ------------------------------------------------------------------------------

@bp.get("/conflicts")
@sign_in_required
def conflicts():
    scope = current_scope()
    status = request.args.get("status", "open")
    if status not in ("open", "settled", "all"):
        status = "open"
    return render_template("web/conflicts.html", rows=queries.conflicts(db.session, scope, status),
                           status=status, rejected=queries.rejected_ops(db.session, scope)
                           if status == "open" else [])


@bp.post("/conflicts/<conflict_id>/settle")
@sign_in_required
def settle(conflict_id: str):
    scope, person, s = current_scope(), current_person(), db.session
    conflict = queries.conflict_in_scope(s, scope, conflict_id)
    if conflict is None:
        raise not_found()
    back = request.form.get("back") or url_for("web.conflicts")
    if conflict.status != "open":
        return _already_settled(conflict, back)
    choice = request.form.get("choice")
    if choice not in SETTLE_CHOICES:
        raise ApiError(400, p.ERR_INVALID_BODY, _("choice: Not an allowed value."))
    corrected = None
    if choice == "corrected":
        clean, errors = validate_resident_fields(
            {conflict.field: raw_field_value(request.form, conflict.field, "value_")})
        if errors:
            flash("; ".join(error_lines(errors)), "error")
            return redirect(_safe_next(back)), 303
        corrected = clean[conflict.field]
    # The value before, read under the resident's lock (taken first, as settle_conflict does).
    before = getattr(lock_resident(s, conflict.resident_id), conflict.field)
    try:
        settled = settle_conflict(s, person, conflict.id, choice, corrected)
    except AlreadySettled as error:  # another supervisor settled it while this page was open
        return _already_settled(error.conflict, back)
    audit(s, "settle_conflict", person_id=person.id, entity=p.RESIDENT,
          entity_id=conflict.resident_id, grid_id=conflict.grid_id,
          detail=change_detail(FROM_CONFLICT, {conflict.field: before},
                               {conflict.field: settled[0].settled_value},
                               conflict=conflict.id, choice=choice,
                               also_settled=[other.id for other in settled[1:]]))
    flash(_("Conflict settled. The grid's tablets receive the value at their next sync."), "ok")
    if len(settled) > 1:
        flash(_("Other open conflicts of the same field were settled with it: %(count)s.",
                count=len(settled) - 1), "info")
    return redirect(_safe_next(back))


def _already_settled(conflict, back: str):
    settler = db.session.get(Person, conflict.settled_by_id) if conflict.settled_by_id else None
    flash(_("%(person)s already settled this conflict with “%(value)s”; nothing was changed.",
            person=settler.display_name if settler else "—",
            value=field_value_text(conflict.field, conflict.settled_value)), "info")
    return redirect(_safe_next(back))


# ---- people, assignments, tablets -----------------------------------------------------------

def _grantable_roles() -> tuple[str, ...]:
    return p.ROLES if current_person().role == p.ADMIN else SUPERVISOR_GRANTABLE_ROLES


def _assignable_areas():
    """Admins assign anyone to any area; supervisors assign field people to their grids."""
    scope = current_scope()
    if scope.is_admin:
        return queries.areas_for_choice(scope)
    return queries.grids_for_choice(scope)


@bp.get("/people")
@sign_in_required
def people():
    scope = current_scope()
    return render_template("web/people.html", people=queries.people_in_scope(db.session, scope),
                           roles=_grantable_roles(), area_choices=_assignable_areas(),
                           today=local_today(), form={}, errors=[])


@bp.post("/people")
@sign_in_required
def add_person():
    s, person = db.session, current_person()
    form, errors = request.form, []
    username = required_text(form, "username", _("Username"), errors)
    display_name = required_text(form, "display_name", _("Name"), errors)
    password = form.get("password") or ""
    role = form.get("role")
    area_id = form.get("area_id", type=int)
    if len(password) < 8:
        errors.append(_("Password: at least 8 characters."))
    if role not in _grantable_roles():
        errors.append(_("Role: Not an allowed value."))
    allowed_areas = {a.id for a in _assignable_areas()}
    if area_id is None and person.role != p.ADMIN:
        errors.append(_("Area: Missing data for required field."))
    elif area_id is not None and area_id not in allowed_areas:
        errors.append(_("Area: Not an allowed value."))
    if username and queries.username_taken(s, username):
        errors.append(_("Username: already taken."))
    if errors:
        return render_template("web/people.html",
                               people=queries.people_in_scope(s, current_scope()),
                               roles=_grantable_roles(), area_choices=_assignable_areas(),
                               today=local_today(), form=form, errors=errors), 422
    new = Person(username=username, display_name=display_name, role=role,
                 phone=(form.get("phone") or "").strip() or None,
                 password_hash=hash_password(password), active=True)
    s.add(new)
    s.flush()
    audit(s, "add_person", person_id=person.id, entity="person", entity_id=str(new.id),
          detail={"role": role})
    if area_id is not None:
        _assign(new, area_id, role, local_today(), None)
    flash(_("Added %(name)s.", name=display_name), "ok")
    return redirect(url_for("web.person", person_id=new.id))


def _person_or_404(person_id: int) -> Person:
    found = queries.person_in_scope(db.session, current_scope(), person_id)
    if found is None:
        raise not_found()
    return found


def _may_manage(target: Person) -> bool:
    """Supervisors manage field people; only an admin manages supervisors and admins."""
    return current_person().role == p.ADMIN or target.role in SUPERVISOR_GRANTABLE_ROLES


@bp.get("/people/<int:person_id>")
@sign_in_required
def person(person_id: int):
    s, scope = db.session, current_scope()
    target = _person_or_404(person_id)
    assignments = queries.assignments_of(s, target.id)
    return render_template("web/person.html", target=target, assignments=assignments,
                           devices=queries.devices_in_scope(s, scope, target.id),
                           area_choices=_assignable_areas(), may_manage=_may_manage(target),
                           today=local_today(), scope=scope,
                           visible_areas=scope.visible_area_ids() | set(
                               scope.areas if scope.is_admin else ()))


def _confirm(title: str, facts: list[str], button: str, cancel: str):
    """The confirmation page of a destructive action: what will happen, and a reason to give.
    GET shows it; a POST without a good reason shows it again (422) and changes nothing.
    Returns the response to send, or None with the reason when the action may go ahead."""
    reason = (request.form.get("reason") or "").strip()
    error = confirmations.reason_error(reason) if request.method == "POST" else None
    if request.method == "POST" and error is None:
        return None, reason
    page = render_template("web/confirm.html", title=title, facts=facts, button=button,
                           action=request.path, back=request.values.get("back") or "",
                           cancel=cancel, reason=reason, error=error,
                           max_reason=confirmations.MAX_REASON_CHARS)
    return (page, 422 if error else 200), reason


@bp.route("/people/<int:person_id>/deactivate", methods=["GET", "POST"])
@sign_in_required
def deactivate_person(person_id: int):
    target = _person_or_404(person_id)
    if not _may_manage(target) or target.id == current_person().id:
        raise forbidden()
    if not target.active:
        return redirect(url_for("web.person", person_id=target.id))
    devices = [device for device, _owner in queries.devices_in_scope(
        db.session, current_scope(), target.id)]
    page, reason = _confirm(
        _("Deactivate the account of %(name)s", name=target.display_name),
        confirmations.deactivate_facts(db.session, target.display_name, devices),
        _("Deactivate the account (their tablets are wiped)"),
        url_for("web.person", person_id=target.id))
    if page is not None:
        return page
    target.active = False
    end_sessions_of(db.session, target.id)
    audit(db.session, "deactivate_person", person_id=current_person().id, entity="person",
          entity_id=str(target.id), detail={"reason": reason})
    flash(_("%(name)s can no longer sign in; their tablets are refused at next contact.",
            name=target.display_name), "ok")
    return redirect(url_for("web.person", person_id=target.id))


def _assign(target: Person, area_id: int, role: str, starts_on, ends_on) -> Assignment:
    assignment = Assignment(person_id=target.id, area_id=area_id, role=role,
                            starts_on=starts_on, ends_on=ends_on)
    db.session.add(assignment)
    db.session.flush()
    audit(db.session, "assign", person_id=current_person().id, entity="person",
          entity_id=str(target.id), grid_id=area_id if current_scope().areas[area_id].level ==
          p.GRID else None, detail={"area": area_id, "role": role,
                                    "starts_on": starts_on.isoformat(),
                                    "ends_on": ends_on.isoformat() if ends_on else None})
    return assignment


@bp.post("/people/<int:person_id>/assignments")
@sign_in_required
def add_assignment(person_id: int):
    target = _person_or_404(person_id)
    if not _may_manage(target):
        raise forbidden()
    form = request.form
    area_id = form.get("area_id", type=int)
    role = form.get("role") or target.role
    starts_on = parse_date(form.get("starts_on"), local_today())
    ends_on = parse_date(form.get("ends_on"))
    errors = []
    if area_id not in {a.id for a in _assignable_areas()}:
        errors.append(_("Area: Not an allowed value."))
    if role not in _grantable_roles():
        errors.append(_("Role: Not an allowed value."))
    if starts_on is None or (form.get("ends_on") and ends_on is None):
        errors.append(_("Dates: Not a valid date."))
    elif ends_on is not None and ends_on < starts_on:
        errors.append(_("Dates: the end comes before the start."))
    if errors:
        flash("; ".join(errors), "error")
        return redirect(url_for("web.person", person_id=target.id)), 303
    _assign(target, area_id, role, starts_on, ends_on)
    flash(_("Assigned. Their tablets receive the grid's data at their next sync."), "ok")
    return redirect(url_for("web.person", person_id=target.id))


@bp.route("/assignments/<int:assignment_id>/end", methods=["GET", "POST"])
@sign_in_required
def end_assignment(assignment_id: int):
    s, scope = db.session, current_scope()
    assignment = s.get(Assignment, assignment_id)
    if assignment is None or not scope.manages_area(assignment.area_id):
        raise not_found()
    target = _person_or_404(assignment.person_id)
    if not _may_manage(target):
        raise forbidden()
    area_name = scope.areas[assignment.area_id].name
    devices = [device for device, _owner in queries.devices_in_scope(s, scope, target.id)]
    page, reason = _confirm(
        _("End the assignment of %(name)s in %(area)s", name=target.display_name,
          area=area_name),
        confirmations.end_assignment_facts(target.display_name, area_name, devices),
        _("End the assignment (the area leaves their tablets)"),
        url_for("web.person", person_id=target.id))
    if page is not None:
        return page
    today = local_today()
    # Ended yesterday, so it is no longer current today: the tablets evict the grid next sync.
    assignment.ends_on = max(assignment.starts_on, today - timedelta(days=1))
    audit(s, "end_assignment", person_id=current_person().id, entity="person",
          entity_id=str(target.id), grid_id=assignment.area_id
          if scope.areas[assignment.area_id].level == p.GRID else None,
          detail={"assignment": assignment.id, "ends_on": assignment.ends_on.isoformat(),
                  "reason": reason})
    flash(_("Assignment ended. The grid's data leaves their tablets at the next sync."), "ok")
    if queries.person_in_scope(s, scope, target.id) is None:
        return redirect(url_for("web.people"))  # no longer placed in this supervisor's area
    return redirect(url_for("web.person", person_id=target.id))


@bp.get("/tablets")
@sign_in_required
def tablets():
    s, scope = db.session, current_scope()
    show = request.args.get("show", "all")
    rows = queries.devices_in_scope(s, scope)
    now = utcnow()
    if show == "stale":
        rows = [(d, person) for d, person in rows if queries.is_stale(d, now)]
    return render_template("web/tablets.html", devices=rows, show=show)


@bp.route("/tablets/<device_id>/revoke", methods=["GET", "POST"])
@sign_in_required
def revoke_tablet(device_id: str):
    s, scope = db.session, current_scope()
    device = queries.device_in_scope(s, scope, device_id)
    if device is None:
        raise not_found()
    if not _may_manage(device.person) and device.person_id != current_person().id:
        raise forbidden()
    back = request.values.get("back")
    done = _safe_next(back) if back else url_for("web.tablets")
    if device.revoked_at is not None:
        return redirect(done)
    page, reason = _confirm(
        _("Revoke the tablet %(tablet)s of %(name)s", tablet=device.name,
          name=device.person.display_name),
        confirmations.revoke_facts(s, device),
        _("Revoke the tablet (records not yet uploaded are lost)"), done)
    if page is not None:
        return page
    device.revoked_at = utcnow()
    audit(s, "revoke_device", person_id=current_person().id, device_id=device.id,
          entity="device", entity_id=device.id,
          detail={"reason": reason, "last_upload": device.last_push_at.isoformat()
                  if device.last_push_at else None})
    flash(_("Tablet revoked: it is refused and wipes its data at its next contact."), "ok")
    return redirect(done)


# ---- roster import --------------------------------------------------------------------------

@bp.get("/import")
@sign_in_required
def import_form():
    return render_template("web/import.html", grids=queries.grids_for_choice(current_scope()),
                           check=None, columns=roster.COLUMNS)


@bp.post("/import")
@sign_in_required
def import_roster():
    s, scope, person = db.session, current_scope(), current_person()
    secret = current_app.config["SECRET_KEY"]
    default_grid = request.form.get("default_grid", type=int)
    mode = request.form.get("mode", "preview")
    try:
        if "file" in request.files and request.files["file"].filename:
            upload = request.files["file"]
            filename, content = upload.filename, upload.read()
        elif request.form.get("upload"):
            filename, content = roster.unpack_upload(secret, request.form["upload"])
        else:
            raise ValueError(_("Choose a CSV or .xlsx file."))
    except ValueError as error:
        flash(str(error), "error")
        return render_template("web/import.html", grids=queries.grids_for_choice(scope),
                               check=None, columns=roster.COLUMNS), 400
    check = roster.check_roster(s, scope, filename, content, default_grid)
    status = 200 if check.all_valid else 422
    if mode in ("all", "valid_only"):
        chosen = check.rows if mode == "all" else check.valid_rows
        if mode == "all" and not check.all_valid or check.file_errors or not chosen:
            flash(_("Nothing was imported: fix the rows below, or import only the valid rows."),
                  "error")
        else:
            added = [row for row in chosen if not row.is_move]
            if added:
                ids = [str(uuid.uuid4()) for _row in added]
                create_residents(s, person, [(row.grid_id, row.fields) for row in added], ids)
                # One row per resident added, so each resident's history starts with its import.
                audit_rows(s, [audit_row(
                    "add_resident", person_id=person.id, entity=p.RESIDENT,
                    entity_id=resident_id, grid_id=row.grid_id,
                    detail={"source": FROM_IMPORT, "fields": sorted(row.fields)})
                    for resident_id, row in zip(ids, added)])
            per_grid: dict[int, int] = {}
            for row in added:
                per_grid[row.grid_id] = per_grid.get(row.grid_id, 0) + 1
            for grid_id, count in sorted(per_grid.items()):
                audit(s, "import_roster", person_id=person.id, grid_id=grid_id,
                      detail={"rows": count, "skipped": len(check.bad_rows)})
            moved = _import_moves(scope, person, [row for row in chosen if row.is_move],
                                  filename)
            if added or not moved:
                flash(_("Imported %(count)s residents. The grids' tablets receive them at "
                        "their next sync.", count=len(added)), "ok")
            if moved:
                flash(_("Moved %(count)s residents to the grid their row names, with their "
                        "whole history.", count=moved), "ok")
            return redirect(url_for("web.import_form"))
    return render_template("web/import.html", grids=queries.grids_for_choice(scope), check=check,
                           upload=roster.pack_upload(secret, filename, content),
                           default_grid=default_grid, columns=roster.COLUMNS), status


def _import_moves(scope, person, rows, filename: str) -> int:
    """Move the residents that roster rows place in another grid (locked in id order, and
    checked again under the lock: someone may have moved them since the preview)."""
    s, count = db.session, 0
    filename = "".join(char for char in filename if char.isprintable())[:100]  # into a reason
    for row in sorted(rows, key=lambda r: r.resident_id):
        resident = lock_resident(s, row.resident_id)
        if resident.grid_id == row.grid_id or not scope.allows_grid(resident.grid_id):
            continue
        from_grid = resident.grid_id
        move = move_resident(s, person, resident, row.grid_id, via=VIA_IMPORT,
                             reason=_("Roster import: %(file)s, line %(line)s",
                                      file=filename, line=row.line))
        audit(s, "move_resident", person_id=person.id, entity=p.RESIDENT, entity_id=resident.id,
              grid_id=from_grid, detail={"from_grid": from_grid, "to_grid": row.grid_id,
                                         "move": move.id, "via": VIA_IMPORT})
        count += 1
    return count


# ---- exports --------------------------------------------------------------------------------

@bp.get("/export")
@sign_in_required
def export_form():
    today = local_today()
    return render_template("web/export.html", area_choices=queries.areas_for_choice(current_scope()),
                           first=today - timedelta(days=29), last=today,
                           contacts_in_bulk=privacy.sees_contacts_in_bulk(current_scope()))


@bp.get("/export/download")
@sign_in_required
def export_download():
    s, scope, person = db.session, current_scope(), current_person()
    kind = request.args.get("kind")
    fmt = request.args.get("format")
    area_id = request.args.get("area", type=int)
    if kind not in ("visits", "residents") or fmt not in ("csv", "xlsx"):
        raise ApiError(400, p.ERR_INVALID_BODY, _("kind or format: Not an allowed value."))
    if area_id is not None and (area_id not in scope.areas or not scope.allows_area(area_id)):
        raise not_found()
    today = local_today()
    first = parse_date(request.args.get("from"), today - timedelta(days=29))
    last = parse_date(request.args.get("to"), today)
    if first is None or last is None or last < first:
        raise ApiError(400, p.ERR_INVALID_BODY, _("Dates: Not a valid date."))
    grid_ids = queries.grid_filter(scope, area_id)
    if kind == "residents":
        headers, table = exports.resident_table(queries.export_residents(s, grid_ids))
        table = privacy.redact_residents(scope, table)
    else:
        headers, table = exports.visit_table(queries.export_visits(s, grid_ids, first, last))
        table = privacy.redact_visits(scope, table)
    audit(s, "export", person_id=person.id,
          detail={"kind": kind, "format": fmt, "area": area_id, "rows": len(table),
                  "contacts": privacy.sees_contacts_in_bulk(scope),
                  "from": first.isoformat(), "to": last.isoformat()})
    name = f"knockdoor-{kind}-{first.isoformat()}-{last.isoformat()}" if kind == "visits" \
        else f"knockdoor-{kind}-{today.isoformat()}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(headers, table), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(headers, table, kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        "Cache-Control": "no-store"})


# ---- audit log ------------------------------------------------------------------------------

@bp.get("/audit")
@sign_in_required
def audit_log():
    s, scope = db.session, current_scope()
    resident_id = request.args.get("resident") or None
    person_id = request.args.get("person", type=int)
    action = request.args.get("action") or None
    first = parse_date(request.args.get("from"))
    last = parse_date(request.args.get("to"))
    if (request.args.get("from") and first is None) or (request.args.get("to") and last is None):
        raise ApiError(400, p.ERR_INVALID_BODY, _("Dates: Not a valid date."))
    if resident_id and queries.resident_in_scope(s, scope, resident_id) is None:
        raise not_found()
    rows = queries.audit_entries(s, scope, resident_id=resident_id, person_id=person_id,
                                 action=action, first=first, last=last)
    return render_template("web/audit.html", rows=rows, actions=queries.audit_actions(s),
                           action=action, resident_id=resident_id, person_id=person_id,
                           people=queries.people_in_scope(s, scope), first=first, last=last,
                           resident=queries.resident_in_scope(s, scope, resident_id)
                           if resident_id else None)
