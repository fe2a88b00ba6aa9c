"""The wire form of every record (server.sync.records): every instant is sent, UTC, or null."""
from __future__ import annotations

from datetime import datetime, timezone

from server.models import Conflict, Resident
from server.sync import records

WHEN = datetime(2026, 11, 27, 1, 30, tzinfo=timezone.utc)
LATER = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def test_a_visits_and_a_notes_instants_are_sent():
    common = {"id": "v", "resident_id": "r", "grid_id": 3, "author_id": 7, "device_time": WHEN,
              "recorded_at": LATER, "corrects_id": None, "correction": None}
    visit = records.visit_payload({**common, "visited_at": WHEN, "outcome": "met",
                                   "details": {"mood": "good"}}, "王芳")
    assert (visit["visited_at"], visit["device_time"], visit["recorded_at"]) == \
        ("2026-11-27T01:30:00Z", "2026-11-27T01:30:00Z", "2026-11-27T02:00:00Z")
    assert visit["mood"] == "good" and visit["author_name"] == "王芳"
    note = records.note_payload({**common, "written_at": WHEN, "text": "买药"}, None)
    assert (note["written_at"], note["recorded_at"]) == \
        ("2026-11-27T01:30:00Z", "2026-11-27T02:00:00Z")


def test_an_open_conflict_has_no_settling_time_and_a_settled_one_has():
    conflict = Conflict(id="c", grid_id=3, resident_id="r", field="phone", kept_value="1",
                        lost_value="2", kept_by={}, lost_by={}, detected_at=WHEN, status="open")
    sent = records.conflict_payload(conflict)
    assert (sent["detected_at"], sent["settled_at"]) == ("2026-11-27T01:30:00Z", None)
    conflict.status, conflict.settled_at = "settled", LATER
    assert records.conflict_payload(conflict)["settled_at"] == "2026-11-27T02:00:00Z"


def test_a_residents_creation_time_is_sent():
    resident = Resident(id="r", grid_id=3, version=5, name="王芳", sex="F", birth_year=1940,
                        address="1号楼", created_at=WHEN)
    assert records.resident_payload(resident)["created_at"] == "2026-11-27T01:30:00Z"


def stored(text: str) -> str:
    """The same text as a new string object, as keys read back from a JSON column are."""
    return "".join(list(text))


def test_a_conflict_tells_the_tablets_who_but_never_which_device():
    kept_by = {stored(key): value for key, value in {
        "op_id": "op-1", "device_id": "dev-a", "person_id": 7, "person_name": "王芳",
        "device_time": "2026-11-27T01:29:00Z", "at": "kept"}.items()}
    conflict = Conflict(id="c", grid_id=3, resident_id="r", field="phone", kept_value="1",
                        lost_value="2", kept_by=kept_by, lost_by=None, detected_at=WHEN,
                        status="open")
    sent = records.conflict_payload(conflict)
    assert sent["kept_by"] == {"op_id": "op-1", "person_id": 7, "person_name": "王芳",
                               "device_time": "2026-11-27T01:29:00Z", "at": "kept"}
    assert sent["lost_by"] is None
    assert conflict.kept_by["device_id"] == "dev-a"  # the server's own record keeps it
