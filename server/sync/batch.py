"""Collects the records one transaction changes and writes them to the change log together."""
from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.due import VisitFact, last_met, open_follow_up

from ..models import CaseNote, Conflict, Resident, Visit
from . import changelog
from .changelog import Change
from .records import conflict_payload, note_payload, resident_payload, visit_payload
from .stamps import fix_pending


class ChangeBatch:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.residents: dict[str, Resident] = {}
        self.restamped: dict[str, Resident] = {}
        self.conflicts: dict[str, Conflict] = {}
        self.visits: list[tuple[dict, str | None]] = []
        self.notes: list[tuple[dict, str | None]] = []
        self._recompute: set[str] = set()

    def touch_resident(self, resident: Resident) -> None:
        self.residents[resident.id] = resident

    def note_restamped(self, resident: Resident) -> None:
        """The resident's field stamps changed though no value did (an edit that set a field
        to the value it already had, or lost): its stamps are written at its current version."""
        self.restamped[resident.id] = resident

    def add_conflict(self, conflict: Conflict) -> None:
        self.conflicts[conflict.id] = conflict

    def add_visit(self, row: dict, author_name: str | None, resident: Resident) -> None:
        self.visits.append((row, author_name))
        self._follow_visit(resident, row)

    def add_note(self, row: dict, author_name: str | None) -> None:
        self.notes.append((row, author_name))

    def recompute_visit_facts(self, resident: Resident) -> None:
        self._recompute.add(resident.id)

    def _follow_visit(self, resident: Resident, row: dict) -> None:
        """Keep the resident's derived visit facts current; the cheap path for in-order visits."""
        at, outcome = row["visited_at"], row["outcome"]
        if row["corrects_id"] or (resident.last_visit_at and at < resident.last_visit_at):
            self._recompute.add(resident.id)
            return
        resident.last_visit_at = at
        if outcome == p.MET:
            resident.last_met_at = at
            resident.follow_up_since = None
        elif outcome == p.NO_ANSWER and p.ALONE in (resident.living_situation or ()) \
                and resident.follow_up_since is None:
            resident.follow_up_since = at

    def flush(self) -> dict[tuple[str, str], int]:
        """Insert new rows, take positions, write the log. Returns (entity, id) -> position."""
        session = self.session
        session.flush()  # new residents first: visits and notes refer to them
        if self.visits:
            session.execute(insert(Visit), [row for row, _ in self.visits])
        if self.notes:
            session.execute(insert(CaseNote), [row for row, _ in self.notes])
        session.flush()
        self._recompute_facts()
        for resident_id, resident in self.restamped.items():
            if resident_id not in self.residents:
                resident.field_stamps = fix_pending(resident.field_stamps or {}, resident.version)
        count = len(self.residents) + len(self.conflicts) + len(self.visits) + len(self.notes)
        if not count:
            session.flush()
            return {}
        position = changelog.reserve_positions(session, count)
        positions: dict[tuple[str, str], int] = {}
        updated: list[Change] = []
        for resident in self.residents.values():
            resident.version = position
            resident.field_stamps = fix_pending(resident.field_stamps or {}, position)
            positions[(p.RESIDENT, resident.id)] = position
            updated.append(Change(p.RESIDENT, resident.id, resident.grid_id,
                                  resident_payload(resident)))
            position += 1
        for conflict in self.conflicts.values():
            positions[(p.CONFLICT, conflict.id)] = position
            updated.append(Change(p.CONFLICT, conflict.id, conflict.grid_id,
                                  conflict_payload(conflict)))
            position += 1
        session.flush()
        changelog.append(session, updated, position - len(updated))
        fresh: list[Change] = []
        for row, author in self.visits:
            fresh.append(Change(p.VISIT, row["id"], row["grid_id"], visit_payload(row, author)))
            positions[(p.VISIT, row["id"])] = position + len(fresh) - 1
        for row, author in self.notes:
            fresh.append(Change(p.NOTE, row["id"], row["grid_id"], note_payload(row, author)))
            positions[(p.NOTE, row["id"])] = position + len(fresh) - 1
        changelog.append(session, fresh, position, fresh=True)
        return positions

    def _recompute_facts(self) -> None:
        if not self._recompute:
            return
        facts: dict[str, list[VisitFact]] = {rid: [] for rid in self._recompute}
        for row in self.session.execute(select(
                Visit.resident_id, Visit.id, Visit.visited_at, Visit.outcome, Visit.corrects_id,
                Visit.correction).where(Visit.resident_id.in_(list(self._recompute)))):
            facts[row.resident_id].append(VisitFact(row.id, row.visited_at, row.outcome,
                                                    row.corrects_id, row.correction))
        for resident_id, visits in facts.items():
            resident = self.session.get(Resident, resident_id)
            times = [v.visited_at for v in visits]
            resident.last_visit_at = max(times) if times else None
            resident.last_met_at = last_met(visits)
            resident.follow_up_since = open_follow_up(resident.living_situation, visits)
