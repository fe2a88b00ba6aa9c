"""One real server process and one Chromium per test module; a fresh browser context per test."""
from __future__ import annotations

import pytest

from testkit.web_live_server import chromium, running_server, seeded_database
from testkit.web_scenario import build_scenario


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(base URL, scenario, database URL) of a seeded server running for the whole module."""
    folder = tmp_path_factory.mktemp("live")
    database_url, scenario = seeded_database(folder / "server.db", build_scenario)
    with running_server(database_url, folder / "server.log") as base:
        yield base, scenario, database_url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
