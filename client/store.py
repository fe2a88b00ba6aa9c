"""The tablet's local store.

:class:`LocalStore` is the small contract the sync engine needs; :class:`SqliteStore` is the
real one (a SQLite file migrated by Alembic) and :class:`MemoryStore` an in-memory one for
fast tests of the engine. Both pass tests/contract/test_local_store_contract.py.

Two rules carry the offline guarantees:

* A local change and its outbox entry are written in one transaction (``add_op``).
* A pulled page, its evictions and the new cursor are applied in one transaction
  (``apply_page``), and pulled data never hides an edit the server has not echoed back yet:
  the volunteer always sees the server's copy with their own outstanding edits on top.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from shared import protocol as p
from shared.clock import isoformat, parse_instant
from shared.digest import combine, facts_hash
from shared.due import VisitFact, visit_facts
from shared.legacy import map_resident_data
from shared.search import KEYS_PREFIX, keys_are_current, search_keys

from .care import RULES_META, rule_from_meta
from .encryption import SECRET_SUFFIX, Keyring, cipher_module, default_seal, is_plain_sqlite
from .pulled import UnreadableRecord, check_change, quarantine_entry

log = logging.getLogger(__name__)

#: Resident fields that decide whether a no-answer opens a follow-up.
FOLLOW_UP_FIELDS = ("care_categories", "birth_year", "risk_tier")

#: An op's life in the outbox: pending -> acked (the server applied it) -> held (its echo came
#: back) -> deleted after HELD_DAYS; or rejected (kept, shown, until dismissed). A held op has
#: no effect on what the volunteer sees; it is kept to be sent again should the server be
#: restored from a backup that lacks it (docs/operations.md).
PENDING, ACKED, HELD, REJECTED = "pending", "acked", "held", "rejected"
#: States whose op still shows on top of the server's copy.
OUTSTANDING = (PENDING, ACKED)
HELD_DAYS = 30


class LocalStore(Protocol):
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, values: dict[str, str | None]) -> None: ...
    def add_op(self, op: dict, local_record: dict | None) -> int: ...
    def pending_ops(self, limit: int) -> list[dict]: ...
    def count_ops(self, state: str) -> int: ...
    def record_results(self, results: list[dict], now: str) -> None: ...
    def cursor(self) -> str | None: ...
    def apply_page(self, page: dict) -> None: ...
    def local_digests(self) -> dict[int, str]: ...
    def grids_with_outstanding_ops(self) -> set[int]: ...
    def reset_replica(self) -> None: ...
    def restart_after_restore(self, applied_seq: int, epoch: str, epoch_since: int) -> int: ...
    def wipe(self) -> None: ...
    def record(self, entity: str, record_id: str) -> dict | None: ...
    def outbox(self, state: str | None = None) -> list[dict]: ...
    def server_digests(self) -> dict[int, str | None]: ...
    def quarantined(self) -> list[dict]: ...
    def local_fact_digests(self) -> dict[int, str]: ...
    def server_fact_digests(self) -> dict[int, str | None]: ...
    def campaigns(self) -> list[dict]: ...


def local_visit_record(op: dict, author_name: str | None, author_id: int | None) -> dict:
    """How a visit made here looks until the server's copy comes back."""
    data = {key: value for key, value in op["data"].items() if value not in (None, [], {})}
    return {"id": op["entity_id"], "grid_id": op["grid_id"], "author_id": author_id,
            "author_name": author_name, "visited_at": op["device_time"],
            "device_time": op["device_time"], "recorded_at": None,
            "outcome": data.pop("outcome", None), "corrects": data.pop("corrects", None),
            "correction": data.pop("correction", None), **data}


def local_note_record(op: dict, author_name: str | None, author_id: int | None) -> dict:
    data = op["data"]
    return {"id": op["entity_id"], "grid_id": op["grid_id"], "resident_id": data["resident_id"],
            "author_id": author_id, "author_name": author_name,
            "written_at": op["device_time"], "device_time": op["device_time"],
            "recorded_at": None, "text": data.get("text"), "corrects": data.get("corrects"),
            "correction": data.get("correction")}


def _visit_fact(row) -> VisitFact:
    return VisitFact(row[0], parse_instant(row[1]), row[2], row[3], row[4])


def _params_json(reason: dict) -> str | None:
    """The parameters of the server's reason for a refusal, as stored (a dict, else none)."""
    params = reason.get("params")
    return json.dumps(params, ensure_ascii=False) if isinstance(params, dict) and params \
        else None


def _iso(moment: datetime | None) -> str | None:
    return isoformat(moment) if moment else None


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
}


_TABLES = {p.RESIDENT: "residents", p.VISIT: "visits", p.NOTE: "notes",
           p.CONFLICT: "conflicts"}


class SqliteStore:
    """The real store: one SQLite file, migrated with Alembic, safe to use from two threads."""

    def __init__(self, path: str | Path, *, encrypt: bool = True) -> None:
        """``encrypt``: use SQLCipher where the platform has it (False: plain, for tests of
        the upgrade from a plain store)."""
        self.path = Path(path)
        self._encrypt = encrypt
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = None
        self.keyring: Keyring | None = None
        self._open()

    @property
    def encrypted(self) -> bool:
        """Is the file encrypted at rest? (False only where SQLCipher is unavailable.)"""
        return bool(self.keyring and self.keyring.encrypted)

    # ---- life cycle ----------------------------------------------------------------------

    def _open(self) -> None:
        from .migrate import upgrade_local
        self.path.parent.mkdir(parents=True, exist_ok=True)
        module = cipher_module() if self._encrypt else None
        if module is None and self._encrypt:
            log.warning("SQLCipher is not available here: the local store is NOT encrypted")
        self.keyring = Keyring(self.path, module, default_seal() if module else None)
        if self.keyring.encrypted and self.path.exists():
            if is_plain_sqlite(self.path):
                self.keyring.encrypt_plain_store()
            elif not self.keyring.readable():
                # The secret that opened it is gone (wiped mid-way): nothing in it can be read.
                log.error("the local store cannot be decrypted; starting a new one")
                self._delete_files(keep_secret=True)
        upgrade_local(self.path, self.keyring)
        connection = self.keyring.connect(isolation_level=None, check_same_thread=False,
                                          timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # a tablet may lose power at any time
        connection.execute("PRAGMA foreign_keys=ON")
        self._connection = connection
        self._refresh_stale_keys()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._connection

    def wipe(self) -> None:
        """Forget everything: personal data must not stay on a revoked tablet. The secret
        goes first, so whatever flash still holds of the old file cannot be decrypted."""
        with self._lock:
            self.close()
            self._delete_files(keep_secret=False)
            self._open()

    def _delete_files(self, keep_secret: bool) -> None:
        suffixes = ("", "-wal", "-shm", "-journal") if keep_secret else \
            (SECRET_SUFFIX, "", "-wal", "-shm", "-journal")
        for suffix in suffixes:
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # ---- meta ------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self.reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, values: dict[str, str | None]) -> None:
        with self.transaction() as db:
            changed_rules = RULES_META in values and values[RULES_META] != self._get(db, RULES_META)
            self._set_meta(db, values)
            if changed_rules:  # who is followed up may have changed: the facts follow
                self._refresh_visit_facts(db, [row[0] for row in
                                               db.execute("SELECT id FROM residents")])

    @staticmethod
    def _set_meta(db, values: dict[str, str | None]) -> None:
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
                       "DO UPDATE SET value = excluded.value", list(values.items()))

    def cursor(self) -> str | None:
        return self.get_meta("cursor")

    # ---- local changes -------------------------------------------------------------------

    def add_op(self, op: dict, local_record: dict | None) -> int:
        """Append ``op`` to the outbox and show its effect, in one transaction.

        ``op`` has no ``seq`` yet: the store hands out the next one. ``local_record`` is the
        record a create op makes, as it should look until the server's copy arrives.
        """
        with self.transaction() as db:
            seq = int(self._get(db, "next_seq") or 1)
            op = {**op, "seq": seq}
            resident_id = op["entity_id"] if op["entity"] == p.RESIDENT else \
                op["data"]["resident_id"]
            # The name travels with the op: a rejected op must stay readable even after its
            # grid has left the tablet.
            db.execute("INSERT INTO outbox (seq, op_id, entity, entity_id, grid_id, resident_id,"
                       " resident_name, op, state, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                       "(SELECT name FROM residents WHERE id = ?), ?, ?, ?)",
                       (seq, op["op_id"], op["entity"], op["entity_id"], op["grid_id"],
                        resident_id, resident_id, json.dumps(op, ensure_ascii=False), PENDING,
                        op["device_time"]))
            self._set_meta(db, {"next_seq": str(seq + 1)})
            if op["entity"] == p.VISIT:
                record = {**local_record, "resident_id": resident_id}
                db.execute("INSERT INTO visits (id, resident_id, grid_id, visited_at, outcome,"
                           " corrects, correction, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (record["id"], resident_id, op["grid_id"], record["visited_at"],
                            record["outcome"], record["corrects"], record["correction"],
                            json.dumps(record, ensure_ascii=False)))
                self._refresh_visit_facts(db, [resident_id])
            elif op["entity"] == p.NOTE:
                db.execute("INSERT INTO notes (id, resident_id, grid_id, written_at, payload) "
                           "VALUES (?, ?, ?, ?, ?)",
                           (local_record["id"], resident_id, op["grid_id"],
                            local_record["written_at"],
                            json.dumps(local_record, ensure_ascii=False)))
            self._refresh_residents(db, [resident_id])
        return seq

    @staticmethod
    def _get(db, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # ---- push ------------------------------------------------------------------------------

    def pending_ops(self, limit: int) -> list[dict]:
        with self.reading() as db:
            rows = db.execute("SELECT op FROM outbox WHERE state = ? ORDER BY seq LIMIT ?",
                              (PENDING, limit)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def record_results(self, results: list[dict], now: str) -> None:
        """What the server said about pushed ops, all in one transaction."""
        with self.transaction() as db:
            touched = set()
            for result in results:
                if result["status"] == p.REJECTED:
                    reason = result.get("reason") or {}
                    db.execute("UPDATE outbox SET state = ?, status = ?, reason_code = ?, "
                               "reason = ?, reason_params = ?, acked_at = ? WHERE op_id = ? "
                               "AND state = ?",
                               (REJECTED, result["status"], reason.get("code"),
                                reason.get("message"), _params_json(reason), now,
                                result["op_id"], PENDING))
                else:
                    db.execute("UPDATE outbox SET state = ?, status = ?, version = ?, "
                               "acked_at = ? WHERE op_id = ? AND state = ?",
                               (ACKED, result["status"], result.get("version"), now,
                                result["op_id"], PENDING))
                    self._note_seen(db, position=result.get("version"),
                                    acked_seq=result.get("seq"))
                row = db.execute("SELECT resident_id FROM outbox WHERE op_id = ?",
                                 (result["op_id"],)).fetchone()
                if row:
                    touched.add(row[0])
            self._drop_echoed(db)
            cutoff = isoformat(parse_instant(now) - timedelta(days=HELD_DAYS))
            db.execute("DELETE FROM outbox WHERE state = ? AND acked_at < ?", (HELD, cutoff))
            self._refresh_residents(db, touched)

    def _note_seen(self, db, position: int | None = None, acked_seq: int | None = None) -> None:
        """Remember how far this server's history has been seen here: the highest log position
        pulled or acknowledged, and the highest sequence number acknowledged. A server that
        later holds less was restored from a backup (SyncEngine.check_server)."""
        for key, value in (("seen_position", position), ("acked_seq", acked_seq)):
            if isinstance(value, int) and value > int(self._get(db, key) or 0):
                self._set_meta(db, {key: str(value)})

    def _drop_echoed(self, db) -> None:
        """Acked ops whose effect the pulled copy already holds are done: held, no longer shown.
        So are acked ops for a resident no longer on this tablet (moved to another grid, or the
        grid left): their echo will never come here, and the server has them."""
        for table, entity in (("residents", p.RESIDENT), ("visits", p.VISIT),
                              ("notes", p.NOTE)):
            db.execute(f"UPDATE outbox SET state = ? WHERE state = ? AND entity = ? AND EXISTS ("
                       f"SELECT 1 FROM {table} t WHERE t.id = outbox.entity_id AND "
                       f"t.position IS NOT NULL AND t.position >= outbox.version)",
                       (HELD, ACKED, entity))
        gone = db.execute("UPDATE outbox SET state = ? WHERE state = ? AND resident_id NOT IN ("
                          "SELECT id FROM residents)", (HELD, ACKED)).rowcount
        if gone:
            for table in ("visits", "notes"):  # local copies of work the server now holds
                db.execute(f"DELETE FROM {table} WHERE position IS NULL AND id NOT IN ("
                           f"SELECT entity_id FROM outbox WHERE state IN (?, ?, ?))",
                           (PENDING, ACKED, REJECTED))

    # ---- refused changes -------------------------------------------------------------------

    _REJECTED_COLUMNS = ("seq, op_id, entity, entity_id, grid_id, resident_id, resident_name, "
                         "op, reason_code, reason, created_at")

    def _settle_rejection(self, db, op_id: str, outcome: str, now: str,
                          resubmitted_as: str | None = None) -> tuple | None:
        """Keep a trace of a refused change the volunteer acted on; returns its outbox row."""
        row = db.execute(f"SELECT {self._REJECTED_COLUMNS} FROM outbox WHERE op_id = ? AND "
                         f"state = ?", (op_id, REJECTED)).fetchone()
        if row is not None:
            db.execute(f"INSERT INTO settled_rejections ({self._REJECTED_COLUMNS}, settled_at, "
                       f"outcome, resubmitted_as) VALUES ({', '.join('?' * 14)})",
                       (*row, now, outcome, resubmitted_as))
        return row

    def dismiss_rejected(self, op_id: str, now: str) -> bool:
        """The volunteer read a refused change and lets it go: it leaves the list (and its
        local record the screens), and a trace stays. False if there is no such refused op."""
        with self.transaction() as db:
            row = self._settle_rejection(db, op_id, "dismissed", now)
            if row is None:
                return False
            entity, entity_id, resident_id = row[2], row[3], row[5]
            db.execute("DELETE FROM outbox WHERE op_id = ?", (op_id,))
            if entity == p.VISIT:
                db.execute("DELETE FROM visits WHERE id = ? AND position IS NULL", (entity_id,))
                self._refresh_visit_facts(db, [resident_id])
            elif entity == p.NOTE:
                db.execute("DELETE FROM notes WHERE id = ? AND position IS NULL", (entity_id,))
            self._refresh_residents(db, [resident_id])
        return True

    def resubmit_rejected(self, op_id: str, new_op_id: str, now: str) -> int | None:
        """Send a refused change again, as a new op (new id, next sequence number), to the
        resident's grid as this tablet knows it now. Returns the new sequence number."""
        with self.transaction() as db:
            row = self._settle_rejection(db, op_id, "resubmitted", now, new_op_id)
            if row is None:
                return None
            op, resident_id = json.loads(row[7]), row[5]
            held = db.execute("SELECT grid_id FROM residents WHERE id = ?",
                              (resident_id,)).fetchone()
            seq = int(self._get(db, "next_seq") or 1)
            op.update(op_id=new_op_id, seq=seq, grid_id=held[0] if held else op["grid_id"])
            db.execute("UPDATE outbox SET seq = ?, op_id = ?, grid_id = ?, op = ?, state = ?, "
                       "status = NULL, version = NULL, reason_code = NULL, reason = NULL, "
                       "reason_params = NULL, acked_at = NULL WHERE op_id = ?",
                       (seq, new_op_id, op["grid_id"], json.dumps(op, ensure_ascii=False),
                        PENDING, op_id))
            self._set_meta(db, {"next_seq": str(seq + 1)})
            self._refresh_residents(db, [resident_id])
        return seq

    def settled_rejections(self) -> list[dict]:
        """The trace of refused changes dismissed or sent again, oldest first."""
        keys = ("op_id", "entity", "entity_id", "resident_id", "resident_name", "reason_code",
                "reason", "created_at", "settled_at", "outcome", "resubmitted_as")
        with self.reading() as db:
            rows = db.execute(f"SELECT {', '.join(keys)} FROM settled_rejections "
                              f"ORDER BY settled_at, seq").fetchall()
        return [dict(zip(keys, row)) for row in rows]

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
        for table in ("residents", "visits", "notes", "conflicts"):
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
        for table in ("residents", "conflicts", "grids", "quarantine", "campaigns"):
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

    # ---- sync state ----------------------------------------------------------------------

    def local_digests(self) -> dict[int, str]:
        """Per grid, the digest of the server copies held here (unsent work is not counted)."""
        with self.reading() as db:
            hashes: dict[int, list[int]] = {row[0]: [] for row in
                                            db.execute("SELECT id FROM grids")}
            # Set-aside records count as held: the tablet has them, it just cannot show them.
            for table in ("residents", "visits", "notes", "conflicts", "quarantine"):
                for grid_id, row_hash in db.execute(
                        f"SELECT grid_id, row_hash FROM {table} WHERE position IS NOT NULL "
                        f"AND row_hash IS NOT NULL"):
                    hashes.setdefault(grid_id, []).append(row_hash)
        return {grid_id: combine(values) for grid_id, values in hashes.items()}

    def server_digests(self) -> dict[int, str | None]:
        with self.reading() as db:
            return dict(db.execute("SELECT id, digest FROM grids").fetchall())

    def server_fact_digests(self) -> dict[int, str | None]:
        with self.reading() as db:
            return dict(db.execute("SELECT id, facts_digest FROM grids").fetchall())

    def local_fact_digests(self) -> dict[int, str]:
        """Per grid, the digest of the derived facts the volunteer sees (the stored columns).

        A resident with work of this tablet's own that the server has not sent back (a visit
        not yet pulled, an edit not yet echoed) legitimately shows other facts than the
        server's; for those the facts of the server copies alone are counted, as for records.
        """
        with self.reading() as db:
            follows = rule_from_meta(lambda key: self._get(db, key))
            own_work = {row[0] for row in db.execute(
                "SELECT resident_id FROM visits WHERE position IS NULL UNION "
                "SELECT resident_id FROM outbox WHERE entity = ? AND state IN (?, ?)",
                (p.RESIDENT, *OUTSTANDING))}
            hashes: dict[int, list[int]] = {row[0]: [] for row in
                                            db.execute("SELECT id FROM grids")}
            rows = db.execute("SELECT id, grid_id, last_visit_at, last_met_at, follow_up_since,"
                              " server_payload FROM residents WHERE position IS NOT NULL"
                              ).fetchall()
            for resident_id, grid_id, last_visit, last_met_at, follow_up, server_payload in rows:
                if resident_id in own_work:
                    visits = [_visit_fact(row) for row in db.execute(
                        "SELECT id, visited_at, outcome, corrects, correction FROM visits "
                        "WHERE resident_id = ? AND position IS NOT NULL", (resident_id,))]
                    derived = visit_facts(follows(json.loads(server_payload)), visits)
                    last_visit, last_met_at, follow_up = (
                        _iso(derived.last_visit_at), _iso(derived.last_met_at),
                        _iso(derived.follow_up_since))
                hashes.setdefault(grid_id, []).append(
                    facts_hash(resident_id, last_visit, last_met_at, follow_up))
        return {grid_id: combine(values) for grid_id, values in hashes.items()}

    def grids_with_outstanding_ops(self) -> set[int]:
        with self.reading() as db:
            return {row[0] for row in db.execute(
                "SELECT DISTINCT grid_id FROM outbox WHERE state IN (?, ?)", OUTSTANDING)}

    def record(self, entity: str, record_id: str) -> dict | None:
        """The effective copy of one record, as the volunteer sees it."""
        table = {p.RESIDENT: "residents", p.VISIT: "visits", p.NOTE: "notes",
                 p.CONFLICT: "conflicts"}[entity]
        with self.reading() as db:
            row = db.execute(f"SELECT payload FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def count_ops(self, state: str) -> int:
        with self.reading() as db:
            return db.execute("SELECT count(*) FROM outbox WHERE state = ?", (state,)).fetchone()[0]

    def outbox(self, state: str | None = None) -> list[dict]:
        """The ops in the outbox (those in ``state``, or all but the held ones: those are done,
        only kept against a server restore), in sequence order, with their state and reason."""
        where = "WHERE state = ?" if state else "WHERE state != ?"
        with self.reading() as db:
            rows = db.execute(f"SELECT seq, op_id, entity, entity_id, grid_id, resident_id, "
                              f"resident_name, state, status, version, reason_code, reason, "
                              f"created_at, acked_at, reason_params, op FROM outbox {where} "
                              f"ORDER BY seq", (state or HELD,)).fetchall()
        keys = ("seq", "op_id", "entity", "entity_id", "grid_id", "resident_id", "resident_name",
                "state", "status", "version", "reason_code", "reason", "created_at", "acked_at")
        return [{**dict(zip(keys, row[:-2])), "reason_params": json.loads(row[-2] or "{}"),
                 "op": json.loads(row[-1])} for row in rows]


class MemoryStore:
    """The same contract in plain dicts; a 'transaction' is a copy swapped in on success."""

    def __init__(self) -> None:
        self._state = self._empty()
        self._lock = threading.RLock()

    @staticmethod
    def _empty() -> dict:
        # records: (entity, id) -> {"grid_id", "position", "data", "hash"} (server copies)
        # local: (entity, id) -> record made here, not yet back from the server
        return {"meta": {}, "records": {}, "local": {}, "outbox": {}, "grids": {},
                "quarantine": {}}

    @contextmanager
    def _transaction(self) -> Iterator[dict]:
        import copy
        with self._lock:
            draft = copy.deepcopy(self._state)
            yield draft
            self._state = draft

    def get_meta(self, key: str) -> str | None:
        return self._state["meta"].get(key)

    def set_meta(self, values: dict[str, str | None]) -> None:
        with self._transaction() as state:
            state["meta"].update(values)

    def cursor(self) -> str | None:
        return self.get_meta("cursor")

    def add_op(self, op: dict, local_record: dict | None) -> int:
        with self._transaction() as state:
            seq = int(state["meta"].get("next_seq") or 1)
            op = {**op, "seq": seq}
            state["outbox"][seq] = {"op": op, "state": PENDING, "version": None,
                                    "reason_code": None, "reason": None}
            state["meta"]["next_seq"] = str(seq + 1)
            if local_record is not None:
                # The same shape the SQLite store's columns demand.
                time_key = "visited_at" if op["entity"] == p.VISIT else "written_at"
                if local_record["id"] != op["entity_id"] or not local_record[time_key]:
                    raise ValueError("the local record does not match its op")
                state["local"][(op["entity"], op["entity_id"])] = {
                    **local_record, "resident_id": op["data"]["resident_id"]}
        return seq

    def pending_ops(self, limit: int) -> list[dict]:
        rows = sorted(self._state["outbox"].items())
        return [row["op"] for _seq, row in rows if row["state"] == PENDING][:limit]

    def record_results(self, results: list[dict], now: str) -> None:
        with self._transaction() as state:
            by_op = {row["op"]["op_id"]: row for row in state["outbox"].values()}
            for result in results:
                row = by_op.get(result["op_id"])
                if row is None or row["state"] != PENDING:
                    continue
                if result["status"] == p.REJECTED:
                    reason = result.get("reason") or {}
                    row.update(state=REJECTED, reason_code=reason.get("code"),
                               reason=reason.get("message"),
                               reason_params=json.loads(_params_json(reason) or "{}"))
                else:
                    row.update(state=ACKED, version=result.get("version"))
                    self._note_seen(state, result.get("version"), result.get("seq"))
            self._drop_echoed(state)

    @staticmethod
    def _note_seen(state: dict, position: int | None = None,
                   acked_seq: int | None = None) -> None:
        for key, value in (("seen_position", position), ("acked_seq", acked_seq)):
            if isinstance(value, int) and value > int(state["meta"].get(key) or 0):
                state["meta"][key] = str(value)

    @staticmethod
    def _drop_echoed(state: dict) -> None:
        for row in state["outbox"].values():
            op = row["op"]
            held = state["records"].get((op["entity"], op["entity_id"]))
            resident_id = op["entity_id"] if op["entity"] == p.RESIDENT else \
                op["data"]["resident_id"]
            gone = (p.RESIDENT, resident_id) not in state["records"]
            if row["state"] == ACKED and (gone or held and
                                          held["position"] >= (row["version"] or 0)):
                row["state"] = HELD
                if gone:
                    state["local"].pop((op["entity"], op["entity_id"]), None)

    def apply_page(self, page: dict) -> None:
        with self._transaction() as state:
            for grid_id in page.get("evict_grids", ()):
                state["records"] = {key: rec for key, rec in state["records"].items()
                                    if rec["grid_id"] != grid_id}
                state["outbox"] = {seq: row for seq, row in state["outbox"].items()
                                   if not (row["op"]["grid_id"] == grid_id
                                           and row["state"] in (ACKED, HELD))}
                state["grids"].pop(grid_id, None)
                state["quarantine"] = {key: entry for key, entry in state["quarantine"].items()
                                       if entry["grid_id"] != grid_id}
                state["campaigns"] = {key: data for key, data in
                                      state.get("campaigns", {}).items()
                                      if data["grid_id"] != grid_id}
            for change in page["changes"]:
                try:
                    entity, data, _text, row_hash = check_change(change)
                except UnreadableRecord as problem:
                    entry = quarantine_entry(change, f"{problem.__class__.__name__}: {problem}")
                    state["quarantine"][(entry["entity"], entry["id"])] = entry
                    held = state["records"].get((entry["entity"], entry["id"]))
                    if held:
                        held["hash"] = None
                    continue
                if entity == p.CAMPAIGN:
                    state.setdefault("campaigns", {})[data["id"]] = data
                    continue
                if entity == p.DEPARTURE:
                    state["records"] = {
                        key: rec for key, rec in state["records"].items()
                        if rec["grid_id"] != data["grid_id"] or data["resident_id"] not in
                        (rec["data"]["id"] if key[0] == p.RESIDENT else
                         rec["data"].get("resident_id"),)}
                    continue
                state["quarantine"].pop((entity, data["id"]), None)
                state["records"][(entity, data["id"])] = {
                    "grid_id": data["grid_id"], "position": change["position"],
                    "data": data, "hash": row_hash}
            for grid in page.get("grids", ()):
                previous = state["grids"].get(grid["id"], {})
                state["grids"][grid["id"]] = {
                    "name": grid["name"], "digest": grid.get("digest") or previous.get("digest"),
                    "facts_digest": grid.get("facts_digest") or previous.get("facts_digest")}
            state["meta"]["cursor"] = page["cursor"]
            if page["changes"]:
                self._note_seen(state, max(c["position"] for c in page["changes"]))
            self._drop_echoed(state)

    def record(self, entity: str, record_id: str) -> dict | None:
        state = self._state
        held = state["records"].get((entity, record_id))
        local = state["local"].get((entity, record_id))
        if entity != p.RESIDENT:
            return held["data"] if held else local
        if held is None:
            return None
        payload = dict(held["data"])
        for _seq, row in sorted(state["outbox"].items()):
            op = row["op"]
            if row["state"] in OUTSTANDING and op["entity"] == p.RESIDENT and \
                    op["entity_id"] == record_id:
                payload.update(op["data"])
        return payload

    def count_ops(self, state: str) -> int:
        return sum(row["state"] == state for row in self._state["outbox"].values())

    def outbox(self, state: str | None = None) -> list[dict]:
        return [{"seq": seq, "op_id": row["op"]["op_id"], "entity": row["op"]["entity"],
                 "entity_id": row["op"]["entity_id"], "grid_id": row["op"]["grid_id"],
                 "state": row["state"], "version": row["version"],
                 "reason_code": row["reason_code"], "reason": row["reason"],
                 "reason_params": row.get("reason_params") or {}, "op": row["op"]}
                for seq, row in sorted(self._state["outbox"].items())
                if row["state"] == state or state is None and row["state"] != HELD]

    def local_digests(self) -> dict[int, str]:
        hashes: dict[int, list[int]] = {grid_id: [] for grid_id in self._state["grids"]}
        for record in self._state["records"].values():
            if record["hash"] is not None:
                hashes.setdefault(record["grid_id"], []).append(record["hash"])
        for entry in self._state["quarantine"].values():
            if entry["grid_id"] is not None and entry["row_hash"] is not None:
                hashes.setdefault(entry["grid_id"], []).append(entry["row_hash"])
        return {grid_id: combine(values) for grid_id, values in hashes.items()}

    def server_digests(self) -> dict[int, str | None]:
        return {grid_id: grid["digest"] for grid_id, grid in self._state["grids"].items()}

    def campaigns(self) -> list[dict]:
        return list(self._state.get("campaigns", {}).values())

    def quarantined(self) -> list[dict]:
        return sorted(({key: entry[key] for key in ("entity", "id", "grid_id", "position",
                                                     "reason")}
                       for entry in self._state["quarantine"].values()),
                      key=lambda entry: entry["position"] or 0)

    def server_fact_digests(self) -> dict[int, str | None]:
        return {grid_id: grid.get("facts_digest")
                for grid_id, grid in self._state["grids"].items()}

    def local_fact_digests(self) -> dict[int, str]:
        """Derived facts of the server copies held (this store keeps no derived columns)."""
        follows = rule_from_meta(self.get_meta)
        visits: dict[str, list[VisitFact]] = {}
        for (entity, _id), held in self._state["records"].items():
            if entity == p.VISIT:
                data = held["data"]
                visits.setdefault(data["resident_id"], []).append(VisitFact(
                    data["id"], parse_instant(data["visited_at"]), data.get("outcome"),
                    data.get("corrects"), data.get("correction")))
        hashes: dict[int, list[int]] = {grid_id: [] for grid_id in self._state["grids"]}
        for (entity, resident_id), held in self._state["records"].items():
            if entity == p.RESIDENT:
                derived = visit_facts(follows(held["data"]), visits.get(resident_id, ()))
                hashes.setdefault(held["grid_id"], []).append(facts_hash(
                    resident_id, _iso(derived.last_visit_at), _iso(derived.last_met_at),
                    _iso(derived.follow_up_since)))
        return {grid_id: combine(values) for grid_id, values in hashes.items()}

    def grids_with_outstanding_ops(self) -> set[int]:
        return {row["op"]["grid_id"] for row in self._state["outbox"].values()
                if row["state"] in OUTSTANDING}

    def reset_replica(self) -> None:
        with self._transaction() as state:
            self._reset_replica(state)

    @staticmethod
    def _reset_replica(state: dict) -> None:
        state["records"].clear()
        state["grids"].clear()
        state["quarantine"].clear()
        state.get("campaigns", {}).clear()
        state["meta"].pop("cursor", None)
        state["meta"].pop("seen_position", None)

    def restart_after_restore(self, applied_seq: int, epoch: str, epoch_since: int) -> int:
        """See SqliteStore.restart_after_restore."""
        again = 0
        with self._transaction() as state:
            for seq, row in state["outbox"].items():
                if seq <= applied_seq or row["state"] == REJECTED:
                    continue
                if row["state"] != PENDING:
                    row.update(state=PENDING, version=None)
                    again += 1
                op = row["op"]
                if op["entity"] == p.RESIDENT and op.get("base_version", 0) > epoch_since:
                    row["op"] = {**op, "base_version": epoch_since}
            self._reset_replica(state)
            acked = min(int(state["meta"].get("acked_seq") or 0), applied_seq)
            state["meta"].update(epoch=epoch, acked_seq=str(acked))
        return again

    def wipe(self) -> None:
        with self._lock:
            self._state = self._empty()
