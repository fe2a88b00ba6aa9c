"""Pulled records the tablet can apply, and what it does with the others.

One record the tablet cannot read (an instant no parser reads back, a member missing or of the
wrong type, text no encoder can write) must never stop a sync: before a pulled record is
stored, :func:`check_change` reads it the way the store and the screens will; one that fails is
*quarantined* — kept as received, with the reason, counted on the sync screen — and the rest of
the page is applied. A later copy of the same record that reads well replaces it.
"""
from __future__ import annotations

from datetime import date

from shared import protocol as p
from shared.clock import parse_instant
from shared.digest import canonical_json, record_hash


class UnreadableRecord(ValueError):
    """A pulled record the tablet cannot apply; the message says why (for the log and the
    community worker, never a volunteer)."""


_TEXT, _NUMBER, _LIST, _MAPPING, _INSTANT, _DAY = "text", "number", "list", "mapping", \
    "instant", "day"

#: entity -> member -> (kind, required). What the store and the screens read of each record.
_MEMBERS = {
    p.RESIDENT: {"name": (_TEXT, True), "address": (_TEXT, True), "version": (_NUMBER, True),
                 "sex": (_TEXT, False), "birth_year": (_NUMBER, False),
                 "status": (_TEXT, False), "care_categories": (_LIST, False),
                 "ability_level": (_TEXT, False), "ability_assessed_on": (_DAY, False),
                 "risk_tier": (_TEXT, False), "safety_devices": (_LIST, False),
                 "device_details": (_MAPPING, False), "visit_cadence_days": (_NUMBER, False),
                 "created_at": (_INSTANT, False)},
    p.VISIT: {"resident_id": (_TEXT, True), "visited_at": (_INSTANT, True),
              "device_time": (_INSTANT, False), "recorded_at": (_INSTANT, False),
              "outcome": (_TEXT, False), "corrects": (_TEXT, False),
              "correction": (_TEXT, False), "readings": (_MAPPING, False),
              "needs": (_LIST, False), "services": (_LIST, False),
              "safety_checks": (_MAPPING, False), "follow_up_on": (_DAY, False),
              "method": (_TEXT, False), "checklist": (_MAPPING, False), "advice": (_LIST, False),
              "emergency_action": (_TEXT, False)},
    p.NOTE: {"resident_id": (_TEXT, True), "written_at": (_INSTANT, True),
             "device_time": (_INSTANT, False), "recorded_at": (_INSTANT, False),
             "text": (_TEXT, False), "corrects": (_TEXT, False), "correction": (_TEXT, False)},
    #: Not a record: "this resident left this grid" (kept nowhere, counted in no digest).
    p.DEPARTURE: {"resident_id": (_TEXT, True)},
    #: A notice: visit these residents within 24 hours (kept, counted in no digest).
    p.CAMPAIGN: {"campaign_id": (_TEXT, True), "kind": (_TEXT, True),
                 "categories": (_LIST, False), "note": (_TEXT, False),
                 "started_at": (_INSTANT, True), "due_at": (_INSTANT, True),
                 "ended_at": (_INSTANT, False)},
    p.CONFLICT: {"resident_id": (_TEXT, True), "status": (_TEXT, True), "field": (_TEXT, False),
                 "detected_at": (_INSTANT, False), "settled_at": (_INSTANT, False),
                 "kept_by": (_MAPPING, False), "lost_by": (_MAPPING, False)},
}


def _is_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_member(name: str, value, kind: str) -> None:
    if kind == _TEXT:
        ok = isinstance(value, str)
    elif kind == _NUMBER:
        ok = _is_number(value)
    elif kind == _LIST:  # of codes, each looked up in a table of labels
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    elif kind == _MAPPING:
        ok = isinstance(value, dict)
    elif kind == _INSTANT:
        try:
            ok = isinstance(value, str) and parse_instant(value).utcoffset() is not None
        except (ValueError, OverflowError):
            ok = False
    else:
        try:
            ok = isinstance(value, str) and bool(date.fromisoformat(value))
        except ValueError:
            ok = False
    if not ok:
        raise UnreadableRecord(f"{name}: not a readable {kind}: {str(value)[:40]!r}")


def check_change(change) -> tuple[str, dict, str, int]:
    """The entity, record, canonical text and hash of a pulled change the tablet can apply;
    :class:`UnreadableRecord` otherwise."""
    if not isinstance(change, dict):
        raise UnreadableRecord("not an object")
    entity, data, position = change.get("entity"), change.get("data"), change.get("position")
    if entity not in _MEMBERS:
        raise UnreadableRecord(f"unknown kind of record: {str(entity)[:40]!r}")
    if not _is_number(position) or not isinstance(data, dict):
        raise UnreadableRecord("no position or no record")
    if not isinstance(data.get("id"), str) or not data["id"] or not _is_number(
            data.get("grid_id")):
        raise UnreadableRecord("no id or no grid")
    for name, (kind, required) in _MEMBERS[entity].items():
        value = data.get(name)
        if value is None:
            if required:
                raise UnreadableRecord(f"{name}: missing")
            continue
        _check_member(name, value, kind)
    try:
        text = canonical_json(data)
        return entity, data, text, record_hash(entity, text)
    except (ValueError, TypeError, UnicodeError, RecursionError) as error:
        raise UnreadableRecord(f"cannot be written down: {error.__class__.__name__}") from None


def _safe(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def page_problem(page) -> str | None:
    """What makes a pulled page unusable as a whole (its envelope, not its records), or None.
    Such a page is not applied at all: the pull is tried again later."""
    if not isinstance(page, dict):
        return "not an object"
    if not isinstance(page.get("changes"), list) or not isinstance(page.get("cursor"), str):
        return "no changes or no cursor"
    if not all(_is_number(grid) for grid in page.get("evict_grids") or ()):
        return "an evicted grid that is not a number"
    for grid in page.get("grids") or ():
        if not (isinstance(grid, dict) and _is_number(grid.get("id"))
                and isinstance(grid.get("name"), str)
                and isinstance(grid.get("digest"), (str, type(None)))):
            return "a grid without id or name"
    return None


def quarantine_entry(change, reason: str) -> dict:
    """How an unreadable change is kept: as received (as far as it can be written), with where
    it belongs and its hash when it has one, so the grid's digest still adds up."""
    change = change if isinstance(change, dict) else {"data": change}
    data = change.get("data") if isinstance(change.get("data"), dict) else {}
    entity, record_id = change.get("entity"), data.get("id", change.get("id"))
    grid_id = data.get("grid_id", change.get("grid_id"))
    position = change.get("position")
    try:
        text = canonical_json(change.get("data"))
        # A departure counts in no digest (its row_hash on the server is 0).
        row_hash = None if entity in (p.DEPARTURE, p.CAMPAIGN) else record_hash(str(entity),
                                                                                 text)
        received = canonical_json(change)
        received.encode()
    except (ValueError, TypeError, UnicodeError, RecursionError):
        row_hash = None
        received = repr(change).encode("utf-8", "backslashreplace").decode()[:100_000]
    return {"entity": _safe(str(entity)[:40]), "id": _safe(str(record_id)[:100]),
            "grid_id": grid_id if _is_number(grid_id) else None,
            "position": position if _is_number(position) else None,
            "payload": received, "reason": _safe(reason[:500]), "row_hash": row_hash}
