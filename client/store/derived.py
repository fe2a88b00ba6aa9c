"""The SQLite store's derived state: the effective copy of a resident (server copy with the
outstanding edits on top), the visit facts (last met, follow-up) and the search keys."""
from __future__ import annotations

import json
from typing import Iterable

from shared import protocol as p
from shared.due import VisitFact, visit_facts
from shared.legacy import map_resident_data
from shared.search import KEYS_PREFIX, keys_are_current, search_keys

from ..care import rule_from_meta
from .base import FOLLOW_UP_FIELDS, OUTSTANDING, PENDING, _iso, _visit_fact


class DerivedMixin:
    """Part of :class:`~client.store.SqliteStore`: what is computed from the stored records."""

    # ---- derived state -------------------------------------------------------------------

    def _refresh_visit_facts(self, db, resident_ids: Iterable[str]) -> None:
        ids = list(resident_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            visits: dict[str, list[VisitFact]] = {rid: [] for rid in chunk}
            for row in db.execute(f"SELECT id, visited_at, outcome, corrects, correction, "
                                  f"resident_id FROM visits WHERE resident_id IN ({marks})",
                                  chunk):
                visits[row[5]].append(_visit_fact(row))
            follows = rule_from_meta(lambda key: self._get(db, key))
            profiles = {row[0]: json.loads(row[1]) for row in
                        db.execute(f"SELECT id, payload FROM residents WHERE id IN ({marks})",
                                   chunk)}
            updates = []
            for resident_id, facts in visits.items():
                derived = visit_facts(follows(profiles.get(resident_id) or {}), facts)
                updates.append((_iso(derived.last_met_at), _iso(derived.last_visit_at),
                                _iso(derived.follow_up_since), resident_id))
            db.executemany("UPDATE residents SET last_met_at = ?, last_visit_at = ?, "
                           "follow_up_since = ? WHERE id = ?", updates)

    def _refresh_residents(self, db, resident_ids: Iterable[str]) -> None:
        """Recompute the effective copy: the server's copy with outstanding edits on top."""
        ids = list(resident_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            edits: dict[str, list[dict]] = {}
            unsent: dict[str, int] = {}
            for resident_id, entity, state, op_text in db.execute(
                    f"SELECT resident_id, entity, state, op FROM outbox WHERE resident_id IN "
                    f"({marks}) AND state IN (?, ?) ORDER BY seq", (*chunk, *OUTSTANDING)):
                if state == PENDING:
                    unsent[resident_id] = unsent.get(resident_id, 0) + 1
                if entity == p.RESIDENT:
                    edits.setdefault(resident_id, []).append(json.loads(op_text)["data"])
            updates = []
            for resident_id, server_payload, shown, keys in db.execute(
                    f"SELECT id, server_payload, payload, search_keys FROM residents "
                    f"WHERE id IN ({marks})", chunk):
                payload = json.loads(server_payload) if server_payload else {}
                profile_before = [payload.get(name) for name in FOLLOW_UP_FIELDS]
                for change in edits.get(resident_id, ()):
                    payload.update(map_resident_data(change))  # an edit made before the update
                keys = self._current_keys(keys, payload, json.loads(shown) if shown else {})
                updates.append((json.dumps(payload, ensure_ascii=False), payload["name"],
                                keys, payload["address"], unsent.get(resident_id, 0),
                                resident_id))
                if [payload.get(name) for name in FOLLOW_UP_FIELDS] != profile_before:
                    self._refresh_visit_facts(db, [resident_id])
            db.executemany("UPDATE residents SET payload = ?, name = ?, search_keys = ?, "
                           "address = ?, unsent = ? WHERE id = ?", updates)

    @staticmethod
    def _current_keys(keys: str, payload: dict, before: dict) -> str:
        """The search keys of the effective copy. Pinyin is slow: recomputed only when what
        they are made of changed, or when they are of an older format (an updated app)."""
        searched = ("name", "address", "phone")
        if keys_are_current(keys) and all(payload.get(k) == before.get(k) for k in searched):
            return keys
        return search_keys(payload["name"], payload.get("address") or "", payload.get("phone"))

    def _refresh_stale_keys(self) -> None:
        """Search keys written by an older app (another format) are made anew once, when the
        updated app opens the store: a tablet in the field keeps finding its residents."""
        with self.transaction() as db:
            rows = db.execute("SELECT id, payload, search_keys FROM residents WHERE "
                              "substr(search_keys, 1, ?) != ?",
                              (len(KEYS_PREFIX), KEYS_PREFIX)).fetchall()
            updates = [(self._current_keys("", json.loads(payload), {}), resident_id)
                       for resident_id, payload, keys in rows
                       if payload and not keys_are_current(keys)]
            db.executemany("UPDATE residents SET search_keys = ? WHERE id = ?", updates)
