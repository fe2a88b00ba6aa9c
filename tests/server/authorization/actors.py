"""Clients for each actor: a web client with its CSRF token and a tablet's token."""
from __future__ import annotations

import secrets

from flask.json.tag import TaggedJSONSerializer

from testkit.web_helpers import CSRF_META, api_login

from server.models import WebSession
from server.web.sessions import _hash
from shared.clock import utcnow

from tests.server.authorization.expected import FIELD, USERNAMES
from tests.server.authorization.world import World

class Actor:
    """One actor's web client (with a CSRF token) and tablet token."""

    def __init__(self, app, world: World, name: str) -> None:
        self.name, self.world = name, world
        self.web = app.test_client()
        self.api = app.test_client()
        self.token: str | None = None
        self.headers: dict[str, str] = {}
        scenario = world.scenario
        username = USERNAMES.get(name)
        if name == "revoked_device":
            self.token = world.revoked_token
            self.headers = {"Authorization": f"Bearer {self.token}"}
        elif username is not None:
            self.token = api_login(self.api, username, scenario.password)
            self.headers = {"Authorization": f"Bearer {self.token}"}
        if name in FIELD:
            # As if a field person held a web session: the web must still refuse them.
            plant_session(app, self.web, person_id(world, username))
        elif username is not None and name != "revoked_device":
            page = self.web.get("/login")
            token = CSRF_META.search(page.get_data(as_text=True)).group(1)
            response = self.web.post("/login", data={"username": username,
                                                     "password": scenario.password,
                                                     "csrf_token": token})
            assert response.status_code == 302, name
        self.refresh_csrf()
        self.seq = 0

    def refresh_csrf(self) -> None:
        """The form token of the current session (a sign-in starts a new session)."""
        page = self.web.get("/login", headers=self.web_headers)
        if page.status_code == 302:
            page = self.web.get("/", headers=self.web_headers)
        self.csrf = CSRF_META.search(page.get_data(as_text=True)).group(1)

    @property
    def web_headers(self) -> dict:
        # A revoked tablet's token sent to the web, too: the web knows no bearer tokens.
        return self.headers if self.name == "revoked_device" else {}

    @property
    def home(self) -> str:
        """Which area is ``in`` for this actor."""
        return "pushang" if self.name == "representative" else "kunwu"


def person_id(world: World, username: str) -> int:
    return next(person.id for person in world.scenario.people.values()
                if person.username == username)


def plant_session(app, client, person: int) -> None:
    token = secrets.token_urlsafe(32)
    with app.app_context():
        from server.db import db
        db.session.add(WebSession(token_hash=_hash(token),
                                  data=TaggedJSONSerializer().dumps({"person_id": person}),
                                  person_id=person, created_at=utcnow(), last_seen_at=utcnow()))
        db.session.commit()
    client.set_cookie("session", token)

