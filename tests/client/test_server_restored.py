"""The tablet's side of a server restore: it checks the server before pushing, and a token the
server does not know (its device row was lost with the restore) asks for sign-in, not a wipe."""
import pytest
from sqlalchemy import select

from client.service import SignInRequired
from client.transport import FlaskTransport
from server.models import Device, Visit
from testkit.factories import PASSWORD


class Recording:
    def __init__(self, inner):
        self.inner, self.paths = inner, []

    def post(self, path, body, token=None):
        self.paths.append(path)
        return self.inner.post(path, body, token)


def test_the_server_is_checked_before_anything_is_pushed(app, grid, tablet_for):
    transport = Recording(FlaskTransport(app))
    alice = tablet_for("alice", transport_factory=lambda _url: transport)
    assert alice.sync().ok
    alice.record_visit(alice.today_list()[0].id, "met")
    transport.paths.clear()
    assert alice.sync().ok
    # The token is renewed first (it proves the tablet may talk at all); then the state check,
    # before a single op is pushed.
    assert transport.paths[:3] == ["/api/v1/auth/renew", "/api/v1/sync/state",
                                   "/api/v1/sync/push"]


def test_an_unknown_token_asks_for_sign_in_and_keeps_the_unsent_work(grid, tablet_for,
                                                                     db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    visit_id = alice.record_visit(alice.today_list()[0].id, "no_answer")
    device = db_session.scalars(select(Device)).one()
    device.token_hash = "0" * 64  # the server no longer knows the tablet's token
    db_session.commit()
    with pytest.raises(SignInRequired):
        alice.sync()
    assert not alice.signed_in and alice.unsent_count() == 1
    assert alice.resident(alice.today_list()[0].id).visits[0]["id"] == visit_id
    alice.sign_in("http://in-process", "alice", PASSWORD, "alice 的平板")
    assert alice.sync().ok and alice.unsent_count() == 0
    assert db_session.get(Visit, visit_id) is not None
