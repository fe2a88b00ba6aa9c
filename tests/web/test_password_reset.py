"""Getting a new volunteer going (issue 11, screens 7): the password rule is shown before it is
needed; a supervisor resets the password of a person they manage (audited); an administrator
resets anyone's from the command line."""
from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import check_password_hash

from knockdoor import cli
from server.models import AuditEntry, Person, WebSession
from server.passwords import MIN_PASSWORD_CHARS
from testkit.web_helpers import api_login, sign_in

NEW = "新的密码 2026"


def password_hash(db_session, username: str) -> str:
    db_session.expire_all()
    return db_session.scalar(select(Person.password_hash).where(Person.username == username))


def test_the_add_person_form_states_the_password_rule_up_front(as_user, scenario):
    html = as_user("kunwu_sup").get("/people").get_data(as_text=True)
    rule = re.search(r'<p class="hint" id="password-rule">([^<]*)</p>', html).group(1)
    assert f"至少 {MIN_PASSWORD_CHARS} 个字符" in rule
    assert f'minlength="{MIN_PASSWORD_CHARS}"' in html and 'aria-describedby="password-rule"' \
        in html
    english = as_user("kunwu_sup").get("/people?lang=en").get_data(as_text=True)
    assert f"At least {MIN_PASSWORD_CHARS} characters" in english


def test_a_supervisor_resets_the_password_of_a_person_they_manage(as_user, scenario, client,
                                                                  db_session):
    web, vol_a = as_user("kunwu_sup"), scenario.people["vol_a"]
    page = web.get(f"/people/{vol_a.id}").get_data(as_text=True)
    assert f'action="/people/{vol_a.id}/password"' in page and "重设密码" in page
    response = web.post(f"/people/{vol_a.id}/password", {"password": NEW})
    assert response.status_code == 302
    assert check_password_hash(password_hash(db_session, "vol_a"), NEW)
    assert api_login(client, "vol_a", NEW)
    assert "已为" in web.get(response.headers["Location"]).get_data(as_text=True)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "reset_password"))
    assert (entry.person_id, entry.entity_id, entry.detail) == \
        (scenario.people["kunwu_sup"].id, str(vol_a.id), {"via": "web"})
    assert "重设密码" in web.get(f"/audit?person={scenario.people['kunwu_sup'].id}") \
        .get_data(as_text=True)


def test_a_short_password_is_refused_naming_the_rule_and_changes_nothing(as_user, scenario,
                                                                        db_session):
    web, vol_b = as_user("kunwu_sup"), scenario.people["vol_b"]
    before = password_hash(db_session, "vol_b")
    response = web.post(f"/people/{vol_b.id}/password", {"password": "short"})
    assert response.status_code == 303
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert f"密码：至少 {MIN_PASSWORD_CHARS} 个字符。" in page
    assert password_hash(db_session, "vol_b") == before
    assert db_session.scalar(select(AuditEntry).where(
        AuditEntry.action == "reset_password")) is None


def test_only_people_one_manages_and_never_oneself(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    before = password_hash(db_session, "vol_c")
    assert web.post(f"/people/{scenario.people['vol_c'].id}/password",  # another community
                    {"password": NEW}).status_code == 404
    assert web.post(f"/people/{scenario.people['kunwu_sup'].id}/password",
                    {"password": NEW}).status_code == 403
    assert password_hash(db_session, "vol_c") == before
    # and the form needs its CSRF token like every other
    assert web.client.post(f"/people/{scenario.people['vol_a'].id}/password",
                           data={"password": NEW}).status_code == 400


def test_a_reset_signs_the_person_out_of_the_web(as_user, scenario, app, db_session):
    supervisor = as_user("kunwu_sup")
    assert supervisor.get("/").status_code == 200
    admin = as_user("admin")
    assert admin.post(f"/people/{scenario.people['kunwu_sup'].id}/password",
                      {"password": NEW}).status_code == 302
    assert supervisor.get("/").status_code == 302  # back to the sign-in page
    assert db_session.scalar(select(WebSession).where(
        WebSession.person_id == scenario.people["kunwu_sup"].id)) is None
    assert sign_in(app.test_client(), "kunwu_sup", NEW).status_code == 302


def test_an_administrator_resets_a_password_from_the_command_line(scenario, database_url,
                                                                  db_session, capsys):
    assert cli.main(["reset-password", "vol_b", "--password", NEW,
                     "--database-url", database_url]) == 0
    assert "vol_b" in capsys.readouterr().out
    assert check_password_hash(password_hash(db_session, "vol_b"), NEW)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "reset_password"))
    assert entry.person_id is None and entry.detail == {"via": "cli"}
    assert cli.main(["reset-password", "nobody", "--password", NEW,
                     "--database-url", database_url]) == 1
    assert cli.main(["reset-password", "vol_b", "--password", "short",
                     "--database-url", database_url]) == 2
    assert check_password_hash(password_hash(db_session, "vol_b"), NEW)
