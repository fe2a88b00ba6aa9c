"""Duty points as the web shows them: the ledger of the grids in scope for a period, sums per
person and area, a ranking, and the words for each rule and note (server.points computes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import points as sp
from shared import protocol as p
from shared.clock import utcnow
from shared.points import facts as pf
from shared.points import rules as pr

from ... import points_store
from ...models import Person, Resident
from ..access import Scope
from ..i18n import gettext as _


def kind_words() -> dict[str, str]:
    return {pr.VISIT_MET: _("Visit that met the resident"),
            pr.VISIT_VULNERABLE: _("Resident living alone or aged 80+"),
            pr.FOLLOW_UP_CLOSED: _("No-answer follow-up closed in time"),
            pr.REQUEST_RAISED: _("Request raised"),
            pr.TASK_ON_TIME: _("Task resolved by its deadline"),
            pr.VERDICT_SATISFIED: _("Resident satisfied"),
            pr.TASK_OVERDUE: _("Task overdue"),
            pr.VERDICT_NOT_SATISFIED: _("Resident not satisfied"),
            pr.ADJUSTMENT: _("Adjustment by a supervisor")}


def note_words() -> dict[str, str]:
    return {pf.VOIDED: _("voided: no points"), pf.CORRECTED: _("corrected: counted anew"),
            pf.SAME_DAY: _("already met that day: no points"),
            pf.MINUTES_APART: _("minutes after the last visit: no points"),
            pf.WEEKLY_CAP: _("weekly cap per resident reached")}


@dataclass
class Standing:
    person: Person
    points: int
    rank: int


@dataclass
class PointsView:
    first: date
    last: date
    totals: dict[str, int]                 # person id -> points in the period
    grid_totals: dict[int, int]            # grid -> points for the work done there
    entries: list[sp.Entry] = field(default_factory=list)  # when asked for
    residents: dict[str, Resident] = field(default_factory=dict)  # named by the entries


def points_view(session: Session, grid_ids: set[int], first: date, last: date,
                with_entries: bool = False, person_id: int | None = None) -> PointsView:
    """The period's sums from the stored ledger (server.points_store); its entries too with
    ``with_entries`` (one person's with ``person_id``)."""
    now = utcnow()
    totals, grid_totals = points_store.sums(session, grid_ids, first, last, now)
    view = PointsView(first, last, totals, grid_totals)
    if with_entries or person_id is not None:
        view.entries = points_store.entries(session, grid_ids, first, last, now, person_id)
        ids = sorted({e.resident_id for e in view.entries if e.resident_id})
        for start in range(0, len(ids), 500):
            view.residents.update((r.id, r) for r in session.scalars(
                select(Resident).where(Resident.id.in_(ids[start:start + 500]))))
    return view


def standings(session: Session, view: PointsView, people: list[Person] | None = None,
              field_only: bool = True) -> list[Standing]:
    """People by their points in the period, highest first; ties share a rank."""
    summed = view.totals
    ids = {int(pid) for pid in summed if pid.isdigit()}
    if people is None:
        people = list(session.scalars(select(Person).where(Person.id.in_(sorted(ids))))) \
            if ids else []
    if field_only:
        people = [person for person in people if person.role in p.FIELD_ROLES]
    rows = sorted(((summed.get(str(person.id), 0), person) for person in people),
                  key=lambda pair: (-pair[0], pair[1].display_name, pair[1].id))
    out, rank, previous = [], 0, None
    for index, (total, person) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = index, total
        out.append(Standing(person, total, rank))
    return out


def area_totals(scope: Scope, view: PointsView) -> dict[int, int]:
    """Points per area (each grid and every area above it) for the work done there."""
    summed: dict[int, int] = {}
    for grid_id, total in view.grid_totals.items():
        for area_id in scope.ancestors(grid_id):
            summed[area_id] = summed.get(area_id, 0) + total
    return summed
