"""What a push works with: the context of one batch, the answer for each op, and the row that
remembers what was done with it (moved out of server/sync/push.py, which re-exports them)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import correct_device_time
from shared.digest import canonical_json
from shared.schemas import EARLIEST_INSTANT

from ..audit import FROM_TABLET, audit_row, client_address
from ..models import Assignment, Device, Person, Resident
from ..scope import grids_under
from .batch import ChangeBatch, ResidentFacts
from .locks import load_for_update


@dataclass
class OpResult:
    op_id: str | None
    seq: int | None
    status: str
    version: int | None = None
    conflict_ids: list[str] = field(default_factory=list)
    reason: dict | None = None

    def to_json(self) -> dict:
        return {"op_id": self.op_id, "seq": self.seq, "status": self.status,
                "version": self.version, "conflict_ids": self.conflict_ids,
                "reason": self.reason}


class Rejection(Exception):
    """An op refused: its code, a message for a person, and what the message names
    (``params``: ids, grid, fields; see shared.protocol.RejectCode) so the app can word it."""

    def __init__(self, code: str, message: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


def op_fingerprint(raw: dict) -> str:
    # surrogatepass: an op holding an unpaired surrogate is refused, but must still have a
    # fingerprint, so that its retries get the same answer.
    return hashlib.blake2b(canonical_json(raw).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


@dataclass
class PushContext:
    session: Session
    device: Device
    person: Person
    now: datetime
    skew_seconds: float
    grids: set[int]
    batch: ChangeBatch
    #: Every resident the batch touches, locked: the few columns visits need.
    facts: dict[str, ResidentFacts] = field(default_factory=dict)
    #: Residents whose fields the batch edits, as full records (loaded when first edited).
    residents: dict[str, Resident] = field(default_factory=dict)
    existing: set[tuple[str, str]] = field(default_factory=set)  # (entity, id) already stored
    #: (resident, grid) -> (its latest move out of that grid, recent enough?): asked once.
    moves: dict[tuple[str, int], tuple] = field(default_factory=dict)
    #: Audit rows of the applied ops, written in one bulk insert with the batch.
    audit: list[dict] = field(default_factory=list)
    #: Requests of the three lists the batch moves (server.threelists.ops): locked, touched,
    #: and the request of each event applied.
    requests: dict = field(default_factory=dict)
    touched_requests: dict = field(default_factory=dict)
    request_events: dict[str, str] = field(default_factory=dict)
    _former_grids: set[int] | None = None
    #: Named by every row an op writes: read once per batch, not once per op.
    person_id: int = field(init=False)
    device_id: str = field(init=False)
    author_name: str | None = field(init=False)
    remote_addr: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.person_id, self.device_id = self.person.id, self.device.id
        self.author_name, self.remote_addr = self.person.display_name, client_address()

    def filing_grid(self, claimed: int | None) -> int | None:
        """Where a rejected op is listed for supervisors: the grid it names when that is one of
        the person's, else one that is (their current grids, else those of their latest
        assignment); None for a person never assigned anywhere."""
        own = self.grids or self._last_assigned_grids()
        if claimed in own:
            return claimed
        return min(own) if own else None

    def _last_assigned_grids(self) -> set[int]:
        if self._former_grids is None:
            latest = self.session.scalar(
                select(Assignment).where(Assignment.person_id == self.person.id)
                .order_by(Assignment.starts_on.desc(), Assignment.id.desc()).limit(1))
            self._former_grids = grids_under(self.session, [latest.area_id]) if latest else set()
        return self._former_grids

    def record(self, action: str, op: dict, resident_id: str, detail: dict) -> None:
        """Who (person, tablet), when and what an applied op changed, for the audit log."""
        self.audit.append(audit_row(
            action, at=self.now, person_id=self.person_id, device_id=self.device_id,
            entity=p.RESIDENT, entity_id=resident_id, grid_id=op["grid_id"],
            detail={"source": FROM_TABLET, "op": op["op_id"], **detail},
            remote_addr=self.remote_addr))

    def resident(self, resident_id: str) -> Resident:
        if resident_id not in self.residents:
            self.residents[resident_id] = load_for_update(self.session, Resident, resident_id)
        return self.residents[resident_id]


@dataclass
class Tracked:
    """What was done with one op: a row of ``applied_ops``."""

    device_id: str
    op_id: str
    seq: int
    op_hash: str
    status: str
    entity: str
    entity_id: str
    grid_id: int | None
    person_id: int | None
    received_at: datetime
    version: int | None = None
    conflict_ids: list | None = None
    reason_code: str | None = None
    reason: str | None = None
    reason_params: dict | None = None


def _rejected(op_id, seq, code: str, message: str, params: dict | None = None) -> OpResult:
    return OpResult(op_id, seq, p.REJECTED,
                    reason={"code": code, "message": message, "params": params or {}})


def _device_times(ctx: PushContext, op: dict) -> tuple[datetime, datetime]:
    corrected, _suspect = correct_device_time(op["device_time"], ctx.skew_seconds, ctx.now)
    if corrected < EARLIEST_INSTANT:
        corrected = EARLIEST_INSTANT
    # Whole seconds, as the wire carries them: the order of visits the server keeps (and the
    # follow-ups it derives) is then the order every tablet reads from the pulled copies.
    # (Usually the device's time itself, uncopied: records.visit_payload formats it once.)
    if corrected.microsecond:
        corrected = corrected.replace(microsecond=0)
    return corrected, op["device_time"]
