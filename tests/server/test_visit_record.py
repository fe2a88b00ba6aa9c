"""One shape for a visit record (shared.visit_record): the copy a tablet makes of its own visit
is the record the server sends back, member for member, but for what only the server knows."""
from __future__ import annotations

from datetime import timedelta

from client.store import local_visit_record
from shared.clock import utcnow
from shared.visit_record import visit_details
from testkit.ops import visit_op


def test_the_tablets_own_copy_has_the_shape_of_the_servers(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    when = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id, "met", device_time=when,
                  readings={"systolic": 150, "diastolic": 92}, mood="low", needs=["meals"],
                  services=[], note="精神不错", follow_up_on=None, safety_checks={})
    assert [r["status"] for r in alice.push_ok([op])] == ["applied"]
    pulled = next(change["data"] for change in alice.pull_all()["changes"]
                  if change["entity"] == "visit")
    local = local_visit_record(op, "王秀英", pulled["author_id"])
    assert sorted(local) == sorted(pulled)  # the same members: nothing empty, nothing missing
    server_only = {"recorded_at"}  # the server's own clock
    assert {k: v for k, v in local.items() if k not in server_only} == \
        {k: v for k, v in pulled.items() if k not in server_only}


def test_the_details_are_what_was_recorded_at_the_door():
    data = {"resident_id": "r", "outcome": "met", "corrects": None, "correction": None,
            "mood": "ok", "needs": [], "readings": {}, "note": None, "services": ["chat"]}
    assert visit_details(data) == {"mood": "ok", "services": ["chat"]}
