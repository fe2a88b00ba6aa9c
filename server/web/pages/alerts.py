"""The alerts page: dangerous readings, follow-ups nobody answered, and proposed status
changes for a community lead to confirm (server/alerts.py raises them)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from shared import protocol as p
from shared import vocabulary

from ... import alerts
from ...audit import audit
from ...db import db
from ...errors import ApiError
from ...models import Alert
from ..access import current_person, current_scope, not_found, sign_in_required
from ..i18n import current_locale
from ..i18n import gettext as _
from .blueprint import bp

#: What each kind of alert may be closed with.
RESOLUTIONS = {alerts.STATUS: (alerts.CONFIRMED, alerts.DISMISSED),
               alerts.READING: (alerts.SEEN,), alerts.LADDER: (alerts.SEEN,)}


def alert_text(alert: Alert) -> str:
    """What the alert says, in the page's language, with units."""
    locale = current_locale()
    if alert.kind == alerts.READING:
        return vocabulary.join((_("%(reading)s %(value)s %(unit)s, %(direction)s (limit %(limit)s)",
                                  reading=vocabulary.label("reading", d["reading"], locale),
                                  value=f"{d['value']:g}",
                                  unit=vocabulary.label("unit", d["reading"], locale),
                                  direction=vocabulary.label("danger_direction", d["direction"],
                                                             locale),
                                  limit=f"{d['limit']:g}")
                                for d in alert.detail.get("dangers", ())), locale)
    if alert.kind == alerts.LADDER:
        return _("Nobody answered the door %(count)s times in a row. Call the emergency "
                 "contact, or go round with a neighbour.", count=alert.detail.get("no_answers"))
    return _("A visit recorded: %(status)s. Confirm it to take the resident off the visit lists "
             "(every record is kept).",
             status=vocabulary.label("status", alert.detail.get("status"), locale))


@bp.get("/alerts")
@sign_in_required
def alert_list():
    scope = current_scope()
    rows = alerts.open_alerts(db.session, None if scope.is_admin else scope.grid_ids)
    return render_template("web/alerts.html", rows=rows, alert_text=alert_text,
                           resolutions=RESOLUTIONS)


@bp.post("/alerts/<int:alert_id>")
@sign_in_required
def close_alert(alert_id: int):
    scope, person, s = current_scope(), current_person(), db.session
    alert = s.get(Alert, alert_id)
    if alert is None or not scope.allows_grid(alert.grid_id):
        raise not_found()
    resolution = request.form.get("resolution")
    if resolution not in RESOLUTIONS.get(alert.kind, ()):
        raise ApiError(400, p.ERR_INVALID_BODY, _("Choose one of the buttons below the alert."))
    if alert.closed_at is None:
        alerts.close(s, alert, person, resolution)
        audit(s, "close_alert", person_id=person.id, entity=p.RESIDENT,
              entity_id=alert.resident_id, grid_id=alert.grid_id,
              detail={"alert": alert.id, "kind": alert.kind, "resolution": resolution})
    flash(_("Status changed. The resident is off the visit lists; the grid's tablets learn of "
            "it at their next update.") if resolution == alerts.CONFIRMED
          else _("Alert closed."), "ok")
    return redirect(url_for("web.alert_list"))
