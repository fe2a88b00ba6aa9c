"""The one shape of a visit record, built the same way on both sides.

A tablet pushes a visit as an op whose ``data`` holds its resident, outcome, correction and
everything recorded at the door. The server keeps the first few as columns and the rest as the
visit's ``details``; tablets hold the record flat (the change log's payload, a pulled record,
and the tablet's own copy until the server's comes back). :func:`visit_details` and
:func:`visit_record` are that split and that shape, for server/sync and client/store alike.
"""
from __future__ import annotations

#: Members of an op's data that are columns of the visit; the rest are its details.
VISIT_COLUMNS = frozenset({"resident_id", "outcome", "corrects", "correction"})
#: Values that record nothing: not kept among the details.
EMPTY_VALUES = (None, [], {})


def visit_details(data: dict) -> dict:
    """What was recorded at the door: the op's data other than the visit's columns, without
    the members left empty."""
    return {key: value for key, value in data.items()
            if key not in VISIT_COLUMNS and value not in EMPTY_VALUES}


def visit_record(*, id: str, resident_id: str, grid_id: int, author_id: int | None,
                 author_name: str | None, visited_at: str | None, device_time: str | None,
                 recorded_at: str | None, outcome: str | None, corrects: str | None,
                 correction: str | None, details: dict) -> dict:
    """A visit as tablets hold it (instants already in their wire form)."""
    return {"id": id, "resident_id": resident_id, "grid_id": grid_id, "author_id": author_id,
            "author_name": author_name, "visited_at": visited_at, "device_time": device_time,
            "recorded_at": recorded_at, "outcome": outcome, "corrects": corrects,
            "correction": correction, **details}
