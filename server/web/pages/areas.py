"""An area's coverage, and a grid's residents and people."""
from __future__ import annotations

from flask import redirect, render_template, url_for

from shared import protocol as p

from ...db import db
from ..access import current_scope, not_found, sign_in_required
from ..charts import bar_chart
from ..queries.coverage import coverage_table
from ..queries.people import grid_assignments
from ..queries.residents import filter_residents, resident_rows, summarise
from ..queries.visits import health_flags, met_per_week
from .blueprint import bp
from .residents import resident_list_args


@bp.get("/areas/<int:area_id>")
@sign_in_required
def area(area_id: int):
    scope = current_scope()
    if area_id not in scope.areas or not scope.allows_area(area_id):
        raise not_found()
    target = scope.areas[area_id]
    if target.level == p.GRID:
        return redirect(url_for("web.grid", grid_id=area_id))
    rows = resident_rows(db.session, scope.grids_below(area_id))
    coverage = coverage_table(scope, rows, [area_id], 1)
    return render_template("web/area.html", target=target, coverage=coverage,
                           path=scope.area_path(area_id), active=coverage[0].active,
                           met_chart=bar_chart(met_per_week(db.session,
                                                            scope.grids_below(area_id)),
                                               height=200))


@bp.get("/grids/<int:grid_id>")
@sign_in_required
def grid(grid_id: int):
    scope, s = current_scope(), db.session
    if not scope.allows_grid(grid_id):
        raise not_found()
    show, query = resident_list_args("all")
    rows = resident_rows(s, {grid_id})
    flagged = {f.resident_id for f in health_flags(s, {grid_id})}
    chosen = filter_residents(rows, show, query, flagged)
    chosen.sort(key=lambda r: (r.match, r.due.sort_key))
    return render_template("web/grid.html", target=scope.areas[grid_id],
                           path=scope.area_path(grid_id), rows=chosen,
                           counts=summarise(rows), flagged=flagged, show=show, q=query,
                           people=grid_assignments(s, grid_id))
