"""Web sessions live on the server: the cookie is a random token, sign-out and idle time end
the session for every copy of the cookie, and cookies are Secure by default (issue 8, finding 7)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select, update

from testkit.web_helpers import WebClient

from server.config import Config
from server.models import WebSession
from shared.clock import utcnow

#: Destructive actions ask for a reason (confirmation pages).
REASON = {"reason": "人员调整"}


def _copy_of(app, web: WebClient):
    """A second browser holding a copy of ``web``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", web.client.get_cookie("session").value)
    return thief


def test_the_cookie_holds_only_a_random_token(as_user, db_session):
    web = as_user("kunwu_sup")
    token = web.client.get_cookie("session").value
    assert len(token) >= 40 and "." not in token  # not a signed payload
    stored = db_session.scalars(select(WebSession)).all()
    assert [row.token_hash for row in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in {row.data for row in stored}


def test_a_copied_cookie_is_dead_after_sign_out(app, as_user):
    web = as_user("kunwu_sup")
    thief = _copy_of(app, web)
    assert thief.get("/").status_code == 200
    assert web.post("/logout").status_code == 302
    assert thief.get("/").status_code == 302
    assert thief.get("/people").status_code == 302


def test_a_session_ends_after_idle_time(app, as_user, db_session):
    web = as_user("kunwu_sup")
    assert web.get("/").status_code == 200
    idle = app.config["WEB_SESSION_IDLE_MINUTES"]
    db_session.execute(update(WebSession).values(
        last_seen_at=utcnow() - timedelta(minutes=idle + 1)))
    db_session.commit()
    assert web.get("/").status_code == 302
    db_session.expire_all()
    assert db_session.scalars(select(WebSession).where(WebSession.person_id.is_not(None))).all() \
        == []


def test_activity_keeps_a_session_alive(app, as_user, db_session):
    web = as_user("kunwu_sup")
    idle = app.config["WEB_SESSION_IDLE_MINUTES"]
    db_session.execute(update(WebSession).values(
        last_seen_at=utcnow() - timedelta(minutes=idle - 1)))
    db_session.commit()
    assert web.get("/").status_code == 200
    db_session.expire_all()
    row = db_session.scalars(select(WebSession)).one()
    assert row.last_seen_at > utcnow() - timedelta(minutes=1)


def test_sign_in_issues_a_new_token(app, client, scenario):
    from testkit.web_helpers import sign_in
    client.get("/login")
    before = client.get_cookie("session").value
    assert sign_in(client, "kunwu_sup", scenario.password).status_code == 302
    assert client.get_cookie("session").value != before


def test_deactivation_ends_every_session_of_the_person(app, as_user, scenario, db_session):
    street = as_user("street_sup")
    admin = as_user("admin")
    assert admin.post(f"/people/{scenario.people['street_sup'].id}/deactivate", data=REASON).status_code == 302
    assert street.get("/").status_code == 302
    db_session.expire_all()
    assert db_session.scalars(select(WebSession).where(
        WebSession.person_id == scenario.people["street_sup"].id)).all() == []


def test_secure_cookies_are_the_default(monkeypatch):
    monkeypatch.delenv("KNOCKDOOR_SECURE_COOKIES", raising=False)
    assert Config().SESSION_COOKIE_SECURE is True
    monkeypatch.setenv("KNOCKDOOR_SECURE_COOKIES", "0")
    assert Config().SESSION_COOKIE_SECURE is False


def test_idle_time_is_configurable(monkeypatch):
    monkeypatch.setenv("KNOCKDOOR_WEB_SESSION_IDLE_MINUTES", "5")
    assert Config().WEB_SESSION_IDLE_MINUTES == 5


def test_a_sign_in_page_left_open_past_the_idle_time_says_so_in_chinese(app, client, scenario,
                                                                       db_session):
    from testkit.web_helpers import csrf_token
    token = csrf_token(client)
    idle = app.config["WEB_SESSION_IDLE_MINUTES"]
    db_session.execute(update(WebSession).values(
        last_seen_at=utcnow() - timedelta(minutes=idle + 1)))
    db_session.commit()
    response = client.post("/login", data={"username": "kunwu_sup",
                                           "password": scenario.password, "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "页面打开时间过长" in html and "CSRF" not in html
    # A fresh page signs in as usual.
    from testkit.web_helpers import sign_in
    assert sign_in(client, "kunwu_sup", scenario.password).status_code == 302


def test_a_stale_form_after_sign_in_changes_nothing_and_says_so(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    web.token = "stale"
    zhang = scenario.residents["zhang"]
    response = web.post(f"/residents/{zhang.id}", data={"phone": "110"})
    assert response.status_code == 400
    assert "页面打开时间过长" in response.get_data(as_text=True)
