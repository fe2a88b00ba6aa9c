"""Duty points (履职积分, issue 15): the table per person and area for a period, a ranking
within a community, each person's page (ledger, main sources, activity by week), adjustments by
a supervisor, the rules (admin) and the exports. Reports (PDF) are in :mod:`.duty_reports`."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for

from shared import points as sp
from shared import protocol as p
from shared.clock import utcnow
from shared.points.rules import COSTS, EARNINGS, KINDS, MAX_AMOUNT
from shared.points.totals import by_kind

from ... import points
from ...db import db
from ...errors import ApiError
from ...audit import audit
from .. import exports
from ..access import (admin_required, current_person, current_scope, forbidden, not_found,
                      sign_in_required)
from ..charts import bar_chart
from ..forms import parse_date
from ..i18n import gettext as _
from ..labels import word
from ..queries.areas import areas_for_choice
from ..queries.people import person_in_scope
from ..queries.points import area_totals, kind_words, note_words, points_view, standings
from ..timeutil import local_today
from .blueprint import bp
from .people import may_manage


def period_args() -> tuple[str, object, object]:
    """The period asked for (``period``: month, quarter or year holding ``day``)."""
    kind = request.args.get("period") or "month"
    if kind not in points.PERIODS:
        raise ApiError(400, p.ERR_INVALID_BODY, _("Period: Not an allowed value."))
    day = parse_date(request.args.get("day"), local_today())
    if day is None:
        raise ApiError(400, p.ERR_INVALID_BODY, _("Dates: Not a valid date."))
    first, last = points.period_bounds(kind, day)
    return kind, first, last


def area_arg():
    scope = current_scope()
    area_id = request.args.get("area", type=int)
    if area_id is not None and (area_id not in scope.areas or not scope.allows_area(area_id)):
        raise not_found()
    return area_id, (scope.grids_below(area_id) if area_id is not None else scope.grid_ids)


@bp.get("/points")
@sign_in_required
def points_table():
    s, scope = db.session, current_scope()
    kind, first, last = period_args()
    area_id, grid_ids = area_arg()
    view = points_view(s, grid_ids, first, last)
    by_area = area_totals(scope, view)
    target = scope.areas.get(area_id) if area_id is not None else None
    children = sorted((a for a in scope.areas.values()
                       if a.parent_id == area_id and scope.allows_area(a.id)
                       and (area_id is not None or a.level == p.STREET)),
                      key=lambda a: a.code)
    return render_template("web/points.html", rows=standings(s, view), target=target,
                           children=children, by_area=by_area, period=kind, first=first,
                           last=last, day=request.args.get("day") or "",
                           area_choices=areas_for_choice(scope),
                           ranking=target is not None and target.level == p.COMMUNITY,
                           show_ranking=points.show_ranking(s))


def person_or_404(s, scope, person_id: int):
    """The person, if the reader's area holds them; otherwise the page does not exist."""
    target = person_in_scope(s, scope, person_id)
    if target is None:
        raise not_found()
    return target


@bp.get("/points/people/<int:person_id>")
@sign_in_required
def points_person(person_id: int):
    s, scope = db.session, current_scope()
    target = person_or_404(s, scope, person_id)
    kind, first, last = period_args()
    view = points_view(s, scope.grid_ids, first, last, person_id=target.id)
    mine = view.entries
    sources = by_kind(mine, str(target.id), first, last)
    residents = view.residents
    return render_template(
        "web/points_person.html", target=target, entries=mine, period=kind, first=first,
        last=last, day=request.args.get("day") or "", total=sum(e.points for e in mine),
        sources=sorted(sources.items(), key=lambda kv: -abs(kv[1])), kinds=kind_words(),
        notes=note_words(), residents=residents,
        chart=bar_chart(points.per_week(mine, first, last), height=200),
        may_adjust=may_manage(target) and target.id != current_person().id)


@bp.post("/points/people/<int:person_id>/adjust")
@sign_in_required
def adjust_points(person_id: int):
    s, scope = db.session, current_scope()
    target = person_or_404(s, scope, person_id)
    if not may_manage(target) or target.id == current_person().id:
        raise forbidden()
    reason = (request.form.get("reason") or "").strip()
    try:
        amount = int((request.form.get("points") or "").strip())
    except ValueError:
        raise ApiError(400, p.ERR_INVALID_BODY,
                       _("Points: a whole number from -100 to 100, not 0.")) from None
    if not reason:
        raise ApiError(400, p.ERR_INVALID_BODY, _("Reason: an adjustment needs a reason."))
    if not 0 < abs(amount) <= MAX_AMOUNT:
        raise ApiError(400, p.ERR_INVALID_BODY,
                       _("Points: a whole number from -100 to 100, not 0."))
    points.add_adjustment(s, target.id, amount, reason, current_person().id, utcnow())
    return redirect(url_for("web.points_person", person_id=target.id))


@bp.get("/points/rules")
@sign_in_required
@admin_required
def points_rules():
    s = db.session
    book = points.rule_book(s)
    latest = book.latest
    return render_template("web/points_rules.html", versions=sorted(book.versions,
                           key=lambda r: -r.version), latest=latest, kinds=kind_words(),
                           earnings=EARNINGS, costs=COSTS,
                           today=local_today(), show_ranking=points.show_ranking(s),
                           problems={})


@bp.post("/points/rules")
@sign_in_required
@admin_required
def add_points_rules():
    s, form = db.session, request.form
    book = points.rule_book(s)
    data: dict = {"version": book.latest.version + 1, "effective": form.get("effective"),
                  "amounts": {}, "once_a_day": form.get("once_a_day") == "on"}
    problems: dict[str, str] = {}
    for name in ("weekly_cap", "gap_minutes", "follow_up_hours", "vulnerable_age"):
        text = (form.get(name) or "").strip()
        if name == "weekly_cap" and text == "":
            data[name] = None
            continue
        try:
            data[name] = int(text)
        except ValueError:
            problems[name] = _("must be a whole number")
    for kind in KINDS:
        text = (form.get(f"amount_{kind}") or "0").strip()
        try:
            data["amounts"][kind] = int(text)
        except ValueError:
            problems[f"amounts.{kind}"] = _("must be a whole number")
    if not problems:
        try:
            points.add_rules(s, data, local_today(), current_person().id)
            return redirect(url_for("web.points_rules"))
        except sp.RuleError as error:
            problems = error.problems
    problems = problem_words(problems)
    return render_template("web/points_rules.html", versions=sorted(
        book.versions, key=lambda r: -r.version), latest=book.latest, kinds=kind_words(),
        earnings=EARNINGS, costs=COSTS, today=local_today(),
        show_ranking=points.show_ranking(s), problems=problems), 400


def problem_words(problems: dict[str, str]) -> dict[str, str]:
    """The rule set's problems in the page's words: which field, and what is wrong with it
    (the shared core names them in code terms)."""
    labels = {**kind_words(), "effective": _("In force from"),
              "weekly_cap": _("Weekly cap per resident"), "gap_minutes": _("Minutes apart"),
              "follow_up_hours": _("Follow-up hours"), "vulnerable_age": _("Bonus age")}
    out = {}
    for name, why in problems.items():
        label = labels.get(name.removeprefix("amounts."), name)
        if name == "effective":
            out[label] = _("must be today or later: days already counted keep their rules")
        elif name.startswith("amounts."):
            out[label] = _("earnings from 0 to 100, costs from -100 to 0")
        else:
            out[label] = why if why == _("must be a whole number") else _("out of range")
    return out


@bp.post("/points/settings")
@sign_in_required
@admin_required
def points_settings():
    points.set_show_ranking(db.session, request.form.get("show_ranking") == "on",
                            current_person().id)
    return redirect(url_for("web.points_rules"))


@bp.get("/points/export")
@sign_in_required
def points_export():
    s, person = db.session, current_person()
    kind, fmt = request.args.get("kind"), request.args.get("format")
    if kind not in ("totals", "ledger") or fmt not in ("csv", "xlsx"):
        raise ApiError(400, p.ERR_INVALID_BODY, _("kind or format: Not an allowed value."))
    period, first, last = period_args()
    area_id, grid_ids = area_arg()
    view = points_view(s, grid_ids, first, last, with_entries=kind == "ledger")
    if kind == "totals":
        columns = (exports.Column("rank", "排名", "Rank", exports.NUMBER, 6),
                   exports.Column("name", "姓名", "Name", width=12),
                   exports.Column("role", "角色", "Role", width=10),
                   exports.Column("points", "积分", "Points", exports.NUMBER, 8))
        table = [[row.rank, row.person.display_name, word("role", row.person.role), row.points]
                 for row in standings(s, view)]
    else:
        names = {row.person.id: row.person.display_name
                 for row in standings(s, view, field_only=False)}
        kinds, notes, residents = kind_words(), note_words(), view.residents
        columns = (exports.Column("day", "日期", "Day", exports.DAY, 11),
                   exports.Column("name", "姓名", "Name", width=12),
                   exports.Column("rule", "计分规则", "Rule", width=24),
                   exports.Column("points", "积分", "Points", exports.NUMBER, 8),
                   exports.Column("resident", "居民", "Resident", width=12),
                   exports.Column("note", "备注", "Note", width=30))
        table = []
        for e in view.entries:
            resident = residents.get(e.resident_id or "")
            table.append([e.day, names.get(int(e.person_id), "")
                          if e.person_id.isdigit() else "", kinds.get(e.kind, e.kind),
                          e.points, resident.name if resident else "",
                          notes.get(e.note, e.note)])
    sheet = exports.Sheet(columns, table, _("Duty points"))
    audit(s, "export", person_id=person.id,
          detail={"kind": f"points_{kind}", "format": fmt, "area": area_id,
                  "rows": len(table), "from": first.isoformat(), "to": last.isoformat()})
    name = f"knockdoor-points-{kind}-{first.isoformat()}-{last.isoformat()}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(sheet), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(sheet)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
        "Cache-Control": "no-store"})
