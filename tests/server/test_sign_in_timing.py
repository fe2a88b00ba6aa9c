"""An unknown username costs the same password check as a real one (no guessing by timing).

Measured by what the server does, not by the clock: every sign-in verifies exactly one password
hash, made with the configured method and its cost, whether the account exists or not.
"""
from __future__ import annotations

import uuid

import pytest
from werkzeug import security

import server.auth
from server import create_app
from shared import protocol as p
from testkit.factories import PASSWORD, make_district, make_person

#: Not the tests' usual fast hash, so that a dummy of another method or cost shows.
METHOD = "pbkdf2:sha256:2000"


@pytest.fixture
def verified(monkeypatch):
    """The hash of every password verification the server makes, in order."""
    hashes: list[str] = []
    real = security.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        hashes.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(server.auth, "check_password_hash", spy)
    return hashes


def test_unknown_and_real_usernames_cost_one_check_of_the_same_method(
        engine, database_url, db_session, verified):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "t",
                      "PASSWORD_HASH_METHOD": METHOD})
    tree = make_district(db_session, streets=1, communities=1, grids=1)
    person = make_person(db_session, "wangxiuying", p.VOLUNTEER, [tree.grids[0]])
    person.password_hash = security.generate_password_hash(PASSWORD, method=METHOD)
    db_session.commit()
    client = app.test_client()

    def sign_in(username: str) -> int:
        return client.post("/api/v1/auth/login", json={
            "protocol": 2, "username": username, "password": "wrong password",
            "device_id": str(uuid.uuid4()), "device_name": "平板"}).status_code

    assert sign_in("wangxiuying") == 401
    assert sign_in("nobody-by-this-name") == 401
    person.active = False
    db_session.commit()
    assert sign_in("wangxiuying") == 401
    assert len(verified) == 3  # one verification each, real, unknown and deactivated alike
    methods = {pwhash.split("$", 1)[0] for pwhash in verified}
    assert methods == {METHOD}
