"""Sign in and out, CSRF, throttling, session cookies."""
from __future__ import annotations

from testkit.web_helpers import FAST_PASSWORD_HASH, csrf_token, sign_in

from server.models import AuditEntry, Person


def test_pages_need_a_signed_in_supervisor(client, scenario):
    response = client.get("/residents")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_supervisor_signs_in_and_out(client, scenario, db_session):
    response = sign_in(client, "kunwu_sup", scenario.password)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and "李高远" in page.get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    actions = [e.action for e in db_session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-2:] == ["web_sign_in", "web_sign_out"]


def test_wrong_password_and_field_roles_are_refused(client, scenario):
    assert sign_in(client, "kunwu_sup", "wrong password").status_code == 401
    response = sign_in(client, "vol_a", scenario.password)
    assert response.status_code == 403
    assert "平板" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_is_throttled(client, scenario, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, "kunwu_sup", "nope").status_code == 401
    response = sign_in(client, "kunwu_sup", scenario.password)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_forms_without_csrf_token_are_refused(client, scenario):
    response = client.post("/login", data={"username": "kunwu_sup",
                                           "password": scenario.password})
    assert response.status_code == 400
    sign_in(client, "kunwu_sup", scenario.password)
    zhang = scenario.residents["zhang"]
    response = client.post(f"/residents/{zhang.id}", data={"phone": "110"})
    assert response.status_code == 400


def test_json_api_stays_exempt_from_csrf(client, scenario):
    response = client.post("/api/v1/auth/login", json={
        "protocol": 2, "username": "vol_a", "password": scenario.password,
        "device_id": "6f1c2a34-9a7b-4c1e-8d2f-0a1b2c3d4e5f", "device_name": "平板"})
    assert response.status_code == 200


def test_session_cookie_flags(client, scenario, engine, database_url):
    from server import create_app
    sign_in(client, "kunwu_sup", scenario.password)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    secure_app = create_app({"DATABASE_URL": database_url, "SESSION_COOKIE_SECURE": True,
                             "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH, "SECRET_KEY": "t"})
    secure_client = secure_app.test_client()
    response = sign_in(secure_client, "kunwu_sup", scenario.password)
    assert "Secure" in response.headers["Set-Cookie"]


def test_deactivated_person_loses_their_session(as_user, scenario, db_session):
    client = as_user("street_sup")
    assert client.get("/").status_code == 200
    person = db_session.get(Person, scenario.people["street_sup"].id)
    person.active = False
    db_session.commit()
    assert client.get("/").status_code == 302


def test_next_only_goes_to_local_pages(client, scenario):
    token = csrf_token(client)
    response = client.post("/login", data={"username": "kunwu_sup", "password": scenario.password,
                                           "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"
