"""The real local store: one SQLite file (SQLCipher where the platform has it), migrated by
Alembic, safe to use from two threads. Its parts: outbox.py, replica.py, derived.py."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from shared import protocol as p
from shared.digest import combine, facts_hash
from shared.due import visit_facts

from ..care import RULES_META, rule_from_meta
from ..encryption import SECRET_SUFFIX, Keyring, cipher_module, default_seal, is_plain_sqlite
from .base import _TABLES, HELD, OUTSTANDING, _iso, _visit_fact
from .derived import DerivedMixin
from .outbox import OutboxMixin
from .replica import ReplicaMixin

log = logging.getLogger(__package__)


class SqliteStore(OutboxMixin, ReplicaMixin, DerivedMixin):
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
        from ..migrate import upgrade_local
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


    # ---- sync state ----------------------------------------------------------------------

    def local_digests(self) -> dict[int, str]:
        """Per grid, the digest of the server copies held here (unsent work is not counted)."""
        with self.reading() as db:
            hashes: dict[int, list[int]] = {row[0]: [] for row in
                                            db.execute("SELECT id FROM grids")}
            # Set-aside records count as held: the tablet has them, it just cannot show them.
            for table in ("residents", "visits", "notes", "conflicts", "quarantine", "requests"):
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
        table = _TABLES[entity]
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

