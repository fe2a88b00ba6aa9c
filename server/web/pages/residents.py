"""Residents: the list, one resident's record (edited here), and moving them to another grid."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from shared import protocol as p
from shared import resident_fields

from ...audit import FROM_WEB, audit, change_detail
from ...db import db
from ...sync.edits import edit_resident
from ...sync.moves import VIA_WEB, move_resident
from ..access import current_person, current_scope, not_found, sign_in_required
from ..forms import changed_fields, error_lines, raw_field_value, validate_resident_fields
from ..i18n import gettext as _
from ..queries.areas import areas_for_choice, grids_for_choice
from ..queries.audit import resident_audit
from ..queries.filters import grid_filter
from ..queries.residents import (RESIDENT_LISTS, filter_residents, resident_conflicts,
                                 resident_history_counts, resident_in_scope, resident_moves,
                                 resident_notes, resident_rows, resident_visits)
from ..queries.visits import health_flags
from ..trends import blood_pressure_trend
from .blueprint import bp

#: Device details (install dates, alarm receivers) are edited on the tablet, not in this form.
EDITABLE_FIELDS = tuple(f.name for f in resident_fields.FIELDS if f.kind != resident_fields.DETAILS)


def resident_list_args(default_show: str):
    show = request.args.get("show", default_show)
    if show not in RESIDENT_LISTS:
        show = default_show
    return show, (request.args.get("q") or "").strip()


@bp.get("/residents")
@sign_in_required
def residents():
    scope, s = current_scope(), db.session
    area_id = request.args.get("area", type=int)
    if area_id is not None and (area_id not in scope.areas or not scope.allows_area(area_id)):
        raise not_found()
    show, query = resident_list_args("active")
    grid_ids = grid_filter(scope, area_id)
    rows = resident_rows(s, grid_ids)
    flagged = {f.resident_id for f in health_flags(s, grid_ids)} if show == "health" \
        else None
    chosen = filter_residents(rows, show, query, flagged)
    return render_template("web/residents.html", rows=chosen[:1000], total=len(chosen),
                           show=show, q=query, area_id=area_id,
                           area=scope.areas.get(area_id) if area_id else None,
                           area_choices=areas_for_choice(scope))


def _resident_or_404(resident_id: str, lock: bool = False):
    """``lock``: to change it: locked before it is read (see server.sync.locks)."""
    resident = resident_in_scope(db.session, current_scope(), resident_id, for_update=lock)
    if resident is None:
        raise not_found()
    return resident


def _render_resident(resident, status: int = 200, errors: dict | None = None,
                     form_values: dict | None = None):
    s, scope = db.session, current_scope()
    rows = resident_rows(s, {resident.grid_id})
    row = next(r for r in rows if r.id == resident.id)
    visits = resident_visits(s, resident.id)
    values = {name: getattr(resident, name) for name in EDITABLE_FIELDS}
    values.update(form_values or {})
    return render_template(
        "web/resident.html", resident=resident, row=row, values=values, errors=errors or {},
        error_list=error_lines(errors or {}), path=scope.area_path(resident.grid_id),
        grid=scope.areas[resident.grid_id], visits=visits, bp_chart=blood_pressure_trend(
            [(item.visit.visited_at, (item.visit.details or {}).get("readings") or {})
             for item in visits if not item.superseded_by and item.visit.correction != p.VOID]),
        notes=resident_notes(s, resident.id),
        conflicts=resident_conflicts(s, resident.id), fields=EDITABLE_FIELDS,
        moves=resident_moves(s, resident.id),
        history=resident_audit(s, resident.id)), status


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
    choices = [grid for grid in grids_for_choice(scope) if grid.id != resident.grid_id]
    return render_template("web/move.html", resident=resident, grid=scope.areas[resident.grid_id],
                           path=scope.area_path(resident.grid_id), choices=choices,
                           errors=errors or [], to_grid=to_grid, reason=reason,
                           history=resident_history_counts(db.session, resident.id),
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
