"""Duty reports (履职报告) as PDF: one person's, an area's, and every representative's of a
period as one zip. ``?language=en`` gives the report in English without changing the page's
language (the ``lang`` parameter would: it is remembered)."""
from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict

from flask import Response, g, request

from shared import points as sp
from shared import protocol as p
from shared.clock import utcnow
from shared.due import effective_visits

from ... import points
from ...audit import audit
from ...db import db
from ...district import district_zone
from ...threelists.settings import response_hours
from ..access import current_person, current_scope, not_found, sign_in_required
from ..duty_report import figures, render_pdf
from ..i18n import normalise_locale
from ..labels import word
from ..queries.people import people_in_scope
from ..queries.points import kind_words, note_words
from ..timeutil import local_today
from .blueprint import bp
from .points import area_arg, period_args, person_or_404


def _report_language() -> None:
    chosen = normalise_locale(request.args.get("language"))
    if chosen:
        g.locale = chosen


def _visits(facts) -> list[sp.PointsVisit]:
    """The effective visits (a void removes, an amend replaces), for the report's counts."""
    return effective_visits([f for f in facts.items if isinstance(f, sp.PointsVisit)])


def _events(facts) -> list[sp.RequestEvent]:
    return [f for f in facts.items if isinstance(f, sp.RequestEvent)]


def _pdf(body: bytes, name: str) -> Response:
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}.pdf"', "Cache-Control": "no-store"})


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)[:40]


def person_report(s, scope, target, first, last, entries, facts, visits=None) -> bytes:
    """``visits``: the effective visits when the caller has them (a batch), else computed."""
    data = figures(target.display_name, word("role", target.role), {str(target.id)}, entries,
                   _visits(facts) if visits is None else visits, facts.residents, first, last,
                   district_zone(), kind_words(), note_words(), _events(facts),
                   today=local_today(), owner=str(target.id), response_hours=response_hours())
    return render_pdf(data)


@bp.get("/points/people/<int:person_id>/report.pdf")
@sign_in_required
def duty_report(person_id: int):
    s, scope = db.session, current_scope()
    target = person_or_404(s, scope, person_id)
    _report_language()
    _kind, first, last = period_args()
    # Only the grids where they worked: a part of the ledger is one resident's, so the
    # person's entries are the same as in the whole district's, at a fraction of the cost.
    grid_ids = scope.grid_ids & points.grids_worked(s, target.id)
    entries, facts = points.ledger(s, grid_ids, utcnow(), [target.id])
    body = person_report(s, scope, target, first, last, entries, facts)
    audit(s, "duty_report", person_id=current_person().id, entity="person",
          entity_id=str(target.id), detail={"from": first.isoformat(), "to": last.isoformat()})
    return _pdf(body, f"duty-report-{target.id}-{first.isoformat()}-{last.isoformat()}")


@bp.get("/points/areas/<int:area_id>/report.pdf")
@sign_in_required
def area_duty_report(area_id: int):
    s, scope = db.session, current_scope()
    if area_id not in scope.areas or not scope.allows_area(area_id):
        raise not_found()
    _report_language()
    _kind, first, last = period_args()
    grid_ids = scope.grids_below(area_id)
    entries, facts = points.ledger(s, grid_ids, utcnow(), [])
    target = scope.areas[area_id]
    people = {e.person_id for e in entries}
    data = figures(target.name, word("level", target.level), people, entries, _visits(facts),
                   facts.residents, first, last, district_zone(), kind_words(), note_words(),
                   _events(facts), today=local_today(), response_hours=response_hours())
    audit(s, "duty_report", person_id=current_person().id, entity="area",
          entity_id=str(area_id), detail={"from": first.isoformat(), "to": last.isoformat()})
    return _pdf(render_pdf(data), f"duty-report-area-{area_id}-{first.isoformat()}")


@bp.get("/points/reports.zip")
@sign_in_required
def duty_reports_zip():
    """Every representative in scope (or under ``area``), one PDF each, in one zip."""
    s, scope = db.session, current_scope()
    _report_language()
    _kind, first, last = period_args()
    area_id, grid_ids = area_arg()
    people = [person for person in people_in_scope(s, scope, include_inactive=False)
              if person.role == p.REPRESENTATIVE]
    entries, facts = points.ledger(s, grid_ids, utcnow(), [person.id for person in people])
    # Each person's entries and visits, sorted out once: not the whole district per report.
    entries_of, visits_of = defaultdict(list), defaultdict(list)
    for entry in points.in_period(entries, first, last):
        entries_of[entry.person_id].append(entry)
    for visit in _visits(facts):
        visits_of[visit.author_id].append(visit)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for person in people:
            key = str(person.id)
            archive.writestr(f"{_safe(person.display_name)}-{person.id}.pdf",
                             person_report(s, scope, person, first, last, entries_of[key],
                                           facts, visits_of[key]))
    audit(s, "duty_report", person_id=current_person().id, entity="area",
          entity_id=str(area_id) if area_id else None,
          detail={"from": first.isoformat(), "to": last.isoformat(), "reports": len(people)})
    return Response(buffer.getvalue(), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="duty-reports-{first.isoformat()}-'
                               f'{last.isoformat()}.zip"', "Cache-Control": "no-store"})
