"""Helpers for driving the web view and the tablet API from tests."""
from __future__ import annotations

import re

#: The fast hash the root conftest configures for test apps.
FAST_PASSWORD_HASH = "pbkdf2:sha256:1000"

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, username: str, password: str):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


class WebClient:
    """A test client that signs in and sends the CSRF token with every form."""

    def __init__(self, client, username: str, password: str) -> None:
        self.client = client
        response = sign_in(client, username, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = csrf_token(client, "/")

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(path, data=data, **kwargs)


def api_login(client, username: str, password: str, device_id: str | None = None) -> str:
    """Sign a tablet in through the JSON API; returns its bearer token."""
    import uuid
    response = client.post("/api/v1/auth/login", json={
        "protocol": 2, "username": username, "password": password,
        "device_id": device_id or str(uuid.uuid4()), "device_name": "测试平板"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def api_pull_all(client, token: str) -> dict:
    """Every change a tablet receives on a first sync: {(entity, id): data}."""
    cursor, records = None, {}
    while True:
        response = client.post("/api/v1/sync/pull", json={"protocol": 2, "cursor": cursor},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        for change in page["changes"]:
            records[(change["entity"], change["id"])] = change["data"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return records
