"""Protocol versions (DESIGN.md §4.10): checked before the body, naming the side to update."""
import pytest

from shared import protocol as p
from testkit.factories import PASSWORD
from testkit.ops import note_op, visit_op


def test_a_newer_app_adding_a_member_hears_the_server_must_be_updated(neighbourhood,
                                                                       device_for):
    hood, alice = neighbourhood, device_for("alice")
    response = alice.client.post("/api/v1/sync/push", headers=alice.headers, json={
        "protocol": p.PROTOCOL_VERSION + 1, "device_time": "2026-11-27T01:00:00Z",
        "ops": [visit_op(1, hood.grid_a.id, hood.resident_a.id)],
        "a_member_of_the_next_protocol": {"x": 1}})
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["error"] == p.ERR_UPGRADE_REQUIRED
    assert body["details"]["upgrade"] == "server"
    assert "server" in body["message"]


def test_a_newer_app_signing_in_hears_the_server_must_be_updated(client, neighbourhood):
    response = client.post("/api/v1/auth/login", json={
        "protocol": p.PROTOCOL_VERSION + 1, "username": "alice", "password": PASSWORD,
        "device_id": "6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c11", "device_name": "平板",
        "passkey": "a member of the next protocol"})
    body = response.get_json()
    assert response.status_code == 400 and body["error"] == p.ERR_UPGRADE_REQUIRED
    assert body["details"]["upgrade"] == "server"


def test_an_older_app_hears_the_app_must_be_updated(neighbourhood, device_for):
    alice = device_for("alice")
    response = alice.client.post("/api/v1/sync/pull", headers=alice.headers, json={
        "protocol": p.MIN_PROTOCOL_VERSION - 1, "cursor": None, "retired_member": True})
    body = response.get_json()
    assert response.status_code == 426, body
    assert body["error"] == p.ERR_UPGRADE_REQUIRED and body["details"]["upgrade"] == "app"
    assert "app" in body["message"]


@pytest.mark.parametrize("previous", range(p.MIN_PROTOCOL_VERSION, p.PROTOCOL_VERSION))
def test_the_previous_protocols_can_still_push_and_pull(neighbourhood, device_for, previous):
    hood, alice = neighbourhood, device_for("alice")
    clock = {} if previous < 2 else {"device_time": "2026-11-27T01:00:00Z"}  # from protocol 2
    response = alice.client.post("/api/v1/sync/push", headers=alice.headers, json={
        "protocol": previous, **clock,
        "ops": [visit_op(1, hood.grid_a.id, hood.resident_a.id),
                note_op(2, hood.grid_a.id, hood.resident_a.id)]})
    assert response.status_code == 200, response.get_json()
    assert [r["status"] for r in response.get_json()["results"]] == ["applied", "applied"]
    pulled = alice.client.post("/api/v1/sync/pull", headers=alice.headers,
                               json={"protocol": previous, "cursor": None})
    assert pulled.status_code == 200
    assert {"visit", "note", "resident"} <= {c["entity"] for c in pulled.get_json()["changes"]}


def test_a_protocol_that_is_not_a_number_is_a_validation_error(neighbourhood, device_for):
    alice = device_for("alice")
    response = alice.client.post("/api/v1/sync/pull", headers=alice.headers,
                                 json={"protocol": "2", "cursor": None})
    assert response.status_code == 422
    assert "protocol" in response.get_json()["details"]["fields"]
