"""The three lists in the web view: the requests board, a request's page with its timeline
and the supervisor's moves (assign, hand over with a working-day deadline, note, verdict from a
call, withdraw), the three rates, and the departments' inbox.

Moves go through server.threelists.service, the same path as a tablet's ops, and each request
moved is logged for its grid's tablets. Department staff see only what is handed to their
department; supervisors only the grids in their scope (out of scope answers like missing).
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from functools import wraps

from flask import flash, redirect, render_template, request, session, url_for

from shared import protocol as p
from shared import requests as r
from shared.clock import utcnow
from shared.requests import Move

from ...audit import FROM_WEB, audit
from ...db import db
from ...errors import ApiError
from ...models import Person, Resident
from ...sync.batch import ChangeBatch
from ...threelists import board as queries
from ...threelists import rates, service, settings, workdays
from ...threelists.models import ServiceRequest
from ...threelists.service import Made, MoveRefused
from .. import exports
from ..access import chosen_area, current_person, current_scope, not_found, sign_in_required
from ..forms import parse_date
from ..i18n import gettext as _
from ..request_words import rate_text, request_word
from ..timeutil import local_midnight_utc, local_today
from .blueprint import bp
from .downloads import sheet_download

#: Moves a supervisor makes from a request's page.
SUPERVISOR_MOVES = (r.ASSIGN, r.HAND_OVER, r.NOTE, r.VERDICT, r.WITHDRAW, r.FINISH)
DEPARTMENT_MOVES = (r.ACCEPT, r.DEPT_PROGRESS, r.DEPT_DONE, r.CANNOT, r.NOTE)
MAX_WORKING_DAYS = 60


def _bad(message: str) -> ApiError:
    return ApiError(422, p.ERR_INVALID_BODY, message)


def _made() -> Made:
    now = utcnow()
    return Made(at=now, now=now, via=service.VIA_WEB)


def _log(requests) -> None:
    batch = ChangeBatch(db.session)
    service.relog(db.session, batch, requests)
    service.stamp_versions(requests, batch.flush())


def _refusal_message(refusal: r.Refusal) -> str:
    text = request_word("refusal", refusal.code)
    if refusal.code == r.ALREADY_CLAIMED:
        text += " " + _("Held by %(name)s.", name=refusal.params.get("owner_name") or "—")
    return text


# ---- the board ------------------------------------------------------------------------------

def _scoped_request(request_id: str) -> ServiceRequest:
    found = db.session.get(ServiceRequest, request_id)
    if found is None or not current_scope().allows_grid(found.grid_id):
        raise not_found()
    return found


@bp.get("/requests")
@sign_in_required
def requests_board():
    scope = current_scope()
    area_id = chosen_area(scope)
    grid_ids = scope.grids_below(area_id) if area_id else set(scope.grid_ids)
    raisable = sorted(((scope.areas[g].name, g) for g in grid_ids if g in scope.areas))
    if area_id is None and scope.is_admin:
        grid_ids = None  # the whole district: no list of every grid in the query
    group = request.args.get("state", "open")
    if group not in queries.STATE_GROUPS:
        group = "open"
    category = request.args.get("category") or None
    filters = queries.BoardFilters(
        grid_ids, queries.STATE_GROUPS[group],
        category if category in settings.categories() else None,
        request.args.get("department", type=int), request.args.get("owner", type=int),
        local_today() if request.args.get("overdue") else None,
        max(request.args.get("page", 1, type=int), 1))
    rows, total = queries.board(db.session, filters)
    return render_template("web/requests.html", rows=rows, total=total, filters=filters,
                           raisable=raisable,
                           group=group, area_id=area_id, groups=list(queries.STATE_GROUPS),
                           categories=settings.categories(),
                           departments=queries.departments(db.session), today=local_today(),
                           page_size=queries.PAGE, is_overdue=_overdue_on(local_today()))


def _overdue(item: ServiceRequest, today=None) -> bool:
    return r.is_overdue(service.state_of(item), today or local_today())


def _overdue_on(today):
    """``is_overdue`` for a page's rows: the district's day looked up once, not per row."""
    return lambda item: _overdue(item, today)


@bp.post("/requests")
@sign_in_required
def raise_request_view():
    scope, person = current_scope(), current_person()
    grid_id = request.form.get("grid_id", type=int)
    if not scope.allows_grid(grid_id):
        raise _bad(_("Choose a grid in your area."))
    category = request.form.get("category")
    if category not in settings.categories():
        raise _bad(_("Choose a category."))
    description = (request.form.get("description") or "").strip()
    if not description or len(description) > 2000:
        raise _bad(_("Describe the request (at most 2000 characters)."))
    resident_id = (request.form.get("resident_id") or "").strip() or None
    if resident_id:
        resident = db.session.get(Resident, resident_id)
        if resident is None or resident.grid_id != grid_id:
            raise not_found()
    urgency = request.form.get("urgency", "normal")
    if urgency not in r.URGENCIES:
        urgency = "normal"
    made = _made()
    actor = service.actor_for(db.session, person)
    created = service.raise_request(db.session, str(uuid.uuid4()), str(uuid.uuid4()), grid_id,
                                    actor, {"category": category, "description": description,
                                            "resident_id": resident_id, "urgency": urgency,
                                            "channel": request.form.get("channel") or "web"},
                                    made)
    _log([created])
    audit(db.session, "request_raise", person_id=person.id, entity=p.REQUEST,
          entity_id=created.id, grid_id=grid_id, detail={"source": FROM_WEB})
    return redirect(url_for("web.request_page", request_id=created.id))


@bp.get("/requests/<request_id>")
@sign_in_required
def request_page(request_id: str):
    item = _scoped_request(request_id)
    resident = db.session.get(Resident, item.resident_id) if item.resident_id else None
    actor = service.actor_for(db.session, current_person())
    legal = r.legal_actions(service.state_of(item), actor, SUPERVISOR_MOVES)
    return render_template("web/request.html", item=item, resident=resident,
                           events=queries.timeline(db.session, item.id), legal=legal,
                           departments=queries.departments(db.session),
                           representatives=queries.representatives(db.session, item.grid_id,
                                                                    local_today()),
                           overdue=_overdue(item), area_path=current_scope().area_path(
                               item.grid_id), max_days=MAX_WORKING_DAYS)


def _move_from_form(action: str, item: ServiceRequest) -> Move:
    form = request.form
    text = (form.get("text") or "").strip()[:4000] or None
    if action == r.ASSIGN:
        assignee = db.session.get(Person, form.get("assignee_id", type=int) or 0)
        if assignee is None or assignee not in queries.representatives(
                db.session, item.grid_id, local_today()):
            raise _bad(_("Choose a representative of this grid."))
        return Move(action, {"assignee_id": assignee.id, "assignee_name": assignee.display_name,
                             "text": text})
    if action == r.HAND_OVER:
        department_id = form.get("department_id", type=int)
        if department_id not in {d.id for d in queries.departments(db.session)}:
            raise _bad(_("Choose a department."))
        days = form.get("working_days", type=int)
        if days is None or not 1 <= days <= MAX_WORKING_DAYS:
            raise _bad(_("The deadline is 1 to %(days)s working days.", days=MAX_WORKING_DAYS))
        return Move(action, {"department_id": department_id, "working_days": days,
                             "due_on": workdays.calendar(db.session).due_after(local_today(), days), "text": text})
    if action == r.VERDICT:
        return Move(action, {"verdict": form.get("verdict"), "text": text})
    if action in (r.WITHDRAW, r.CANNOT):
        return Move(action, {"reason": text})
    return Move(action, {"text": text})


def _apply_move(item: ServiceRequest, actor, action: str, allowed) -> None:
    if action not in allowed:
        raise _bad(_("This step is not available here."))
    locked = service.lock(db.session, item.id)
    move = _move_from_form(action, locked)
    try:
        service.make_move(db.session, locked, str(uuid.uuid4()), actor, move, _made())
    except MoveRefused as refused:
        flash(_refusal_message(refused.refusal), "error")
        return
    _log([locked])
    audit(db.session, f"request_{action}", person_id=actor.person_id, entity=p.REQUEST,
          entity_id=locked.id, grid_id=locked.grid_id,
          detail={"source": FROM_WEB, "state": locked.state})
    flash(_("Saved. The tablets of the grid see it at their next update."), "ok")


@bp.post("/requests/<request_id>/move")
@sign_in_required
def request_move(request_id: str):
    item = _scoped_request(request_id)
    _apply_move(item, service.actor_for(db.session, current_person()),
                request.form.get("action", ""), SUPERVISOR_MOVES)
    return redirect(url_for("web.request_page", request_id=item.id))


# ---- the three rates ------------------------------------------------------------------------

@bp.get("/requests/rates")
@sign_in_required
def request_rates():
    scope, today = current_scope(), local_today()
    by = request.args.get("by", "grid")
    if by not in rates.GROUPINGS:
        by = "grid"
    first = parse_date(request.args.get("from"), today.replace(day=1))
    last = parse_date(request.args.get("to"), today)
    if first is None or last is None or last < first:
        raise _bad(_("Dates: Not a valid date."))
    from ...district import district_zone
    rows, total = rates.three_rates(db.session, _grids_or_all(scope), local_midnight_utc(first),
                                    local_midnight_utc(last + timedelta(days=1)), by, today,
                                    district_zone(), settings.response_hours())
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        return _rates_export(rows, total, by, first, last, fmt)
    return render_template("web/request_rates.html", rows=[_rate_cells(row.name, row.tally)
                                                           for row in rows],
                           total=_rate_cells(_("Total"), total), by=by,
                           first=first, last=last, groupings=rates.GROUPINGS,
                           hours=settings.response_hours())


def _rate_cells(name: str, tally) -> tuple:
    """A row of the rates table as the page and the exports show it (formatted here: 700
    grids' rows through Jinja's attribute and call machinery cost as much as the query)."""
    return (name, tally.raised, rate_text(tally.response),
            rate_text(tally.resolution), rate_text(tally.satisfaction), tally.verdicts)


def _grids_or_all(scope) -> set[int] | None:
    """The person's grids, or None for the admin's whole district (no list of every grid in
    the query: a district's 700 grid ids cost the database more than the counting)."""
    return None if scope.is_admin else set(scope.grid_ids)


#: The three rates' export: its columns in both languages (server.web.exports).
RATE_COLUMNS = (
    exports.Column("name", "名称", "Name", exports.TEXT, 20),
    exports.Column("raised", "提出需求", "Raised", exports.NUMBER, 10),
    exports.Column("response_rate", "响应率", "Response rate", exports.TEXT, 10),
    exports.Column("resolution_rate", "办结率", "Resolution rate", exports.TEXT, 10),
    exports.Column("satisfaction_rate", "满意率", "Satisfaction rate", exports.TEXT, 10),
    exports.Column("verdicts", "评价数", "Verdicts", exports.NUMBER, 10),
)


def _rates_export(rows, total, by, first, last, fmt):
    table = [list(_rate_cells(row.name, row.tally)) for row in rows]
    table.append(list(_rate_cells(_("Total"), total)))
    audit(db.session, "export", person_id=current_person().id,
          detail={"kind": "request_rates", "format": fmt, "by": by, "rows": len(table),
                  "from": first.isoformat(), "to": last.isoformat()})
    sheet = exports.Sheet(RATE_COLUMNS, table, _("The three rates"))
    return sheet_download(sheet, fmt,
                          f"knockdoor-rates-{by}-{first.isoformat()}-{last.isoformat()}.{fmt}")


# ---- the departments' inbox -----------------------------------------------------------------

def current_department() -> tuple[Person, int] | None:
    person_id = session.get("person_id")
    person = db.session.get(Person, person_id) if person_id else None
    if person is None or not person.active or person.role != r.DEPARTMENT:
        return None
    department_id = service.actor_for(db.session, person).department_id
    return (person, department_id) if department_id else None


def department_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_department() is None:
            return redirect(url_for("web.sign_in", next=request.full_path))
        return view(*args, **kwargs)
    return wrapper


def _inbox_request(request_id: str, department_id: int) -> ServiceRequest:
    found = db.session.get(ServiceRequest, request_id)
    if found is None or found.department_id != department_id:
        raise not_found()
    return found


@bp.get("/inbox")
@department_required
def inbox():
    person, department_id = current_department()
    show = request.args.get("show", "open")
    states = r.WITH_DEPARTMENT if show == "open" else None
    rows = queries.inbox(db.session, department_id, states)
    return render_template("web/inbox.html", rows=rows, show=show, person=person,
                           today=local_today(), is_overdue=_overdue_on(local_today()))


@bp.get("/inbox/<request_id>")
@department_required
def inbox_request(request_id: str):
    person, department_id = current_department()
    item = _inbox_request(request_id, department_id)
    actor = service.actor_for(db.session, person)
    return render_template("web/inbox_request.html", item=item, person=person,
                           events=queries.timeline(db.session, item.id),
                           legal=r.legal_actions(service.state_of(item), actor,
                                                 DEPARTMENT_MOVES),
                           overdue=_overdue(item))


@bp.post("/inbox/<request_id>/move")
@department_required
def inbox_move(request_id: str):
    person, department_id = current_department()
    item = _inbox_request(request_id, department_id)
    _apply_move(item, service.actor_for(db.session, person), request.form.get("action", ""),
                DEPARTMENT_MOVES)
    return redirect(url_for("web.inbox_request", request_id=item.id))


def dashboard_card(scope) -> dict:
    """What the dashboard shows of the three lists: this month's rates, their trend over six
    months, and the open requests (for ``web/_request_rates_card.html``)."""
    from ...district import district_zone
    today, zone = local_today(), district_zone()
    trend = rates.monthly_trend(db.session, _grids_or_all(scope), today, zone,
                                settings.response_hours())
    open_count = queries.board(db.session, queries.BoardFilters(_grids_or_all(scope)))[1]
    return {"rates": trend[-1][1], "trend": trend, "lines": rates.trend_lines(trend),
            "open_requests": open_count, "rate_text": rate_text}
