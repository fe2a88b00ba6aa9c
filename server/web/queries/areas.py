"""Areas a form may offer: the grids and areas in scope."""
from __future__ import annotations

from shared import protocol as p

from ...models import Area
from ..access import Scope


def grids_for_choice(scope: Scope) -> list[Area]:
    return sorted((scope.areas[g] for g in scope.grid_ids), key=lambda a: a.code)


def areas_for_choice(scope: Scope) -> list[Area]:
    """Every area a filter may name: the visible streets, communities and grids."""
    return sorted((scope.areas[a] for a in scope.visible_area_ids()
                   if scope.areas[a].level != p.DISTRICT or scope.is_admin),
                  key=lambda a: (p.AREA_LEVELS.index(a.level), a.code))
