"""A bare HTTP client of the sync API, for the server-side figures."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

import requests


from bench.common import stopwatch
from bench.stage import PASSWORD, PROTOCOL
from bench.visits import gzip_json, iso


# ---- a bare HTTP client (for the server-side figures) ------------------------------------------

HEADERS = {"Content-Type": "application/json", "Content-Encoding": "gzip",
           "Accept-Encoding": "gzip"}


def login(base_url: str, username: str, session: requests.Session | None = None,
          device_id: str | None = None) -> str:
    session = session or requests.Session()
    body = {"protocol": PROTOCOL, "username": username, "password": PASSWORD,
            "device_id": device_id or str(uuid.uuid4()), "device_name": f"bench {username}"}
    response = session.post(base_url + "/api/v1/auth/login", data=gzip_json(body),
                            headers=HEADERS, timeout=(5, 60))
    response.raise_for_status()
    return response.json()["token"]


def post(session: requests.Session, base_url: str, path: str, data: bytes, token: str) -> dict:
    """POST to the sync API. A connection the server closed while it sat idle (keep-alive ran
    out between login and the first push) is tried once more on a new one, as a tablet does:
    the sync API's writes are idempotent, so a resent push is answered, never applied twice."""
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    try:
        response = session.post(base_url + path, data=data, headers=headers, timeout=(5, 120))
    except requests.ConnectionError:
        response = session.post(base_url + path, data=data, headers=headers, timeout=(5, 120))
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def push_body(ops: list[dict]) -> dict:
    return {"protocol": PROTOCOL, "device_time": iso(datetime.now(timezone.utc)), "ops": ops}


def pull_everything(base_url: str, token: str, page: int) -> tuple[int, int]:
    """Pull from the start until caught up, parsing every page. Returns (changes, pages)."""
    session = requests.Session()
    cursor, changes, pages = None, 0, 0
    for _ in range(10_000):  # bounded
        body = post(session, base_url, "/api/v1/sync/pull",
                    gzip_json({"protocol": PROTOCOL, "cursor": cursor, "limit": page}), token)
        changes += len(body["changes"])
        pages += 1
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    return changes, pages


def signed_in_page_client(app, username: str, password: str):
    """A Flask test client signed in to the web pages, and the CSRF token of its session (signing
    in starts a fresh session, with a token of its own)."""
    client = app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client, _csrf_token(client.get("/").get_data(as_text=True))


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def page_seconds(client, path: str, repeat: int) -> list[float]:
    """The seconds each of ``repeat`` GETs of ``path`` took (each must answer 200)."""
    samples = []
    for _ in range(repeat):
        with stopwatch() as elapsed:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        samples.append(elapsed())
    return samples
