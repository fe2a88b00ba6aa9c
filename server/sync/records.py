"""The wire form of every record: what the change log stores and a pull sends."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from shared import protocol as p
from shared.clock import isoformat
from shared.visit_record import visit_record

from ..models import Conflict, Resident


@lru_cache(maxsize=1024)
def _formatted(value: datetime) -> str:
    return isoformat(value)


def _instant(value):
    # Remembered: every record of a push shares its recorded_at, and a batch's visits many of
    # their times. (Equal instants format alike, whatever their zone: the text is UTC.)
    return _formatted(value) if value is not None else None


def resident_payload(resident: Resident) -> dict:
    payload = {field: getattr(resident, field) for field in p.RESIDENT_FIELDS}
    payload.update(id=resident.id, grid_id=resident.grid_id, version=resident.version,
                   created_at=_instant(resident.created_at))
    return payload


def visit_payload(visit: dict, author_name: str | None) -> dict:
    """``visit``: the column values of a :class:`Visit` row."""
    # A visit is dated by its device's time unless the server corrected it: then one text.
    device_time = _instant(visit["device_time"])
    visited_at = device_time if visit["visited_at"] == visit["device_time"] else \
        _instant(visit["visited_at"])
    return visit_record(
        id=visit["id"], resident_id=visit["resident_id"], grid_id=visit["grid_id"],
        author_id=visit["author_id"], author_name=author_name,
        visited_at=visited_at, device_time=device_time,
        recorded_at=_instant(visit["recorded_at"]), outcome=visit["outcome"],
        corrects=visit["corrects_id"], correction=visit["correction"], details=visit["details"])


def note_payload(note: dict, author_name: str | None) -> dict:
    """``note``: the column values of a :class:`CaseNote` row."""
    return {
        "id": note["id"], "resident_id": note["resident_id"], "grid_id": note["grid_id"],
        "author_id": note["author_id"], "author_name": author_name,
        "written_at": _instant(note["written_at"]), "device_time": _instant(note["device_time"]),
        "recorded_at": _instant(note["recorded_at"]), "text": note["text"],
        "corrects": note["corrects_id"], "correction": note["correction"],
    }


def _who_for_tablets(who: dict | None) -> dict | None:
    """'Who wrote it' as every tablet of the grid may see it: the person, never the device
    (device ids must not reach another person's tablet; the server record keeps them)."""
    if not isinstance(who, dict):
        return who
    return {key: value for key, value in who.items() if key != "device_id"}


def conflict_payload(conflict: Conflict) -> dict:
    return {
        "id": conflict.id, "grid_id": conflict.grid_id, "resident_id": conflict.resident_id,
        "field": conflict.field, "kept_value": conflict.kept_value,
        "lost_value": conflict.lost_value, "kept_by": _who_for_tablets(conflict.kept_by),
        "lost_by": _who_for_tablets(conflict.lost_by), "detected_at": _instant(conflict.detected_at),
        "status": conflict.status, "settled_value": conflict.settled_value,
        "settled_at": _instant(conflict.settled_at),
    }
