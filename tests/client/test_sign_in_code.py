"""A tablet signed in with the one-time code of a sign-in sheet (issue 11, the screens 4): the
code the web view prints is read from its QR payload and redeemed instead of a password."""
from __future__ import annotations

import pytest

from client.service import FieldService, SignInError
from client.transport import FlaskTransport
from client.ui import presenters as pr
from server.provisioning import create_code, payload
from shared.clock import utcnow


def a_tablet(app, path) -> FieldService:
    return FieldService(path, transport_factory=lambda _url: FlaskTransport(app),
                        sleep=lambda _seconds: None)


def test_a_sheets_code_signs_the_tablet_in_once(app, grid, db_session, tmp_path, chinese):
    code, _expires = create_code(db_session, grid.volunteer, None, utcnow())
    db_session.commit()
    values, read, _said = pr.read_provisioning(payload("http://in-process", code))
    assert values == {"server_url": "http://in-process"} and read
    assert pr.check_sign_in(values["server_url"], "", "", "三号网格平板", code=read) == {}

    tablet = a_tablet(app, tmp_path / "first")
    try:
        account = tablet.sign_in(values["server_url"], "", "", "三号网格平板", code=read)
        assert account.username == "alice" and tablet.sync().ok
        assert tablet.today_list()  # her grid arrived
    finally:
        tablet.close()

    again = a_tablet(app, tmp_path / "second")
    try:
        with pytest.raises(SignInError) as refused:
            again.sign_in("http://in-process", "", "", "另一台平板", code=read)
        assert refused.value.code == "provision_code_invalid"
        assert "登录码" in pr.sign_in_message(refused.value.code)
    finally:
        again.close()
