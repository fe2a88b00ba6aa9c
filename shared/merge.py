"""The per-field merge rule for mutable records (DESIGN.md §4.5).

The server is the only place that resolves, but the rule is pure and order-independent, so
any replica that replays the same ops reaches the same values.

Every field of a resident remembers who wrote it last (a :class:`FieldStamp`). An incoming edit
names the record version it was based on. It *supersedes* the current value when its author had
seen that value (the value was written at or before the base version, or by the same device
earlier in its own sequence). Otherwise the two edits are concurrent: the one ranked higher by
:func:`rank` wins and the other is kept in a conflict record. The rank never looks at a device
clock: a tablet whose clock is a year fast gains nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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


class Outcome(Enum):
    SUPERSEDES = "supersedes"  # the editor had seen the current value: it replaces it
    STALE = "stale"  # a later edit from the same device already replaced this one
    WINS_CONFLICT = "wins_conflict"  # concurrent, and the incoming edit ranks higher
    LOSES_CONFLICT = "loses_conflict"  # concurrent, and the current value ranks higher


def rank(base: int, op_id: str) -> tuple[int, str]:
    """Total order for concurrent edits: the better-informed edit wins, then the op id decides.

    Both parts are fixed when the op is made, so the winner does not depend on arrival order.
    """
    return (base, op_id)


def decide(current: FieldStamp | None, edit: Edit) -> Outcome:
    if current is None:
        return Outcome.SUPERSEDES
    if current.device_id and current.device_id == edit.device_id:
        # A device always saw its own earlier edits; a delayed older one must not come back.
        return Outcome.SUPERSEDES if edit.seq > current.seq else Outcome.STALE
    if current.version <= edit.base:
        return Outcome.SUPERSEDES
    if rank(edit.base, edit.op_id) > rank(current.base, current.op_id):
        return Outcome.WINS_CONFLICT
    return Outcome.LOSES_CONFLICT
