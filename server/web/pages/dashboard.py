"""The dashboard, and the lists it links to: one day's visits, the health flags."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from shared import protocol as p

from ...db import db
from ...errors import ApiError
from ..access import current_scope, not_found, sign_in_required
from ..charts import bar_chart
from ..forms import parse_date
from ..i18n import gettext as _
from ..queries.conflicts import count_open_conflicts
from ..queries.coverage import (COVERAGE_GOOD, COVERAGE_LOW, coverage_band, coverage_table,
                                dashboard_roots)
from ..queries.filters import grid_filter
from ..queries.residents import fill_names, filter_residents, resident_rows, summarise
from ..queries.tablets import STALE_DEVICE_DAYS, stale_devices
from ..queries.visits import (DIASTOLIC_FLAG, HEALTH_WINDOW_DAYS, SYSTOLIC_FLAG, health_flags,
                              visits_on_day, visits_per_day)
from ..timeutil import local_today
from .blueprint import bp
from .campaigns import open_campaigns  # issue 12: campaigns and the monthly figures
from .reports import dashboard_card
from .requests import dashboard_card as request_dashboard_card

#: Rows the dashboard's lists show; the full lists are one click away.
LISTED = 10


@bp.get("/")
@sign_in_required
def dashboard():
    scope, s = current_scope(), db.session
    grid_ids = grid_filter(scope)
    rows = resident_rows(s, grid_ids, brief=True)
    roots, levels = dashboard_roots(scope)
    coverage = coverage_table(scope, rows, roots, levels)
    follow_ups = filter_residents(rows, "follow_up")
    overdue = filter_residents(rows, "overdue")
    fill_names(s, follow_ups[:LISTED] + overdue[:LISTED])
    flags = health_flags(s, grid_ids)
    open_conflicts = count_open_conflicts(s, scope)
    stale = stale_devices(s, scope)
    chart = bar_chart(visits_per_day(s, grid_ids))
    totals = summarise(rows)
    percent = round(100 * totals["covered"] / totals["active"]) if totals["active"] else None
    return render_template("web/dashboard.html", coverage=coverage, totals=totals,
                           coverage_percent=percent, band=coverage_band(percent),
                           bands=(COVERAGE_LOW, COVERAGE_GOOD),
                           monthly=dashboard_card(scope), campaigns=open_campaigns(scope),
                           follow_ups=follow_ups, overdue=overdue, flags=flags,
                           open_conflicts=open_conflicts, stale=stale, chart=chart,
                           health_days=HEALTH_WINDOW_DAYS,
                           stale_days=STALE_DEVICE_DAYS, listed=LISTED,
                           requests_card=request_dashboard_card(scope))


@bp.get("/visits")
@sign_in_required
def visits():
    scope = current_scope()
    day = parse_date(request.args.get("day"), local_today())
    if day is None:
        raise ApiError(400, p.ERR_INVALID_BODY, _("day: Not a valid date."))
    area_id = request.args.get("area", type=int)
    if area_id is not None and not scope.allows_area(area_id):
        raise not_found()
    rows = visits_on_day(db.session, grid_filter(scope, area_id), day)
    return render_template("web/visits.html", day=day, rows=rows, area_id=area_id,
                           one_day=timedelta(days=1))


@bp.get("/health")
@sign_in_required
def health():
    scope = current_scope()
    flags = health_flags(db.session, grid_filter(scope))
    return render_template("web/health.html", flags=flags, days=HEALTH_WINDOW_DAYS,
                           systolic=SYSTOLIC_FLAG, diastolic=DIASTOLIC_FLAG)
