"""A tablet provisioned by a sign-in code (issue 11, the screens 4): `knockdoor app --server`
is honoured, and a code (from the QR scanner or pasted) fills in the sign-in form, so no
volunteer types http://…. Runs the real app under Xvfb."""
from __future__ import annotations

import pytest

from shared.provisioning import format_payload
from testkit.app_driver import AppDriver

pytestmark = pytest.mark.ui


def started(tmp_path, kivy_env, name: str, server: str | None) -> AppDriver:
    app = AppDriver(tmp_path / name, "zh_CN", env=kivy_env, log_path=tmp_path / f"{name}.log",
                    server=server)
    app.wait_ready()
    app.wait_for_screen("signin")
    return app


def test_the_server_given_on_the_command_line_is_filled_in(tmp_path, kivy_env):
    app = started(tmp_path, kivy_env, "plain", "192.0.2.10:8000/")
    try:
        app.wait_until(lambda: app.field("server_url") == "http://192.0.2.10:8000",
                       what="the address filled in")
    finally:
        app.close()


def test_a_sign_in_code_fills_the_form_and_a_wrong_one_says_so(tmp_path, kivy_env):
    code = format_payload("https://knock.example.org", "7KQ2-M9PD", "lixiaohong")
    app = started(tmp_path, kivy_env, "coded", code)
    try:
        app.wait_until(lambda: app.field("server_url") == "https://knock.example.org",
                       what="the server from the code")
        # the one-time code is kept for the sign-in, not typed as a password
        assert app.field("username") == "lixiaohong" and app.field("password") == ""
        app.wait_for_text("已读取登录码。给这台平板起个名字，然后登录。")
        # no camera under Xvfb: no scan button, typing is the way in
        assert not app.shows("扫码登录")
        # a code pasted into the address field (as a scanner keyboard types it) does the same
        app.type("server_url", format_payload("http://10.0.0.2:8000", "AB12"))
        app.wait_until(lambda: app.field("server_url") == "http://10.0.0.2:8000",
                       what="the pasted code read")
        app.type("server_url", "knockdoor://provision?server=http%3A%2F%2F10.0.0.2")
        app.wait_for_text("这个登录码不完整，请联系社区重新生成。")
    finally:
        app.close()
