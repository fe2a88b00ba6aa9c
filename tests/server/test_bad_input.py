"""Bad input of every kind: a clear error naming the problem, and nothing changed."""
import gzip
import json

import pytest
from sqlalchemy import func, select

from server.models import AppliedOp, ChangeLogEntry, Visit
from shared.protocol import MAX_BODY_BYTES
from testkit.ops import visit_op


@pytest.fixture
def alice(neighbourhood, device_for):
    return device_for("alice")


def nothing_changed(db_session) -> bool:
    rows = [db_session.scalar(select(func.count()).select_from(model))
            for model in (Visit, AppliedOp)]
    return rows == [0, 0]


def post(client, alice, data, **headers):
    return client.post("/api/v1/sync/push", data=data,
                       headers={**alice.headers, "Content-Type": "application/json", **headers})


def test_malformed_json_is_refused(client, alice, db_session):
    response = post(client, alice, '{"protocol": 2, "ops": [')
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_body"
    assert nothing_changed(db_session)


def test_a_body_that_is_not_an_object_is_refused(client, alice, db_session):
    response = post(client, alice, json.dumps([1, 2, 3]))
    assert response.status_code in (400, 422)
    assert nothing_changed(db_session)


def test_wrong_types_at_the_top_level_name_the_field(client, alice, db_session):
    response = post(client, alice, json.dumps({"protocol": "2", "device_time": "x", "ops": {}}))
    body = response.get_json()
    assert response.status_code == 422
    assert {"protocol", "device_time", "ops"} <= set(body["details"]["fields"])
    assert nothing_changed(db_session)


def test_unknown_top_level_fields_are_refused(client, alice, db_session):
    response = post(client, alice, json.dumps({"protocol": 2, "device_time":
                                               "2026-11-27T01:00:00Z", "ops": [], "x": 1}))
    assert response.status_code == 422 and "x" in response.get_json()["message"]


def test_an_oversized_body_is_refused(client, alice, db_session):
    response = post(client, alice, b"{" + b" " * (5 * 1024 * 1024) + b"}")
    assert response.status_code == 413
    assert response.get_json()["error"] == "body_too_large"
    assert nothing_changed(db_session)


def test_a_gzip_bomb_is_refused(client, alice, db_session):
    bomb = gzip.compress(b'{"ops": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}')
    response = post(client, alice, bomb, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert nothing_changed(db_session)


def test_a_body_claiming_gzip_that_is_not_is_refused(client, alice, db_session):
    response = post(client, alice, b"plain text", **{"Content-Encoding": "gzip"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "unsupported_encoding"


def test_too_many_ops_in_one_push_are_refused(client, alice, neighbourhood, db_session):
    hood = neighbourhood
    ops = [visit_op(i, hood.grid_a.id, hood.resident_a.id) for i in range(1, 1002)]
    assert alice.push(ops).status_code == 422
    assert nothing_changed(db_session)


def test_an_op_for_an_unknown_resident_is_rejected_by_name(alice, neighbourhood, db_session):
    result = alice.push_ok([visit_op(1, neighbourhood.grid_a.id,
                                     "00000000-0000-4000-8000-000000000000")])[0]
    assert result["reason"]["code"] == "unknown_entity"
    assert "00000000-0000-4000-8000-000000000000" in result["reason"]["message"]
    assert db_session.scalar(select(func.count()).select_from(ChangeLogEntry)) == 2


def test_ops_that_are_not_objects_are_rejected_one_by_one(alice, neighbourhood):
    hood = neighbourhood
    results = alice.push_ok(["junk", 42, visit_op(1, hood.grid_a.id, hood.resident_a.id)])
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]


def test_hostile_strings_are_stored_verbatim_and_harmlessly(alice, neighbourhood, db_session):
    hood = neighbourhood
    hostile = "Robert'); DROP TABLE visits;-- <img src=x onerror=alert(1)> \u202e"
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id, note=hostile)
    assert alice.push_ok([op])[0]["status"] == "applied"
    assert db_session.get(Visit, op["entity_id"]).details["note"] == hostile


def test_a_compressed_body_over_the_limit_is_refused_unread(client, alice, db_session):
    body = gzip.compress(b"x" * 1024)
    body += b"\0" * (4 * 1024 * 1024)  # the compressed body itself is over 4 MiB
    response = post(client, alice, body, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert response.get_json()["error"] == "body_too_large"
    assert nothing_changed(db_session)
