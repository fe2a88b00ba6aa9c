"""Device tokens expire after a period without contact and rotate (issue 8, finding 7)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server import create_app
from server.auth import hash_token
from server.models import Device
from shared import protocol as p
from tests.conftest import FAST_PASSWORD_HASH


def _renew(client, token):
    return client.post("/api/v1/auth/renew", json={"protocol": p.PROTOCOL_VERSION},
                       headers={"Authorization": f"Bearer {token}"})


def _pull(client, token):
    return client.post("/api/v1/sync/pull", json={"protocol": p.PROTOCOL_VERSION},
                       headers={"Authorization": f"Bearer {token}"})


def _age(db_session, device_id, **columns):
    device = db_session.get(Device, device_id)
    for name, delta in columns.items():
        setattr(device, name, getattr(device, name) - delta)
    db_session.commit()


@pytest.fixture
def short_lived(engine, database_url):
    """An app whose tokens expire after 2 idle days and rotate after 1 day."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test",
                      "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH, "DEVICE_TOKEN_IDLE_DAYS": 2,
                      "DEVICE_TOKEN_ROTATE_DAYS": 1, "DEVICE_TOKEN_GRACE_HOURS": 6,
                      "TABLET_LOCK_AFTER_DAYS": 3, "TABLET_WIPE_AFTER_DAYS": 9})
    return app.test_client()


def test_a_token_unused_for_longer_than_the_idle_period_expires(short_lived, neighbourhood,
                                                                db_session):
    from testkit.ops import ApiDevice
    from testkit.factories import PASSWORD
    device = ApiDevice(short_lived, "alice", PASSWORD)
    _age(db_session, device.device_id, last_seen_at=timedelta(days=1, hours=23))
    assert _pull(short_lived, device.token).status_code == 200  # still within two days
    _age(db_session, device.device_id, last_seen_at=timedelta(days=2, minutes=1))
    response = _pull(short_lived, device.token)
    assert response.status_code == 401
    assert response.get_json()["error"] == p.ERR_TOKEN_EXPIRED
    assert response.get_json()["details"]["action"] == "sign_in"  # not a wipe
    again = ApiDevice(short_lived, "alice", PASSWORD, device_id=device.device_id)
    assert _pull(short_lived, again.token).status_code == 200  # same device, signed in again


def test_a_token_rotates_and_the_old_one_stops_once_the_new_one_is_used(
        short_lived, neighbourhood, db_session):
    from testkit.ops import ApiDevice
    from testkit.factories import PASSWORD
    device = ApiDevice(short_lived, "alice", PASSWORD)
    first = _renew(short_lived, device.token).get_json()
    assert first["token"] is None  # a new token is not due yet
    assert first["policy"] == {"pin_idle_minutes": 5, "pin_attempts": 5,
                               "lock_after_days": 3, "wipe_after_days": 9}
    _age(db_session, device.device_id, token_issued_at=timedelta(days=1, minutes=1))

    new = _renew(short_lived, device.token).get_json()["token"]
    assert new and new != device.token
    db_session.expire_all()
    stored = db_session.get(Device, device.device_id)
    assert stored.token_hash == hash_token(new) and new not in (stored.next_token_sealed or "")
    # The answer was lost: the old token still works and gets the same new token again.
    assert _renew(short_lived, device.token).get_json()["token"] == new
    assert _pull(short_lived, device.token).status_code == 200
    # The new token is used: from now on the old one is refused (sign in, no wipe).
    assert _pull(short_lived, new).status_code == 200
    refused = _pull(short_lived, device.token)
    assert refused.status_code == 401 and refused.get_json()["error"] == p.ERR_TOKEN_UNKNOWN
    assert refused.get_json()["details"]["action"] == "sign_in"
    assert _renew(short_lived, new).get_json()["token"] is None


def test_a_replaced_token_stops_after_the_grace_period(short_lived, neighbourhood,
                                                       db_session):
    from testkit.ops import ApiDevice
    from testkit.factories import PASSWORD
    device = ApiDevice(short_lived, "alice", PASSWORD)
    _age(db_session, device.device_id, token_issued_at=timedelta(days=2))
    new = _renew(short_lived, device.token).get_json()["token"]
    _age(db_session, device.device_id, previous_token_until=timedelta(hours=6, seconds=1))
    assert _pull(short_lived, device.token).status_code == 401
    assert _pull(short_lived, new).status_code == 200


def test_signing_in_again_retires_every_earlier_token(short_lived, neighbourhood, db_session):
    from testkit.ops import ApiDevice
    from testkit.factories import PASSWORD
    device = ApiDevice(short_lived, "alice", PASSWORD)
    _age(db_session, device.device_id, token_issued_at=timedelta(days=2))
    rotated = _renew(short_lived, device.token).get_json()["token"]
    again = ApiDevice(short_lived, "alice", PASSWORD, device_id=device.device_id)
    assert _pull(short_lived, device.token).status_code == 401
    assert _pull(short_lived, rotated).status_code == 401
    assert _pull(short_lived, again.token).status_code == 200


def test_the_token_settings_come_from_the_environment(monkeypatch):
    from server.config import Config
    monkeypatch.setenv("KNOCKDOOR_DEVICE_TOKEN_IDLE_DAYS", "10")
    monkeypatch.setenv("KNOCKDOOR_TABLET_WIPE_AFTER_DAYS", "45")
    config = Config()
    assert config.DEVICE_TOKEN_IDLE_DAYS == 10 and config.TABLET_WIPE_AFTER_DAYS == 45
    monkeypatch.setenv("KNOCKDOOR_DEVICE_TOKEN_IDLE_DAYS", "0")
    with pytest.raises(ValueError, match="KNOCKDOOR_DEVICE_TOKEN_IDLE_DAYS"):
        Config()
