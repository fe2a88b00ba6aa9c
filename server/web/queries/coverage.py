"""Coverage: how many active residents of each area were met within their cadence."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from shared import protocol as p

from ...models import Area
from ..access import Scope
from .residents import ResidentRow

#: Coverage bands, in percent: at or above GOOD the area is on track (green); below LOW it needs
#: action (orange, the colour kept for what needs action); between, under way (blue).
COVERAGE_GOOD = 80
COVERAGE_LOW = 50


def coverage_band(percent: int | None) -> str:
    """"good", "fair", "low", or "none" (no active residents): a colour and its meaning."""
    if percent is None:
        return "none"
    if percent >= COVERAGE_GOOD:
        return "good"
    return "fair" if percent >= COVERAGE_LOW else "low"


@dataclass
class Coverage:
    area: Area
    depth: int
    active: int = 0
    covered: int = 0
    overdue: int = 0
    follow_ups: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.covered / self.active) if self.active else None

    @property
    def band(self) -> str:
        return coverage_band(self.percent)


def coverage_table(scope: Scope, rows: list[ResidentRow], root_ids: list[int],
                   levels: int) -> list[Coverage]:
    """Coverage of each area in ``root_ids`` and ``levels`` levels below, in tree order."""
    per_area: dict[int, Coverage] = {}

    def entry(area_id: int, depth: int) -> Coverage:
        if area_id not in per_area:
            per_area[area_id] = Coverage(scope.areas[area_id], depth)
        return per_area[area_id]

    children: dict[int, list[int]] = defaultdict(list)
    visible = scope.visible_area_ids()
    for area in scope.areas.values():
        if area.parent_id is not None and area.id in visible:
            children[area.parent_id].append(area.id)
    ordered: list[Coverage] = []

    def walk(area_id: int, depth: int) -> None:
        ordered.append(entry(area_id, depth))
        if depth < levels:
            for child in sorted(children[area_id], key=lambda a: scope.areas[a].code):
                walk(child, depth + 1)

    for root in root_ids:
        walk(root, 0)
    chains = {grid: scope.ancestors(grid) for grid in {row.grid_id for row in rows}}
    for row in rows:
        if row.status != "active":
            continue
        for area_id in chains[row.grid_id]:
            if area_id in per_area:
                cov = per_area[area_id]
                cov.active += 1
                cov.covered += row.covered
                cov.overdue += row.overdue
                cov.follow_ups += row.follow_up_since is not None
    return ordered


def dashboard_roots(scope: Scope) -> tuple[list[int], int]:
    """Where the dashboard's coverage table starts, and how many levels below it shows.

    Several streets (the admin): streets and their communities. One street: the street, its
    communities and their grids. One community: the community and its grids.
    """
    visible = scope.visible_area_ids()

    def at_level(level: str) -> list[int]:
        return sorted((a for a in visible if scope.areas[a].level == level),
                      key=lambda a: scope.areas[a].code)

    streets, communities = at_level(p.STREET), at_level(p.COMMUNITY)
    if len(streets) > 1:
        return streets, 1
    if len(communities) > 1:
        return streets, 2
    return communities, 1
