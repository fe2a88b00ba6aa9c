"""People: the list, adding a person, one person's page, deactivating them, their assignments."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for

from shared import protocol as p

from ...audit import audit
from ...auth import hash_password
from ...db import db
from ...models import Assignment, Person
from ...passwords import MIN_PASSWORD_CHARS, too_short
from ...provisioning import CODE_MINUTES
from .. import confirmations
from ..access import (SUPERVISOR_GRANTABLE_ROLES, current_person, current_scope, forbidden,
                      not_found, sign_in_required)
from ..forms import parse_date, required_text
from ..i18n import gettext as _
from ..queries.areas import areas_for_choice, grids_for_choice
from ..queries.people import assignments_of, people_in_scope, person_in_scope, username_taken
from ..queries.tablets import devices_in_scope
from ..sessions import end_sessions_of
from ..timeutil import local_today
from ..charts import bar_chart
from ..queries.visits import visits_per_week
from .blueprint import bp
from .confirmation import confirm


def _grantable_roles() -> tuple[str, ...]:
    return p.ROLES if current_person().role == p.ADMIN else SUPERVISOR_GRANTABLE_ROLES


def _assignable_areas():
    """Admins assign anyone to any area; supervisors assign field people to their grids."""
    scope = current_scope()
    if scope.is_admin:
        return areas_for_choice(scope)
    return grids_for_choice(scope)


@bp.get("/people")
@sign_in_required
def people():
    scope = current_scope()
    return render_template("web/people.html", people=people_in_scope(db.session, scope),
                           roles=_grantable_roles(), area_choices=_assignable_areas(),
                           today=local_today(), form={}, errors=[],
                           min_password=MIN_PASSWORD_CHARS)


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
    if too_short(password):
        errors.append(_("Password: at least %(count)s characters.", count=MIN_PASSWORD_CHARS))
    if role not in _grantable_roles():
        errors.append(_("Role: Not an allowed value."))
    level = form.get("representative_level") or None
    if level is not None and (role != p.REPRESENTATIVE or level not in p.REPRESENTATIVE_LEVELS):
        errors.append(_("Congress: only a people's congress deputy has one; choose from the "
                        "list."))
    allowed_areas = {a.id for a in _assignable_areas()}
    if area_id is None and person.role != p.ADMIN:
        errors.append(_("Area: Missing data for required field."))
    elif area_id is not None and area_id not in allowed_areas:
        errors.append(_("Area: Not an allowed value."))
    if username and username_taken(s, username):
        errors.append(_("Username: already taken."))
    if errors:
        return render_template("web/people.html",
                               people=people_in_scope(s, current_scope()),
                               roles=_grantable_roles(), area_choices=_assignable_areas(),
                               today=local_today(), form=form, errors=errors,
                               min_password=MIN_PASSWORD_CHARS), 422
    new = Person(username=username, display_name=display_name, role=role,
                 representative_level=level, phone=(form.get("phone") or "").strip() or None,
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
    found = person_in_scope(db.session, current_scope(), person_id)
    if found is None:
        raise not_found()
    return found


def may_manage(target: Person) -> bool:
    """Supervisors manage field people; only an admin manages supervisors and admins."""
    return current_person().role == p.ADMIN or target.role in SUPERVISOR_GRANTABLE_ROLES


@bp.get("/people/<int:person_id>")
@sign_in_required
def person(person_id: int):
    s, scope = db.session, current_scope()
    target = _person_or_404(person_id)
    assignments = assignments_of(s, target.id)
    return render_template("web/person.html", target=target, assignments=assignments,
                           visits_chart=bar_chart(visits_per_week(s, target.id), height=200),
                           devices=devices_in_scope(s, scope, target.id),
                           area_choices=_assignable_areas(), may_manage=may_manage(target),
                           today=local_today(), scope=scope, min_password=MIN_PASSWORD_CHARS,
                           provision_minutes=CODE_MINUTES,
                           visible_areas=scope.visible_area_ids() | set(
                               scope.areas if scope.is_admin else ()))


@bp.route("/people/<int:person_id>/deactivate", methods=["GET", "POST"])
@sign_in_required
def deactivate_person(person_id: int):
    target = _person_or_404(person_id)
    if not may_manage(target) or target.id == current_person().id:
        raise forbidden()
    if not target.active:
        return redirect(url_for("web.person", person_id=target.id))
    devices = [device for device, _owner in devices_in_scope(
        db.session, current_scope(), target.id)]
    page, reason = confirm(
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
    if not may_manage(target):
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
    if not may_manage(target):
        raise forbidden()
    area_name = scope.areas[assignment.area_id].name
    devices = [device for device, _owner in devices_in_scope(s, scope, target.id)]
    page, reason = confirm(
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
    if person_in_scope(s, scope, target.id) is None:
        return redirect(url_for("web.people"))  # no longer placed in this supervisor's area
    return redirect(url_for("web.person", person_id=target.id))
