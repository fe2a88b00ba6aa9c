"""Collects the records one transaction changes and writes them to the change log together."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, ClassVar

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.district_rules import follows_up
from shared.due import MET_OUTCOMES, VisitFact, visit_facts

from .. import district
from ..models import CaseNote, Conflict, Resident, Visit
from . import changelog
from .bulk import among_bound, bound_array, insert_rows, on_postgres, update_rows
from .changelog import Change
from .locks import check_locked
from .records import conflict_payload, note_payload, resident_payload, visit_payload
from .stamps import fix_pending


@dataclass
class ResidentFacts:
    """The few columns of a resident that its visits change (lighter than the whole record)."""

    COLUMNS: ClassVar[tuple[str, ...]] = ("id", "grid_id", "care_categories", "birth_year",
                                          "risk_tier", "last_visit_at", "last_met_at",
                                          "follow_up_since")
    #: The resident fields that decide whether a no-answer opens a follow-up.
    FOLLOW_UP_FIELDS: ClassVar[frozenset[str]] = frozenset({"care_categories", "birth_year",
                                                            "risk_tier"})
    id: str
    grid_id: int
    care_categories: list[Any] = field(default_factory=list)
    birth_year: int | None = None
    risk_tier: str | None = None
    last_visit_at: datetime | None = None
    last_met_at: datetime | None = None
    follow_up_since: datetime | None = None

    @classmethod
    def of(cls, resident: Resident) -> "ResidentFacts":
        return cls(*(getattr(resident, name) for name in cls.COLUMNS))

    @classmethod
    def selected(cls) -> list:
        """The columns to read for :meth:`from_row`: the care categories as their JSON text."""
        return [cast(Resident.care_categories, Text).label(name) if name == "care_categories"
                else getattr(Resident, name) for name in cls.COLUMNS]

    @classmethod
    def from_row(cls, row) -> "ResidentFacts":
        """A row of :meth:`selected`'s columns as facts."""
        facts = cls(*row)
        facts.care_categories = _care_categories(facts.care_categories)
        return facts

    def follows_up(self) -> bool:
        return district_follows_up(self)


def _care_categories(text: str | None):
    # A batch locks hundreds of residents who share a handful of category lists: each list's
    # text is decoded once (the driver decoded every row's, ~40 % of locking the residents).
    if text is None:
        return None
    value = _decoded(text)
    return list(value) if isinstance(value, list) else value  # a copy: the facts' own


@lru_cache(maxsize=256)
def _decoded(text: str):
    return json.loads(text)


def district_follows_up(resident) -> bool:
    """Whether the district follows up a no-answer at this resident's door (``resident``: a
    Resident or its ResidentFacts)."""
    return follows_up(resident.care_categories, resident.birth_year, resident.risk_tier,
                      district.today(), district.rules())


class ChangeBatch:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.residents: dict[str, Resident] = {}
        self.restamped: dict[str, Resident] = {}
        self.conflicts: dict[str, Conflict] = {}
        self.visits: list[tuple[dict, str | None]] = []
        self.notes: list[tuple[dict, str | None]] = []
        #: Records logged again as they are (a moved resident's history, departure records).
        self.relogged: list[Change] = []
        self._recompute: set[str] = set()
        self._facts: dict[str, ResidentFacts] = {}

    def touch_resident(self, resident: Resident) -> None:
        """Log ``resident`` as it is now: new, or loaded by locks.load_for_update (checked)."""
        check_locked(self.session, resident)
        self.residents[resident.id] = resident

    def note_restamped(self, resident: Resident) -> None:
        """The resident's field stamps changed though no value did (an edit that set a field
        to the value it already had, or lost): its stamps are written at its current version."""
        check_locked(self.session, resident)
        self.restamped[resident.id] = resident

    def add_conflict(self, conflict: Conflict) -> None:
        """Log ``conflict``: new, or loaded by locks.load_for_update (checked)."""
        check_locked(self.session, conflict)
        self.conflicts[conflict.id] = conflict

    def add_visit(self, row: dict, author_name: str | None, resident: ResidentFacts) -> None:
        """``resident``: the visited resident's facts, as locked by the caller."""
        self.visits.append((row, author_name))
        self._facts[resident.id] = resident
        self._follow_visit(resident, row)

    def add_note(self, row: dict, author_name: str | None) -> None:
        self.notes.append((row, author_name))

    def relog(self, change: Change) -> None:
        """Write ``change`` to the log again at a new position (its old row goes)."""
        self.relogged.append(change)

    def recompute_visit_facts(self, resident_id: str) -> None:
        self._recompute.add(resident_id)

    def _follow_visit(self, resident: ResidentFacts, row: dict) -> None:
        """Keep the resident's visit facts current without reading the history, whatever
        order visits arrive in (tablets sync late and out of turn); shared.due is the rule.

        With L the last meeting and F the first "no answer" after it: a late "met" at t moves L
        and leaves F unless F <= t (then the next "no answer" after t is unknown: recompute,
        unless t is the newest visit, when there is none: F closes);
        a "no answer" at t after L opens F, or moves it earlier.
        """
        at, outcome = row["visited_at"], row["outcome"]
        if row["corrects_id"]:
            self._recompute.add(resident.id)
            return
        latest = resident.last_visit_at
        if latest is None or at > latest:
            resident.last_visit_at = at
        met, first_no_answer = resident.last_met_at, resident.follow_up_since
        if outcome in MET_OUTCOMES and (met is None or at > met):
            if first_no_answer is not None and first_no_answer <= at:
                if latest is not None and at < latest:
                    self._recompute.add(resident.id)
                    return
                # The newest visit (a meeting sorts after a "no answer" at the same instant):
                # no "no answer" can follow it, so the follow-up closes without the history.
                resident.follow_up_since = None
            resident.last_met_at = at
        elif outcome == p.NO_ANSWER and district_follows_up(resident) \
                and (met is None or at > met) \
                and (first_no_answer is None or at < first_no_answer):
            resident.follow_up_since = at

    def flush(self, before_positions: Callable[[], object] | None = None
              ) -> dict[tuple[str, str], int]:
        """Insert new rows, take positions, write the log. Returns (entity, id) -> position.
        ``before_positions`` runs once the rows and the residents' visit facts are written, just
        before the positions are taken (whatever it adds to the session is flushed then)."""
        session = self.session
        session.flush()  # new residents first: visits and notes refer to them
        if self.visits:
            insert_rows(session, Visit.__table__, [row for row, _ in self.visits])
        if self.notes:
            insert_rows(session, CaseNote.__table__, [row for row, _ in self.notes])
        session.flush()
        self._write_facts()
        if before_positions is not None:
            before_positions()
            session.flush()
        for resident_id, resident in self.restamped.items():
            if resident_id not in self.residents:
                resident.field_stamps = fix_pending(resident.field_stamps or {}, resident.version)
        count = len(self.residents) + len(self.conflicts) + len(self.relogged) + \
            len(self.visits) + len(self.notes)
        if not count:
            session.flush()
            return {}
        position = changelog.reserve_positions(session, count)
        positions: dict[tuple[str, str], int] = {}
        # Residents never logged before (version 0) have no row to replace.
        residents = sorted(self.residents.values(), key=lambda r: r.version != 0)
        first_logged = next((i for i, r in enumerate(residents) if r.version != 0),
                            len(residents))
        updated: list[Change] = []
        for resident in residents:
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
        for change in self.relogged:
            positions[(change.entity, change.entity_id)] = position
            updated.append(change)
            position += 1
        session.flush()
        start = position - len(updated)
        changelog.append(session, updated[:first_logged], start, fresh=True)
        changelog.append(session, updated[first_logged:], start + first_logged)
        fresh: list[Change] = []
        for row, author in self.visits:
            fresh.append(Change(p.VISIT, row["id"], row["grid_id"], visit_payload(row, author)))
            positions[(p.VISIT, row["id"])] = position + len(fresh) - 1
        for row, author in self.notes:
            fresh.append(Change(p.NOTE, row["id"], row["grid_id"], note_payload(row, author)))
            positions[(p.NOTE, row["id"])] = position + len(fresh) - 1
        changelog.append(session, fresh, position, fresh=True)
        return positions

    def _write_facts(self) -> None:
        """Store the residents' visit facts: followed cheaply, or recomputed from history."""
        if self._recompute:
            history: dict[str, list[VisitFact]] = {rid: [] for rid in self._recompute}
            postgres = on_postgres(self.session)
            histories, profiles_of = _recompute_statements(postgres)
            ids = {"ids": bound_array(self._recompute, postgres)}
            for row in self.session.execute(histories, ids):
                history[row.resident_id].append(VisitFact(row.id, row.visited_at, row.outcome,
                                                          row.corrects_id, row.correction))
            profiles = {row.id: row for row in self.session.execute(profiles_of, ids)}
            for resident_id, visits in history.items():
                facts = self._facts.setdefault(resident_id, ResidentFacts(resident_id, 0))
                profile = profiles.get(resident_id)
                if profile is not None:
                    facts.care_categories = profile.care_categories or []
                    facts.birth_year, facts.risk_tier = profile.birth_year, profile.risk_tier
                derived = visit_facts(district_follows_up(facts), visits)
                facts.last_visit_at = derived.last_visit_at
                facts.last_met_at = derived.last_met_at
                facts.follow_up_since = derived.follow_up_since
        update_rows(self.session, Resident.__table__, "id", [
            {"id": f.id, "last_visit_at": f.last_visit_at, "last_met_at": f.last_met_at,
             "follow_up_since": f.follow_up_since} for f in self._facts.values()])


@lru_cache(maxsize=None)
def _recompute_statements(postgres: bool):
    """The visits and the profiles of residents whose visit facts are recomputed, built once
    per kind of database (see bulk.among_bound)."""
    histories = select(Visit.resident_id, Visit.id, Visit.visited_at, Visit.outcome,
                       Visit.corrects_id, Visit.correction).where(
        among_bound(Visit.resident_id, "ids", postgres))
    profiles = select(Resident.id, Resident.care_categories, Resident.birth_year,
                      Resident.risk_tier).where(among_bound(Resident.id, "ids", postgres))
    return histories, profiles
