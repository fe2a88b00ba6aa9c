"""How field candidates are kept on a resident (server.sync.stamps): pure, no database."""
from __future__ import annotations

from server.sync import stamps
from shared.merge import Candidate, FieldStamp


def stored(version: int, device: str = "tablet-1") -> dict:
    return {"v": version, "d": device, "s": 3, "b": 2, "o": f"op-{version}", "x": "value"}


def test_only_this_transactions_placeholder_takes_the_new_position():
    # Every real version is a log position (0 for a record not yet logged): none is touched.
    pending = {**stored(stamps.PENDING_VERSION), "o": "new"}
    fixed = stamps.fix_pending({"phone": [pending, *map(stored, (0, 1, 2, 3, 10_000))]}, 10_001)
    assert [item["v"] for item in fixed["phone"]] == [10_001, 0, 1, 2, 3, 10_000]
    assert fixed["phone"][0] == {**pending, "v": 10_001}


def test_who_names_the_device_of_a_tablets_edit_and_none_for_the_server():
    tablet = Candidate(FieldStamp(5, "tablet-1", 3, 2, "op"), "x",
                       {"p": 7, "n": "王芳", "t": "2026-03-01T08:00:00Z"})
    assert stamps.who(tablet) == {"op_id": "op", "device_id": "tablet-1", "person_id": 7,
                                  "person_name": "王芳", "device_time": "2026-03-01T08:00:00Z"}
    server = Candidate(FieldStamp(5, "", 0, 4, "server-1"), "x")
    assert stamps.who(server) == {"op_id": "server-1", "device_id": None, "person_id": None,
                                  "person_name": None, "device_time": None}


def test_candidates_round_trip_with_their_facts():
    items = [{**stored(4), "p": 7, "n": "王芳", "t": "2026-03-01T08:00:00Z", "c": "c1"},
             stored(5, "")]
    assert stamps.dump(stamps.load(items)) == items
    assert stamps.load(None) == []
