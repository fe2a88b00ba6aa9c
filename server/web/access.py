"""Who is signed in to the web view, and what they may see.

A web session (server-side, see :mod:`.sessions`) holds only the person's id; the person and their
scope are read again on every request, so deactivating someone or ending their assignment takes
effect at their next click.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from flask import g, redirect, request, session, url_for
from sqlalchemy import select

from shared import protocol as p

from ..db import db
from ..errors import ApiError
from ..models import Area, Person
from ..scope import current_assignments, grids_in_scope
from .i18n import gettext as _
from .timeutil import local_today

WEB_ROLES = (p.SUPERVISOR, p.ADMIN)
#: Roles a supervisor may give to people they add; only an admin makes supervisors and admins.
SUPERVISOR_GRANTABLE_ROLES = p.FIELD_ROLES


@dataclass(frozen=True, slots=True)
class AreaRow:
    """What the pages read of an area (the tree is read on every request: plain rows, not ORM
    objects, so a district of hundreds of grids costs little)."""

    id: int
    level: str
    parent_id: int | None
    name: str
    code: str


@dataclass
class Scope:
    """The grids a signed-in person may see, and the area tree around them."""

    person: Person
    grid_ids: set[int]
    areas: dict[int, AreaRow] = field(default_factory=dict)  # every area, by id
    #: The areas the person is currently assigned to, and every area below them: where they
    #: manage people. The areas above (the street of a community) are visible, never managed.
    own_area_ids: set[int] = field(default_factory=set)
    _visible: set[int] | None = field(default=None, repr=False)

    @property
    def is_admin(self) -> bool:
        return self.person.role == p.ADMIN

    def allows_grid(self, grid_id: int | None) -> bool:
        return grid_id is not None and grid_id in self.grid_ids

    def grids_below(self, area_id: int) -> set[int]:
        """Grids in scope at or under ``area_id``."""
        return {grid for grid in self.grid_ids if area_id in self.ancestors(grid)}

    def ancestors(self, area_id: int) -> list[int]:
        """``area_id`` and its parents up to the district."""
        chain = []
        while area_id is not None and area_id in self.areas:
            chain.append(area_id)
            area_id = self.areas[area_id].parent_id
        return chain

    def visible_area_ids(self) -> set[int]:
        """Every area holding at least one grid in scope (computed once per request)."""
        if self._visible is None:
            self._visible = {area for grid in self.grid_ids for area in self.ancestors(grid)}
        return self._visible

    def allows_area(self, area_id: int) -> bool:
        return area_id in self.visible_area_ids()

    def manages_area(self, area_id: int | None) -> bool:
        """May this person manage what is placed in ``area_id`` (people, assignments)?"""
        return self.is_admin or area_id in self.own_area_ids

    def area_path(self, area_id: int) -> str:
        names = [self.areas[a].name for a in reversed(self.ancestors(area_id))
                 if self.areas[a].level != p.DISTRICT]
        return " / ".join(names)


def load_scope(person: Person) -> Scope:
    session = db.session
    today = local_today()
    areas = {row.id: AreaRow(*row) for row in session.execute(
        select(Area.id, Area.level, Area.parent_id, Area.name, Area.code))}
    assigned = {a.area_id for a in current_assignments(session, person, today)} \
        if person.active else set()
    return Scope(person, grids_in_scope(session, person, today), areas,
                 _at_or_below(areas, assigned))


def _at_or_below(areas: dict[int, AreaRow], roots: set[int]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for area in areas.values():
        children.setdefault(area.parent_id, []).append(area.id)
    found, stack = set(), list(roots)
    while stack:
        area_id = stack.pop()
        if area_id not in found:
            found.add(area_id)
            stack.extend(children.get(area_id, ()))
    return found


def current_person() -> Person | None:
    if "web_person" not in g:
        person_id = session.get("person_id")
        person = db.session.get(Person, person_id) if person_id else None
        if person is not None and (not person.active or person.role not in WEB_ROLES):
            person = None
        g.web_person = person
    return g.web_person


def current_scope() -> Scope:
    if "web_scope" not in g:
        g.web_scope = load_scope(current_person())
    return g.web_scope


def sign_in_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_person() is None:
            session.pop("person_id", None)
            return redirect(url_for("web.sign_in", next=request.full_path))
        return view(*args, **kwargs)
    return wrapper


def admin_required(view):
    @wraps(view)
    @sign_in_required
    def wrapper(*args, **kwargs):
        if current_person().role != p.ADMIN:
            raise forbidden()
        return view(*args, **kwargs)
    return wrapper


def not_found() -> ApiError:
    """Out of scope answers exactly like missing, so a URL reveals nothing about other areas."""
    return ApiError(404, p.ERR_NOT_FOUND, _("Not found, or not in your area."))


def chosen_area(scope) -> int | None:
    """The area the page was asked for (``?area=``), if any; 404 when it is not one of the
    person's areas."""
    area_id = request.args.get("area", type=int)
    if area_id is not None and (area_id not in scope.areas or not scope.allows_area(area_id)):
        raise not_found()
    return area_id


def forbidden() -> ApiError:
    return ApiError(403, p.ERR_FORBIDDEN, _("Your role may not do this."))
