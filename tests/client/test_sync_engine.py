"""The sync engine over an in-memory store and an in-process server: retries and backoff."""
import random

import pytest

from client.store import MemoryStore
from client.sync import SyncEngine, UpgradeRequired
from client.transport import FlaskTransport, TransportError
from testkit.factories import PASSWORD


class Scripted:
    """Fails the first ``failures`` calls the way it is told, then passes through."""

    def __init__(self, inner, failures):
        self.inner, self.failures, self.calls = inner, list(failures), 0

    def post(self, path, body, token=None):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.inner.post(path, body, token)


@pytest.fixture
def signed_in_store(app, grid) -> MemoryStore:
    store = MemoryStore()
    answer = FlaskTransport(app).post("/api/v1/auth/login", {
        "protocol": 2, "username": "alice", "password": PASSWORD,
        "device_id": "00000000-0000-4000-8000-000000000001", "device_name": "t"})
    store.set_meta({"token": answer["token"]})
    return store


def test_transient_failures_are_retried_with_growing_jittered_waits(app, signed_in_store):
    waits = []
    flaky = Scripted(FlaskTransport(app), [TransportError("timeout", retryable=True),
                                           TransportError("503", status=503, retryable=True)])
    engine = SyncEngine(signed_in_store, flaky, sleep=waits.append, rng=random.Random(1))
    assert engine.sync().ok
    assert len(waits) == 2 and 0 <= waits[0] <= 0.5 and 0 <= waits[1] <= 1.0


def test_the_servers_retry_after_is_respected(app, signed_in_store):
    waits = []
    busy = Scripted(FlaskTransport(app), [TransportError("429", status=429, retryable=True,
                                                         retry_after=7)])
    SyncEngine(signed_in_store, busy, sleep=waits.append).sync()
    assert waits == [7]


def test_giving_up_after_the_last_attempt_reports_offline(app, signed_in_store):
    down = Scripted(FlaskTransport(app), [TransportError("down", retryable=True)] * 10)
    report = SyncEngine(signed_in_store, down, sleep=lambda _s: None, max_attempts=3).sync()
    assert not report.ok and report.error_code == "offline" and down.calls == 3


def test_a_refusal_is_not_retried(app, signed_in_store):
    refused = Scripted(FlaskTransport(app), [TransportError("bad", status=400,
                                                            error="invalid_body")])
    report = SyncEngine(signed_in_store, refused, sleep=lambda _s: None).sync()
    assert refused.calls == 1 and report.error_code == "invalid_body"


def test_an_app_too_old_is_told_to_update(app, signed_in_store):
    old = Scripted(FlaskTransport(app), [TransportError("old", status=426,
                                                        error="upgrade_required")])
    with pytest.raises(UpgradeRequired):
        SyncEngine(signed_in_store, old, sleep=lambda _s: None).sync()


def test_a_backoff_never_exceeds_its_cap():
    engine = SyncEngine(MemoryStore(), None, rng=random.Random(3), backoff_cap=30)
    assert all(engine.backoff(attempt) <= 30 for attempt in range(20))


def test_a_cursor_the_server_refuses_makes_the_tablet_start_over(app, signed_in_store):
    engine = SyncEngine(signed_in_store, FlaskTransport(app), sleep=lambda _s: None)
    assert engine.sync().ok
    signed_in_store.set_meta({"cursor": "eyJ2IjoxLCJnIjp7IjEiOjk5OTk5fX0"})  # far ahead
    report = engine.sync()
    assert report.ok and report.pulled == 3
    assert engine.mismatched_grids() == []
