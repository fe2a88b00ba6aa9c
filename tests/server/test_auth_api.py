"""Signing a device in, and what happens to tokens that are unknown or revoked."""
import uuid

from sqlalchemy import select

from server.models import Device, LoginAttempt
from shared.clock import utcnow
from testkit.factories import PASSWORD


def login(client, username="alice", password=PASSWORD, device_id=None, protocol=2):
    return client.post("/api/v1/auth/login", json={
        "protocol": protocol, "username": username, "password": password,
        "device_id": device_id or str(uuid.uuid4()), "device_name": "一号平板"})


def test_login_returns_a_token_that_is_stored_only_hashed(client, neighbourhood, db_session):
    response = login(client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["person"]["display_name"] == "王秀英"
    device = db_session.get(Device, body["device_id"])
    assert device.token_hash != body["token"] and len(device.token_hash) == 64


def test_a_wrong_password_is_refused_with_a_reason(client, neighbourhood):
    response = login(client, password="wrong")
    assert response.status_code == 401
    assert response.get_json()["error"] == "bad_credentials"


def test_repeated_failures_are_throttled_and_still_recorded(client, neighbourhood, db_session):
    for _ in range(5):
        assert login(client, password="wrong").status_code == 401
    response = login(client)  # even the right password waits now
    assert response.status_code == 429
    assert response.get_json()["error"] == "throttled"
    assert "Retry-After" in response.headers
    failures = db_session.scalars(select(LoginAttempt).where(
        LoginAttempt.succeeded.is_(False))).all()
    assert len(failures) == 5


def test_calls_without_a_token_get_401_token_missing(client, neighbourhood):
    response = client.post("/api/v1/sync/pull", json={"protocol": 2})
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_missing"


def test_an_unknown_token_sends_the_app_to_sign_in_without_wiping(client, neighbourhood):
    response = client.post("/api/v1/sync/pull", json={"protocol": 2},
                           headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_unknown"
    assert response.get_json()["details"]["action"] == "sign_in"


def test_a_revoked_device_is_refused_and_told_to_wipe(client, neighbourhood, db_session,
                                                      device_for):
    device = device_for("alice")
    db_session.get(Device, device.device_id).revoked_at = utcnow()
    db_session.commit()
    response = device.pull()
    assert response.status_code == 401
    assert response.get_json()["error"] == "device_revoked"
    assert login(client, device_id=device.device_id).get_json()["error"] == "device_revoked"


def test_signing_in_again_replaces_the_old_token(client, neighbourhood, device_for):
    first = device_for("alice")
    second = device_for("alice", device_id=first.device_id)
    assert first.pull().status_code == 401
    assert second.pull().status_code == 200


def test_an_app_too_old_is_asked_to_update(client, neighbourhood):
    response = login(client, protocol=0)
    assert response.status_code == 426
    assert response.get_json()["error"] == "upgrade_required"
