"""Fixtures for the web view's tests: a seeded district and signed-in test clients."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The repository root, for ``tests.factories``; this folder, for ``web_scenario``.
for folder in (Path(__file__).parents[2], Path(__file__).parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from web_scenario import build_scenario  # noqa: E402

from web_helpers import WebClient  # noqa: E402


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
