"""Sign-in throttling behind a reverse proxy: the client's own address, from a configured
number of trusted proxies; accounts and addresses throttled separately (issue 8, finding 3)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from server import create_app
from server.models import AuditEntry, LoginAttempt
from tests.conftest import FAST_PASSWORD_HASH
from testkit.factories import PASSWORD


@pytest.fixture
def proxied(engine, database_url):
    """The app as deployed behind one reverse proxy."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "TRUSTED_PROXIES": 1,
                      "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH, "SECRET_KEY": "test",
                      "SESSION_COOKIE_SECURE": False})
    return app.test_client()


def login(client, username, password=PASSWORD, client_addr=None):
    headers = {"X-Forwarded-For": client_addr} if client_addr else {}
    return client.post("/api/v1/auth/login", headers=headers, environ_base={
        "REMOTE_ADDR": "10.9.9.9"}, json={  # the proxy's own address
        "protocol": 2, "username": username, "password": password,
        "device_id": str(uuid.uuid4()), "device_name": "一号平板"})


def test_failures_of_many_clients_behind_the_proxy_lock_out_nobody_else(proxied, neighbourhood,
                                                                        app):
    per_address = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for n in range(per_address + 5):
        assert login(proxied, f"nobody{n}", "wrong", f"198.51.100.{n + 1}").status_code == 401
    assert login(proxied, "alice", client_addr="203.0.113.7").status_code == 200


def test_a_locked_out_account_does_not_lock_out_its_neighbours(proxied, neighbourhood, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login(proxied, "alice", "wrong", "203.0.113.7").status_code == 401
    # alice waits, wherever she tries from ...
    assert login(proxied, "alice", client_addr="203.0.113.7").status_code == 429
    assert login(proxied, "alice", client_addr="203.0.113.8").status_code == 429
    # ... but her neighbours on the same network and behind the same proxy do not.
    assert login(proxied, "bob", client_addr="203.0.113.7").status_code == 200
    assert login(proxied, "carol", client_addr="203.0.113.9").status_code == 200


def test_one_address_guessing_at_many_accounts_is_throttled(proxied, neighbourhood, app):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        assert login(proxied, f"guess{n}", "wrong", "192.0.2.66").status_code == 401
    assert login(proxied, "alice", client_addr="192.0.2.66").status_code == 429
    assert login(proxied, "alice", client_addr="192.0.2.67").status_code == 200


def test_forwarded_headers_are_ignored_unless_a_proxy_is_configured(client, neighbourhood, app,
                                                                   db_session):
    """With no trusted proxy (the default) a client cannot pick its address to dodge the
    throttle: the header is ignored and the connecting address counts."""
    assert app.config["TRUSTED_PROXIES"] == 0
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        assert login(client, f"guess{n}", "wrong", f"198.51.100.{n + 1}").status_code == 401
    assert login(client, "alice", client_addr="203.0.113.200").status_code == 429
    addresses = set(db_session.scalars(select(LoginAttempt.remote_addr)))
    assert addresses == {"10.9.9.9"}


def test_the_audit_log_records_the_real_client_address(proxied, neighbourhood, db_session):
    assert login(proxied, "alice", client_addr="203.0.113.7").status_code == 200
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in")).one()
    assert entry.remote_addr == "203.0.113.7"
    attempt = db_session.scalars(select(LoginAttempt)).one()
    assert attempt.remote_addr == "203.0.113.7"


def test_only_the_address_the_proxy_saw_counts(proxied, neighbourhood, db_session):
    """A client's own X-Forwarded-For is passed on by the proxy, which appends the real
    address: only the last (proxy-added) entry is trusted."""
    assert login(proxied, "alice", client_addr="1.2.3.4, 203.0.113.7").status_code == 200
    attempt = db_session.scalars(select(LoginAttempt)).one()
    assert attempt.remote_addr == "203.0.113.7"
