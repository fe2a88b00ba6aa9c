"""The filters every query shares: which grids, and the district's calendar day in SQL."""
from __future__ import annotations

from sqlalchemy import false, func, literal_column, true

from ...db import LOCAL_DAY_FUNCTION
from ...district import zone_name
from ..access import Scope


def in_grids(column, grid_ids: set[int] | None):
    """``grid_ids`` None: no restriction (an admin's whole district)."""
    if grid_ids is None:
        return true()
    return column.in_(sorted(grid_ids)) if grid_ids else false()


def grid_filter(scope: Scope, area_id: int | None = None) -> set[int] | None:
    """The grid ids to filter by: None when that is every grid (admin, no area chosen)."""
    if area_id is None:
        return None if scope.is_admin else scope.grid_ids
    return scope.grids_below(area_id)


def local_day(column, dialect: str):
    """The district's calendar day of a UTC instant column, in SQL ('YYYY-MM-DD')."""
    zone = literal_column("'" + zone_name().replace("'", "''") + "'")  # a validated zone name
    if dialect == "postgresql":
        # A literal, not a parameter, so that the same expression can be grouped by.
        return func.to_char(func.timezone(zone, column), "YYYY-MM-DD")
    # SQLite knows no zones: the engine registers this function (server.db).
    return getattr(func, LOCAL_DAY_FUNCTION)(column, zone)
