"""The call list pages (issue 12, point 11): see :mod:`.call_lists` for what they hold."""
from __future__ import annotations

from flask import render_template, request

from shared import protocol as p

from ...audit import audit
from ...db import db
from ...errors import ApiError
from .. import privacy
from ..access import chosen_area, current_person, current_scope, sign_in_required
from ..i18n import gettext as _
from ..queries import calls as call_lists
from ..queries.areas import areas_for_choice
from ..queries.filters import grid_filter
from ..timeutil import local_today
from .blueprint import bp
from .downloads import sheet_download


def _chosen():
    """The list, the area and the "not visited in" filter asked for; 400/404 for bad ones."""
    scope = current_scope()
    which = request.args.get("list") or call_lists.OVERDUE_LIST
    unvisited = request.args.get("unvisited") or None
    if which not in call_lists.LISTS:
        raise ApiError(400, p.ERR_INVALID_BODY, _("List: Not an allowed value."))
    if unvisited is not None and unvisited not in call_lists.UNVISITED_DAYS:
        raise ApiError(400, p.ERR_INVALID_BODY, _("Not visited in: Not an allowed value."))
    area_id = chosen_area(scope)
    return scope, which, unvisited, area_id


def _rows(scope, which, unvisited, area_id):
    names = {area_id: area.name for area_id, area in scope.areas.items()}
    rows = call_lists.call_rows(db.session, grid_filter(scope, area_id), which, unvisited,
                                local_today(), names)
    if not privacy.sees_contacts_in_bulk(scope):
        for row in rows:
            row.phone = privacy.mask_phone(row.phone)
            row.emergency_phone = privacy.mask_phone(row.emergency_phone)
    return rows


@bp.get("/calls")
@sign_in_required
def call_list():
    scope, which, unvisited, area_id = _chosen()
    rows = _rows(scope, which, unvisited, area_id)
    return render_template("web/calls.html", rows=rows, which=which, unvisited=unvisited,
                           area_id=area_id, area_choices=areas_for_choice(scope),
                           heading=call_lists.header_text(which, unvisited),
                           masked=not privacy.sees_contacts_in_bulk(scope))


@bp.get("/calls/download")
@sign_in_required
def call_sheet_download():
    scope, which, unvisited, area_id = _chosen()
    fmt = request.args.get("format")
    if fmt not in ("csv", "xlsx"):
        raise ApiError(400, p.ERR_INVALID_BODY, _("kind or format: Not an allowed value."))
    sheet = call_lists.call_sheet(_rows(scope, which, unvisited, area_id))
    today = local_today()
    audit(db.session, "export", person_id=current_person().id,
          detail={"kind": f"calls_{which}", "format": fmt, "area": area_id,
                  "rows": len(sheet.rows), "contacts": privacy.sees_contacts_in_bulk(scope),
                  "unvisited": unvisited})
    return sheet_download(sheet, fmt, call_lists.file_name(which, today, fmt),
                          f"knockdoor-calls-{which}-{today.isoformat()}.{fmt}")
