"""Conflicts: the list, and settling one."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from shared import protocol as p
from shared import punctuation

from ...audit import FROM_CONFLICT, audit, change_detail
from ...db import db
from ...errors import ApiError
from ...models import Person
from ...sync.edits import SETTLE_CHOICES, AlreadySettled, lock_resident, settle_conflict
from ..access import current_person, current_scope, not_found, sign_in_required
from ..forms import error_lines, raw_field_value, validate_resident_fields
from ..i18n import current_locale
from ..i18n import gettext as _
from ..labels import field_value_text
from ..queries.conflicts import conflict_in_scope, rejected_ops
from ..queries.conflicts import conflicts as conflict_rows
from .blueprint import bp, safe_next


@bp.get("/conflicts")
@sign_in_required
def conflicts():
    scope = current_scope()
    status = request.args.get("status", "open")
    if status not in ("open", "settled", "all"):
        status = "open"
    return render_template("web/conflicts.html", rows=conflict_rows(db.session, scope, status),
                           status=status, rejected=rejected_ops(db.session, scope)
                           if status == "open" else [])


@bp.post("/conflicts/<conflict_id>/settle")
@sign_in_required
def settle(conflict_id: str):
    scope, person, s = current_scope(), current_person(), db.session
    conflict = conflict_in_scope(s, scope, conflict_id)
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
            flash(punctuation.alternatives(error_lines(errors), current_locale()), "error")
            return redirect(safe_next(back)), 303
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
    return redirect(safe_next(back))


def _already_settled(conflict, back: str):
    settler = db.session.get(Person, conflict.settled_by_id) if conflict.settled_by_id else None
    flash(_("%(person)s already settled this conflict with “%(value)s”; nothing was changed.",
            person=settler.display_name if settler else "—",
            value=field_value_text(conflict.field, conflict.settled_value)), "info")
    return redirect(safe_next(back))
