"""Start a real server process on 127.0.0.1 over a seeded database, and Chromium to drive it."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from server.db import make_engine
from server.migrate import upgrade
from testkit.live_server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


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


@contextmanager
def running_server(database_url: str, log_path: Path):
    """`knockdoor serve` on 127.0.0.1 over ``database_url``; yields its base URL."""
    with LiveServer(database_url, log_path=log_path) as server:
        yield server.url


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page, base: str | None, username: str, password: str) -> None:
    """Sign in through the login form: ``base``'s login page, or the login page the browser is
    on already (``base`` None, e.g. opened with ``?lang=``). Returns once signed in."""
    if base is not None:
        page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_selector(".who")
