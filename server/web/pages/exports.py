"""Exports: the form, and the download."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from shared import protocol as p

from ...audit import audit
from ...db import db
from ...errors import ApiError
from .. import exports, privacy
from ..access import chosen_area, current_person, current_scope, sign_in_required
from ..forms import parse_date
from ..i18n import gettext as _
from ..queries.areas import areas_for_choice
from ..queries.exports import export_residents, export_visits
from ..queries.filters import grid_filter
from ..timeutil import local_today
from .blueprint import bp
from .downloads import sheet_download


@bp.get("/export")
@sign_in_required
def export_form():
    today = local_today()
    return render_template("web/export.html", area_choices=areas_for_choice(current_scope()),
                           first=today - timedelta(days=29), last=today,
                           last_month=exports.period_days(exports.LAST_MONTH, today),
                           contacts_in_bulk=privacy.sees_contacts_in_bulk(current_scope()))


@bp.get("/export/download")
@sign_in_required
def export_download():
    s, scope, person = db.session, current_scope(), current_person()
    kind = request.args.get("kind")
    fmt = request.args.get("format")
    if kind not in ("visits", "residents") or fmt not in ("csv", "xlsx"):
        raise ApiError(400, p.ERR_INVALID_BODY, _("kind or format: Not an allowed value."))
    area_id = chosen_area(scope)
    today = local_today()
    first = parse_date(request.args.get("from"), today - timedelta(days=29))
    last = parse_date(request.args.get("to"), today)
    if request.args.get("period") not in (None, "", *exports.PERIODS):
        raise ApiError(400, p.ERR_INVALID_BODY, _("Period: Not an allowed value."))
    if request.args.get("period") in exports.PERIODS:
        first, last = exports.period_days(request.args["period"], today)
    if first is None or last is None or last < first:
        raise ApiError(400, p.ERR_INVALID_BODY, _("Dates: Not a valid date."))
    grid_ids = grid_filter(scope, area_id)
    if kind == "residents":
        sheet = exports.resident_sheet(export_residents(s, grid_ids))
    else:
        sheet = exports.visit_sheet(export_visits(s, grid_ids, first, last))
    sheet = privacy.redact(scope, sheet)
    audit(s, "export", person_id=person.id,
          detail={"kind": kind, "format": fmt, "area": area_id, "rows": len(sheet.rows),
                  "contacts": privacy.sees_contacts_in_bulk(scope),
                  "from": first.isoformat(), "to": last.isoformat()})
    fallback = f"knockdoor-{kind}-{first.isoformat()}-{last.isoformat()}.{fmt}" \
        if kind == "visits" else f"knockdoor-{kind}-{today.isoformat()}.{fmt}"
    return sheet_download(sheet, fmt, exports.file_name(kind, first, last, today, fmt), fallback)
