"""Start a real server process on 127.0.0.1 over a seeded database, and Chromium to drive it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT, ROOT / "tests" / "web"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from server.db import make_engine  # noqa: E402
from server.migrate import upgrade  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seeded_database(path: Path, seed) -> str:
    """A migrated SQLite database at ``path`` holding what ``seed(session)`` adds."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        result = seed(session)
        session.commit()
    engine.dispose()
    return url, result


def _start(database_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free port, answering; a port taken meanwhile by another process is retried
    on a fresh one (the suite shares the machine with other servers)."""
    env = {**os.environ, "KNOCKDOOR_DATABASE_URL": database_url,
           "KNOCKDOOR_SECRET_KEY": "browser-tests-secret", "PYTHONPATH": str(ROOT),
           "KNOCKDOOR_PASSWORD_HASH": "pbkdf2:sha256:1000"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    for _attempt in range(3):
        port = free_port()
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads",
                 "4", "--worker-class", "gthread", "--timeout", "60",
                 "tests.browser.web_live_app:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # a loaded machine imports slowly
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/login", timeout=5).status_code == 200:
                    return process, base
            except requests.RequestException:
                pass
            time.sleep(0.3)
        _stop(process)
    raise RuntimeError(f"server did not start: {log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(database_url: str, log_path: Path):
    """gunicorn serving the app on 127.0.0.1; yields its base URL."""
    process, base = _start(database_url, log_path)
    try:
        yield base
    finally:
        _stop(process)


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
