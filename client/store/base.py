"""What the local store's parts share: the outbox states, the contract the sync engine needs
(:class:`LocalStore`), and how a record made here looks until the server's copy comes back."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol

from shared import protocol as p
from shared.clock import isoformat, parse_instant
from shared.due import VisitFact

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



_TABLES = {p.RESIDENT: "residents", p.VISIT: "visits", p.NOTE: "notes",
           p.CONFLICT: "conflicts", p.REQUEST: "requests"}
