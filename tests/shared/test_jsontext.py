"""orjson's text stands in for the json module's only where the bytes are the same: the op
fingerprints, change-log payloads and record hashes depend on canonical_json's bytes."""
from __future__ import annotations

import dataclasses
import enum
import json
import subprocess
import sys
import uuid
from collections import OrderedDict
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import jsontext
from shared.digest import canonical_json
from shared.jsontext import orjson_text

#: Every code point, lone surrogates and control characters included.
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None))
FLOATS = (st.floats() | st.sampled_from([0.0, -0.0, 1e-4, 9.999999999999999e-5, 1e-5, 1.5e-7,
                                         1e16, 9999999999999998.0, 1e17, 1e300, 5e-324,
                                         float("nan"), float("inf"), float("-inf")]))
INTEGERS = st.integers() | st.integers(-2**70, 2**70) | st.sampled_from(
    [2**63 - 1, 2**63, 2**64 - 1, 2**64, -2**63, -2**63 - 1])
JSON = st.recursive(
    st.none() | st.booleans() | INTEGERS | FLOATS | ANY_TEXT,
    lambda children: st.lists(children, max_size=5) | st.tuples(children, children)
    | st.dictionaries(ANY_TEXT, children, max_size=5), max_leaves=30)


class Mood(enum.Enum):
    OK = "ok"


class Level(enum.IntEnum):
    HIGH = 2


class Text(str):
    pass


@dataclasses.dataclass
class Point:
    x: int


def _nested(levels: int) -> list:
    value: list = []
    for _level in range(levels):
        value = [value]
    return value


ODD = [Mood.OK, Level.HIGH, Text("a"), {Text("k"): 1}, {1: "a"}, {None: 1}, {"b": 1, 2: 3},
       uuid.UUID(int=7), Decimal("1.5"), date(2026, 1, 2), datetime(2026, 1, 2, tzinfo=timezone.utc),
       Point(1), OrderedDict(a=1), b"x", {1, 2}, 2**64, "a\ud800", _nested(300)]


def _json(value, sort_keys: bool) -> str:
    return json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False)


def _outcome(call, value):
    try:
        return call(value)
    except (TypeError, ValueError, RecursionError) as error:
        return type(error)


@settings(max_examples=1000, deadline=None)
@given(JSON)
def test_canonical_json_is_json_dumps_with_the_canonical_options(value):
    assert canonical_json(value) == _json(value, sort_keys=True)


@settings(max_examples=1000, deadline=None)
@given(JSON, st.booleans())
def test_orjson_text_is_json_dumps_or_none(value, sort_keys):
    fast = orjson_text(value, sort_keys=sort_keys)
    if fast is not None:
        assert fast.decode() == _json(value, sort_keys)


@settings(max_examples=300, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=3))
def test_floats_go_orjsons_way_only_in_plain_decimal_form(values):
    fast = orjson_text(values, sort_keys=True)
    if fast is not None:
        assert fast.decode() == _json(values, sort_keys=True)
        assert "e" not in _json(values, sort_keys=True)


@pytest.mark.parametrize("value", ODD + [[odd] for odd in ODD] + [{"k": odd} for odd in ODD],
                         ids=lambda value: repr(value)[:40])
def test_what_json_writes_otherwise_or_refuses_is_left_to_json(value):
    assert orjson_text(value, sort_keys=True) is None
    expected = _outcome(lambda v: _json(v, sort_keys=True), value)
    assert _outcome(canonical_json, value) == expected


def test_keys_sort_by_code_point_and_escapes_are_json_s():
    value = {"\uffff": 1, "\U0001f600": 2, "é": 3, "a": "\x00\x1f\x7f\u2028\u2029\"\\\n\t"}
    assert orjson_text(value, sort_keys=True).decode() == _json(value, sort_keys=True)


def test_a_cyclic_value_still_raises_recursion_error():
    value: dict = {}
    value["self"] = value
    with pytest.raises(RecursionError):
        canonical_json(value)


def test_a_push_op_takes_orjsons_way():
    """Otherwise the properties above would only check the fallback."""
    op = {"op_id": "089627e2-beb2-43ad-820e-dbace44b301e", "seq": 1, "entity": "visit",
          "grid_id": 1, "device_time": "2026-12-01T05:05:58Z",
          "data": {"readings": {"systolic": 117, "temperature": 36.6}, "note": "独居",
                   "services": ["meal_delivered"], "follow_up_on": None}}
    assert jsontext.orjson is not None
    assert orjson_text(op, sort_keys=True) is not None


def test_shared_needs_no_orjson():
    """The tablet has none: every value then takes the json module's way."""
    code = ("import sys; sys.modules['orjson'] = None\n"
            "from shared.digest import canonical_json\n"
            "print(canonical_json({'b': 1e-05, 'a': ['独居']}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2],
                          capture_output=True, text=True, encoding="utf-8", check=True)
    assert done.stdout == '{"a":["独居"],"b":1e-05}\n'
