"""The per-field merge rule for mutable records (DESIGN.md §4.5).

The server is the only place that resolves, but the rule is pure and order-independent, so
any replica that replays the same ops reaches the same values.

Each field of a resident is a *multi-value register*: it keeps the edits nobody has yet seen
past (its *candidates*), each with a :class:`FieldStamp` of who wrote it and what they had
seen. An incoming edit removes every candidate its author had seen — one written at or before
the version the edit was based on, or an earlier edit from the same device — and joins the
ones it had not. The value shown is the candidate ranked highest by :func:`rank`; every other
candidate with a different value is a conflict. Because "had seen" is decided by positions the
server hands out and sequence numbers the device hands out, the set of candidates, and so the
winner, is the same whatever order the edits arrive in. The rank never looks at a device clock:
a tablet whose clock is a year fast gains nothing; nor at the raw op id, which the tablet picks
(see :func:`tie_break`).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldStamp:
    """Who wrote a field value, and what that writer had seen."""

    version: int  # log position at which the value was written
    device_id: str  # "" for server-side writes (web, import, settlement)
    seq: int  # the writer's per-device sequence number (0 for server writes)
    base: int  # the record version the writer had seen (its knowledge)
    op_id: str

    def to_json(self) -> dict:
        return {"v": self.version, "d": self.device_id, "s": self.seq, "b": self.base,
                "o": self.op_id}

    @classmethod
    def from_json(cls, raw: dict) -> "FieldStamp":
        return cls(raw["v"], raw["d"], raw["s"], raw["b"], raw["o"])


@dataclass(frozen=True)
class Edit:
    """An incoming change of one field."""

    device_id: str
    seq: int
    base: int
    op_id: str


@dataclass(frozen=True)
class Candidate:
    """One edit of a field that no later edit has seen past."""

    stamp: FieldStamp
    value: Any
    #: Extra facts the caller keeps with it (who, when, its conflict record); not compared.
    meta: dict = field(default_factory=dict, compare=False)


def tie_break(subject: str, candidate: Candidate) -> str:
    """Where a candidate falls between equally informed edits: a hash of the field it writes
    (``subject``: record id and field name), its op id and its value.

    The op id is the tablet's to choose, so ranking by it let an id of ``ffffffff-…`` (or ids
    that grow with a tablet's clock) win every tie. Hashed together with the record, the field
    and the value, no id ranks high everywhere: each tie is a fair coin fixed by the edits
    themselves, the same on every replica and in every arrival order. A client could search for
    an id that wins one particular tie, but that gives it less than the move every editor
    legitimately has (claiming to have seen the value it replaces; see docs/sync-protocol.md).
    """
    text = json.dumps([subject, candidate.stamp.op_id, candidate.value], sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def rank(candidate: Candidate, subject: str) -> tuple[int, str, str]:
    """Total order for concurrent edits: the better-informed edit wins, then :func:`tie_break`
    (the op id itself only if two hashes were ever equal).

    Every part is fixed when the op is made, so the winner does not depend on arrival order.
    """
    return (candidate.stamp.base, tie_break(subject, candidate), candidate.stamp.op_id)


def has_seen(edit: Edit, stamp: FieldStamp) -> bool:
    """Had the author of ``edit`` seen the value written under ``stamp``?"""
    if stamp.device_id and stamp.device_id == edit.device_id:
        return stamp.seq < edit.seq  # a device always saw its own earlier edits
    return stamp.version <= edit.base


def is_stale(edit: Edit, candidates: list[Candidate]) -> bool:
    """A delayed older edit from a device whose later edit of the field is already in."""
    return any(c.stamp.device_id and c.stamp.device_id == edit.device_id and
               c.stamp.seq > edit.seq for c in candidates)


@dataclass(frozen=True)
class FieldMerge:
    candidates: list[Candidate]  # the winner first
    stale: bool = False

    @property
    def winner(self) -> Candidate:
        return self.candidates[0]

    @property
    def losers(self) -> list[Candidate]:
        """Candidates whose value differs from the winner's: each one is a conflict."""
        return [c for c in self.candidates[1:] if c.value != self.winner.value]


def merge_field(subject: str, candidates: list[Candidate], edit: Edit, value: Any,
                stamp: FieldStamp, meta: dict | None = None) -> FieldMerge:
    """Fold one edit into a field's candidates. ``subject`` names the field ("record id/field",
    see :func:`tie_break`); ``stamp`` is the edit's own stamp."""
    if is_stale(edit, candidates):
        return FieldMerge(candidates, stale=True)
    unseen = [c for c in candidates if not has_seen(edit, c.stamp)]
    merged = unseen + [Candidate(stamp, value, meta or {})]
    return FieldMerge(sorted(merged, key=lambda c: rank(c, subject), reverse=True))


def field_subject(record_id: str, name: str) -> str:
    """The ``subject`` of a record's field for :func:`merge_field`."""
    return f"{record_id}/{name}"

