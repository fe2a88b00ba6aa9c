"""A server restored from a backup is noticed (DESIGN.md §4.13): the epoch and the state check."""
from __future__ import annotations

from sqlalchemy import delete, update

from knockdoor import cli
from server.models import AppliedOp, LogHead
from shared import protocol as p
from testkit.ops import visit_op


def state(device, **claims):
    response = device.client.post("/api/v1/sync/state", headers=device.headers,
                                  json={"protocol": p.PROTOCOL_VERSION, **claims})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_state_names_the_epoch_the_head_and_what_the_device_has_applied(
        neighbourhood, device_for):
    alice = device_for("alice")
    first = state(alice)
    assert first["epoch"] and first["applied_seq"] == 0 and not first["restored"]
    ops = [visit_op(seq, neighbourhood.grid_a.id, neighbourhood.resident_a.id)
           for seq in (1, 2, 3)]
    assert alice.push(ops).status_code == 200
    now = state(alice, epoch=first["epoch"], seen_position=first["head"], acked_seq=0)
    assert now["epoch"] == first["epoch"] and now["applied_seq"] == 3
    assert now["head"] == first["head"] + 3 and not now["restored"]


def test_a_tablet_that_saw_more_than_the_server_holds_starts_a_new_epoch(
        neighbourhood, device_for, db_session):
    alice, bob = device_for("alice"), device_for("bob")
    epoch = state(alice)["epoch"]
    ops = [visit_op(seq, neighbourhood.grid_a.id, neighbourhood.resident_a.id)
           for seq in (1, 2)]
    assert alice.push(ops).status_code == 200
    head = state(alice)["head"]
    # The backup lacks the push: the database "restored" as it was before it.
    db_session.execute(delete(AppliedOp))
    db_session.commit()
    answer = state(alice, epoch=epoch, seen_position=head, acked_seq=2)
    assert answer["restored"] and answer["epoch"] != epoch and answer["epoch_since"] == 0
    assert answer["applied_seq"] == 0
    # Everybody else learns it from the epoch; claims about an older epoch change nothing.
    assert state(bob, epoch=epoch, seen_position=head + 50)["epoch"] == answer["epoch"]
    assert not state(bob, epoch=epoch, seen_position=head + 50)["restored"]


def test_a_log_head_behind_what_a_tablet_pulled_starts_a_new_epoch(neighbourhood, device_for,
                                                                   db_session):
    alice = device_for("alice")
    first = state(alice)
    db_session.execute(update(LogHead).values(position=LogHead.position - 1))
    db_session.commit()
    answer = state(alice, epoch=first["epoch"], seen_position=first["head"])
    assert answer["restored"] and answer["epoch"] != first["epoch"]


def test_claims_out_of_range_are_refused_and_change_nothing(neighbourhood, device_for):
    alice = device_for("alice")
    epoch = state(alice)["epoch"]
    for claims in ({"seen_position": -1}, {"acked_seq": 2**63}, {"seen_position": "9"},
                   {"epoch": "x" * 37}):
        response = alice.client.post("/api/v1/sync/state", headers=alice.headers,
                                     json={"protocol": p.PROTOCOL_VERSION, "epoch": epoch,
                                           **claims})
        assert response.status_code == 422, claims
    assert state(alice)["epoch"] == epoch


def test_the_operator_command_starts_a_new_epoch_from_the_current_head(
        neighbourhood, device_for, database_url, capsys):
    alice = device_for("alice")
    before = state(alice)
    assert cli.main(["restored", "--database-url", database_url]) == 0
    assert "New epoch" in capsys.readouterr().out
    after = state(alice)
    assert after["epoch"] != before["epoch"] and after["epoch_since"] == before["head"]


def test_every_pull_page_names_the_epoch(neighbourhood, device_for):
    alice = device_for("alice")
    response = alice.client.post("/api/v1/sync/pull", headers=alice.headers,
                                 json={"protocol": p.PROTOCOL_VERSION, "cursor": None})
    assert response.get_json()["epoch"] == state(alice)["epoch"]
