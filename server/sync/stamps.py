"""How a resident's field candidates (shared.merge) are kept in ``Resident.field_stamps``.

``field_stamps[field]`` is a list, winner first, of ``{"v", "d", "s", "b", "o"}`` (the
FieldStamp) plus ``"x"`` (the value), ``"p"``/``"n"`` (who: person id and name), ``"t"`` (when,
corrected device time) and ``"c"`` (the conflict record it lost in, if any).
"""
from __future__ import annotations

from shared.merge import Candidate, FieldStamp

#: Field stamps written in this transaction carry this version until positions are known.
PENDING_VERSION = -1
_META = ("p", "n", "t", "c")


def load(raw: list | None) -> list[Candidate]:
    return [Candidate(FieldStamp.from_json(item), item.get("x"),
                      {key: item[key] for key in _META if key in item}) for item in raw or ()]


def dump(candidates: list[Candidate]) -> list[dict]:
    return [{**c.stamp.to_json(), "x": c.value, **c.meta} for c in candidates]


def fix_pending(stamps: dict, position: int) -> dict:
    """The same stamps with this transaction's placeholder version replaced by ``position``."""
    return {name: [{**item, "v": position} if item["v"] == PENDING_VERSION else item
                   for item in items] for name, items in stamps.items()}


def who(candidate: Candidate) -> dict:
    """The 'who changed it and when' of a conflict record."""
    return {"op_id": candidate.stamp.op_id, "device_id": candidate.stamp.device_id or None,
            "person_id": candidate.meta.get("p"), "person_name": candidate.meta.get("n"),
            "device_time": candidate.meta.get("t")}
