"""The SQLite store's copy of what was pulled: pages, evictions, departures, set-aside records,
a reset after a server restore.

A pulled page, its evictions and the new cursor are applied in one transaction
(``apply_page``), and pulled data never hides an edit the server has not echoed back yet."""
from __future__ import annotations

import json
import logging
import sqlite3

from shared import protocol as p

from ..pulled import UnreadableRecord, check_change, quarantine_entry
from .base import _TABLES, ACKED, HELD, PENDING, REJECTED

log = logging.getLogger(__package__)


#: How a pulled record is stored: entity -> (statement, the record's members it binds, how
#: many times its canonical text is bound); position and hash follow. A newer copy replaces
#: the older. A resident's effective copy (payload, name, address, search keys) is recomputed
#: after the page, from the server copy and the outstanding ops. A record that comes back with
#: another grid moved there with its resident. (Departures are not stored: see ``_depart``.)
_UPSERT = {
    p.RESIDENT: ("INSERT INTO residents (id, grid_id, version, name, address, server_payload, "
                 "payload, position, row_hash, search_keys) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '')"
                 " ON CONFLICT(id) DO UPDATE SET grid_id = excluded.grid_id, version = "
                 "excluded.version, server_payload = excluded.server_payload, position = "
                 "excluded.position, row_hash = excluded.row_hash",
                 ("id", "grid_id", "version", "name", "address"), 2),
    p.VISIT: ("INSERT INTO visits (id, resident_id, grid_id, visited_at, outcome, corrects, "
              "correction, payload, position, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT(id) DO UPDATE SET grid_id = excluded.grid_id, visited_at = "
              "excluded.visited_at, outcome = "
              "excluded.outcome, payload = excluded.payload, position = excluded.position, "
              "row_hash = excluded.row_hash",
              ("id", "resident_id", "grid_id", "visited_at", "outcome", "corrects",
               "correction"), 1),
    p.NOTE: ("INSERT INTO notes (id, resident_id, grid_id, written_at, payload, position, "
             "row_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET grid_id = "
             "excluded.grid_id, written_at = excluded.written_at, payload = excluded.payload, "
             "position = excluded.position, "
             "row_hash = excluded.row_hash",
             ("id", "resident_id", "grid_id", "written_at"), 1),
    p.CONFLICT: ("INSERT INTO conflicts (id, resident_id, grid_id, status, payload, position, "
                 "row_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET grid_id = "
                 "excluded.grid_id, status = excluded.status, payload = excluded.payload, "
                 "position = excluded.position, "
                 "row_hash = excluded.row_hash",
                 ("id", "resident_id", "grid_id", "status"), 1),
    p.REQUEST: ("INSERT INTO requests (id, grid_id, resident_id, state, payload, position, "
                "row_hash) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET grid_id = "
                "excluded.grid_id, resident_id = excluded.resident_id, state = excluded.state, "
                "payload = excluded.payload, position = excluded.position, "
                "row_hash = excluded.row_hash",
                ("id", "grid_id", "resident_id", "state"), 1),
}



class ReplicaMixin:
    """Part of :class:`~client.store.SqliteStore`: the server's copy held here."""

    # ---- pull ------------------------------------------------------------------------------

    def apply_page(self, page: dict) -> None:
        """A pulled page, its evictions, grid states and the new cursor: all or nothing."""
        with self.transaction() as db:
            residents_touched: set[str] = set()
            facts_touched: set[str] = set()
            for grid_id in page.get("evict_grids", ()):
                self._evict(db, grid_id)
            set_aside = db.execute("SELECT EXISTS (SELECT 1 FROM quarantine)").fetchone()[0]
            for change in page["changes"]:
                try:
                    entity, data, text, row_hash = check_change(change)
                    if entity == p.DEPARTURE:
                        self._depart(db, data["resident_id"], data["grid_id"])
                        continue
                    if entity == p.CAMPAIGN:
                        db.execute("INSERT INTO campaigns (id, grid_id, payload, position) "
                                   "VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET grid_id"
                                   " = excluded.grid_id, payload = excluded.payload, position"
                                   " = excluded.position",
                                   (data["id"], data["grid_id"], text, change["position"]))
                        continue
                    sql, columns, texts = _UPSERT[entity]
                    # A statement SQLite refuses is undone alone; the transaction goes on.
                    db.execute(sql, [data[name] for name in columns] + [text] * texts +
                               [change["position"], row_hash])
                except (UnreadableRecord, sqlite3.Error) as problem:
                    self._quarantine(db, change, problem)
                    set_aside = True
                    continue
                if set_aside:  # a readable copy replaces one set aside earlier
                    db.execute("DELETE FROM quarantine WHERE entity = ? AND id = ?",
                               (entity, data["id"]))
                if entity == p.RESIDENT:
                    residents_touched.add(data["id"])
                elif entity == p.VISIT:
                    facts_touched.add(data["resident_id"])
            for grid in page.get("grids", ()):
                db.execute("INSERT INTO grids (id, name, digest, facts_digest) VALUES (?, ?, ?, ?)"
                           " ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                           "digest = COALESCE(excluded.digest, grids.digest), facts_digest = "
                           "COALESCE(excluded.facts_digest, grids.facts_digest)",
                           (grid["id"], grid["name"], grid.get("digest"),
                            grid.get("facts_digest")))
            self._set_meta(db, {"cursor": page["cursor"]})
            if page["changes"]:
                self._note_seen(db, position=max(c["position"] for c in page["changes"]))
            self._drop_echoed(db)
            # The effective copy first (its living situation decides follow-ups), then the
            # facts of every resident the page touched, resident or visit, from all the visits
            # held: whichever page a resident or its visits arrive in, the facts come out the
            # same (tests/property/test_paging.py).
            self._refresh_residents(db, residents_touched)
            self._refresh_visit_facts(db, facts_touched | residents_touched)

    @staticmethod
    def _quarantine(db, change, problem: Exception) -> None:
        """Keep a pulled record the tablet cannot apply, instead of failing the whole sync."""
        entry = quarantine_entry(change, f"{problem.__class__.__name__}: {problem}")
        log.warning("pulled record set aside: %s %s: %s", entry["entity"], entry["id"],
                    entry["reason"])
        db.execute("INSERT INTO quarantine (entity, id, grid_id, position, payload, reason, "
                   "row_hash) VALUES (:entity, :id, :grid_id, :position, :payload, :reason, "
                   ":row_hash) ON CONFLICT(entity, id) DO UPDATE SET grid_id = excluded.grid_id,"
                   " position = excluded.position, payload = excluded.payload, reason = "
                   "excluded.reason, row_hash = excluded.row_hash", entry)
        table = _TABLES.get(entry["entity"])
        if table:  # an older copy still shows, but the set-aside one is what the server holds
            db.execute(f"UPDATE {table} SET row_hash = NULL WHERE id = ?", (entry["id"],))

    def campaigns(self) -> list[dict]:
        """The campaigns pulled for the tablet's grids, as the server sent them."""
        with self.reading() as db:
            return [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM campaigns ORDER BY position")]

    def quarantined(self) -> list[dict]:
        """Pulled records set aside because the tablet cannot apply them, with the reason."""
        with self.reading() as db:
            rows = db.execute("SELECT entity, id, grid_id, position, reason FROM quarantine "
                              "ORDER BY position").fetchall()
        return [dict(zip(("entity", "id", "grid_id", "position", "reason"), row))
                for row in rows]

    def _evict(self, db, grid_id: int) -> None:
        """Drop a grid that left the device's scope. Its unsent ops stay, to be delivered."""
        for table in ("residents", "visits", "notes", "conflicts", "requests"):
            if table == "visits" or table == "notes":
                # keep rows still waiting in the outbox: the volunteer's own unsent work
                db.execute(f"DELETE FROM {table} WHERE grid_id = ? AND id NOT IN ("
                           f"SELECT entity_id FROM outbox WHERE state IN (?, ?))",
                           (grid_id, PENDING, REJECTED))
            else:
                db.execute(f"DELETE FROM {table} WHERE grid_id = ?", (grid_id,))
        db.execute("DELETE FROM outbox WHERE grid_id = ? AND state IN (?, ?)",
                   (grid_id, ACKED, HELD))
        db.execute("DELETE FROM quarantine WHERE grid_id = ?", (grid_id,))
        db.execute("DELETE FROM campaigns WHERE grid_id = ?", (grid_id,))
        db.execute("DELETE FROM drafts WHERE grid_id = ?", (grid_id,))  # client/drafts.py
        db.execute("DELETE FROM grids WHERE id = ?", (grid_id,))

    def _depart(self, db, resident_id: str, grid_id: int) -> None:
        """A resident moved out of ``grid_id``: drop them and their history held for that grid
        (copies already received for the new grid stay). Unsent work stays, to be delivered."""
        db.execute("DELETE FROM residents WHERE id = ? AND grid_id = ?", (resident_id, grid_id))
        db.execute("DELETE FROM conflicts WHERE resident_id = ? AND grid_id = ?",
                   (resident_id, grid_id))
        for table in ("visits", "notes"):
            db.execute(f"DELETE FROM {table} WHERE resident_id = ? AND grid_id = ? AND id NOT IN "
                       f"(SELECT entity_id FROM outbox WHERE state IN (?, ?))",
                       (resident_id, grid_id, PENDING, REJECTED))

    def reset_replica(self) -> None:
        """Forget all pulled data and the cursor, keeping the outbox: the next pull starts over."""
        with self.transaction() as db:
            self._reset_replica(db)

    @staticmethod
    def _reset_replica(db) -> None:
        for table in ("residents", "conflicts", "grids", "quarantine", "campaigns",
                      "requests"):
            db.execute(f"DELETE FROM {table}")
        # Visits and notes of ops not yet echoed stay, as local records again: the volunteer's
        # work does not vanish while the copy is pulled anew.
        for table in ("visits", "notes"):
            db.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT entity_id FROM outbox "
                       f"WHERE state IN (?, ?, ?))", (PENDING, ACKED, REJECTED))
            db.execute(f"UPDATE {table} SET position = NULL, row_hash = NULL")
        db.execute("DELETE FROM meta WHERE key IN ('cursor', 'seen_position')")

    def restart_after_restore(self, applied_seq: int, epoch: str, epoch_since: int) -> int:
        """The server was restored from a backup: it holds this device's ops up to sequence
        number ``applied_seq`` and shares history with what was pulled here up to position
        ``epoch_since``. In one transaction: every op after ``applied_seq`` is queued again
        (same op id, same sequence number, same content), an edit based on history the server
        lost is re-based on what it still holds (so that it meets later edits as a conflict
        instead of overwriting them), the copy is forgotten and ``epoch`` adopted. Returns how
        many ops are queued again."""
        with self.transaction() as db:
            again = db.execute("UPDATE outbox SET state = ?, status = NULL, version = NULL, "
                               "acked_at = NULL WHERE state IN (?, ?) AND seq > ?",
                               (PENDING, ACKED, HELD, applied_seq)).rowcount
            for seq, text in db.execute("SELECT seq, op FROM outbox WHERE state = ? AND seq > ? "
                                        "AND entity = ?", (PENDING, applied_seq, p.RESIDENT)
                                        ).fetchall():
                op = json.loads(text)
                if op.get("base_version", 0) > epoch_since:
                    op["base_version"] = epoch_since
                    db.execute("UPDATE outbox SET op = ? WHERE seq = ?",
                               (json.dumps(op, ensure_ascii=False), seq))
            self._reset_replica(db)
            acked = min(int(self._get(db, "acked_seq") or 0), applied_seq)
            self._set_meta(db, {"epoch": epoch, "acked_seq": str(acked)})
        return again
