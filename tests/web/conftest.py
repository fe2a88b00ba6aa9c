"""Fixtures for the web view's tests: a seeded district and signed-in test clients."""
from __future__ import annotations

import pytest

from testkit.web_helpers import WebClient
from testkit.web_scenario import build_scenario


@pytest.fixture
def scenario(db_session):
    built = build_scenario(db_session)
    db_session.commit()
    return built


@pytest.fixture
def as_user(app, scenario):
    """``as_user("kunwu_sup")``: a fresh client signed in as that person."""
    def make(username: str) -> WebClient:
        return WebClient(app.test_client(), username, scenario.password)
    return make
