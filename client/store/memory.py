"""An in-memory local store with the same contract, for fast tests of the sync engine."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from typing import Iterator

from shared import protocol as p
from shared.clock import parse_instant
from shared.digest import combine, facts_hash
from shared.due import VisitFact, visit_facts

from ..care import rule_from_meta
from ..pulled import UnreadableRecord, check_change, quarantine_entry
from .base import ACKED, HELD, OUTSTANDING, PENDING, REJECTED, _iso, _params_json


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
                                    "reason_code": None, "reason": None,
                                    "reason_params": None}
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
            if op["entity"] == p.REQUEST_EVENT:
                held = state["records"].get((p.REQUEST, op["data"]["request_id"]))
                if row["state"] == ACKED and held and held["position"] >= (row["version"] or 0):
                    row["state"] = HELD
                continue
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
