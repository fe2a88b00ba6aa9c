"""The printable sign-in sheet of a person's tablet: a QR code holding the server's address and
a one-time, short-lived code (never the password), the same in text to type, and what to do
(server.provisioning)."""
from __future__ import annotations

import segno
from flask import render_template, request

from shared.clock import utcnow

from ...audit import audit
from ...db import db
from ...provisioning import CODE_MINUTES, create_code, payload, printable
from ..access import current_person, current_scope, forbidden, not_found, sign_in_required
from ..i18n import gettext as _
from ..queries.people import person_in_scope
from .blueprint import bp
from .people import may_manage


@bp.post("/people/<int:person_id>/sign-in-sheet")
@sign_in_required
def sign_in_sheet(person_id: int):
    """A POST, not a link: each sheet makes a new code, and the page is never cached."""
    target = person_in_scope(db.session, current_scope(), person_id)
    if target is None:
        raise not_found()
    if not target.active or not (may_manage(target) or target.id == current_person().id):
        raise forbidden()
    code, expires_at = create_code(db.session, target, current_person().id, utcnow())
    audit(db.session, "provision_code", person_id=current_person().id, entity="person",
          entity_id=str(target.id), detail={"expires_at": expires_at.isoformat()})
    server = request.url_root.rstrip("/")
    qr = segno.make(payload(server, code), error="m")
    svg = qr.svg_inline(scale=5, title=_("QR code to sign a tablet in as %(name)s",
                                         name=target.display_name))
    return render_template("web/signin_sheet.html", target=target, code=printable(code),
                           server=server, expires_at=expires_at, minutes=CODE_MINUTES, qr=svg)
