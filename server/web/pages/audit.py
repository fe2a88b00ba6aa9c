"""The audit log."""
from __future__ import annotations

from flask import render_template, request

from shared import protocol as p

from ...db import db
from ...errors import ApiError
from ..access import current_scope, not_found, sign_in_required
from ..forms import parse_date
from ..i18n import gettext as _
from ..queries.audit import audit_actions, audit_entries
from ..queries.people import people_in_scope
from ..queries.residents import resident_in_scope
from .blueprint import bp


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
    if resident_id and resident_in_scope(s, scope, resident_id) is None:
        raise not_found()
    rows = audit_entries(s, scope, resident_id=resident_id, person_id=person_id,
                                 action=action, first=first, last=last)
    return render_template("web/audit.html", rows=rows, actions=audit_actions(s),
                           action=action, resident_id=resident_id, person_id=person_id,
                           people=people_in_scope(s, scope), first=first, last=last,
                           resident=resident_in_scope(s, scope, resident_id)
                           if resident_id else None)
