"""Tablets: the list, and revoking one."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from shared.clock import utcnow

from ...audit import audit
from ...db import db
from .. import confirmations
from ..access import current_person, current_scope, forbidden, not_found, sign_in_required
from ..i18n import gettext as _
from ..queries.tablets import device_in_scope, devices_in_scope, is_stale
from .blueprint import bp, safe_next
from .confirmation import confirm
from .people import may_manage


@bp.get("/tablets")
@sign_in_required
def tablets():
    s, scope = db.session, current_scope()
    show = request.args.get("show", "all")
    rows = devices_in_scope(s, scope)
    now = utcnow()
    if show == "stale":
        rows = [(d, person) for d, person in rows if is_stale(d, now)]
    return render_template("web/tablets.html", devices=rows, show=show)


@bp.route("/tablets/<device_id>/revoke", methods=["GET", "POST"])
@sign_in_required
def revoke_tablet(device_id: str):
    s, scope = db.session, current_scope()
    device = device_in_scope(s, scope, device_id)
    if device is None:
        raise not_found()
    if not may_manage(device.person) and device.person_id != current_person().id:
        raise forbidden()
    back = request.values.get("back")
    done = safe_next(back) if back else url_for("web.tablets")
    if device.revoked_at is not None:
        return redirect(done)
    page, reason = confirm(
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
