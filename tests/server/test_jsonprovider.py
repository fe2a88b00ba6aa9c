"""The app's JSON responses keep their text where orjson writes them (server.jsonprovider)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from hypothesis import given, settings

from server.jsonprovider import JSONProvider
from tests.shared.test_jsontext import JSON, ODD


def _providers(debug: bool = False):
    app = Flask(__name__)
    app.debug = debug
    standard = DefaultJSONProvider(app)
    standard.ensure_ascii = False
    return standard, JSONProvider(app), app


def _outcome(call):
    try:
        return call()
    except (TypeError, ValueError, RecursionError) as error:
        return type(error)


STANDARD, FAST, APP = _providers()


@settings(max_examples=500, deadline=None)
@given(JSON)
def test_a_response_is_the_text_flask_wrote(value):
    with APP.app_context():
        assert _outcome(lambda: FAST.response(value).get_data()) == _outcome(
            lambda: STANDARD.response(value).get_data())


@pytest.mark.parametrize("value", ODD + [{"at": datetime(2026, 1, 2, tzinfo=timezone.utc),
                                         "on": date(2026, 1, 2), "id": uuid.UUID(int=1),
                                         "n": Decimal("1.5")}],
                         ids=lambda value: repr(value)[:40])
@pytest.mark.parametrize("debug", [False, True])
def test_what_orjson_would_write_otherwise_is_left_to_flask(value, debug):
    standard, fast, app = _providers(debug)
    with app.app_context():
        assert _outcome(lambda: fast.response(value).get_data()) == _outcome(
            lambda: standard.response(value).get_data())


def test_the_app_answers_through_it():
    from server import create_app

    assert isinstance(create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}).json,
                      JSONProvider)
