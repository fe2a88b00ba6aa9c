"""The SQLite store's outbox: local changes, what the server said of them, refused changes.

A local change and its outbox entry are written in one transaction (``add_op``)."""
from __future__ import annotations

import json
from datetime import timedelta

from shared import protocol as p
from shared.clock import isoformat, parse_instant

from .base import ACKED, HELD, HELD_DAYS, PENDING, REJECTED, _params_json


class OutboxMixin:
    """Part of :class:`~client.store.SqliteStore`: the ops made here and their fate."""

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
                op["data"].get("resident_id") or ""  # a request may concern no resident
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
        # A move on a request is echoed by the request's copy at or past its position.
        db.execute("UPDATE outbox SET state = ? WHERE state = ? AND entity = ? AND EXISTS ("
                   "SELECT 1 FROM requests t WHERE t.id = json_extract(outbox.op, "
                   "'$.data.request_id') AND t.position >= outbox.version)",
                   (HELD, ACKED, p.REQUEST_EVENT))
        gone = db.execute("UPDATE outbox SET state = ? WHERE state = ? AND entity != ? AND "
                          "resident_id NOT IN (SELECT id FROM residents)",
                          (HELD, ACKED, p.REQUEST_EVENT)).rowcount
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
