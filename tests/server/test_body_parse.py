"""A request body read by orjson gives what the json module gave (server.api.body.parse_json):
the same values, types and key order, and the same error for what either refuses."""
from __future__ import annotations

import json
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.api import body
from server.api.body import BodyError, parse_json

ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None),
                   max_size=8)
NUMBER = st.from_regex(r"-?(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?([eE][-+]?[0-9]{1,4})?",
                       fullmatch=True)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-2**70, 2**70) | st.floats()
    | ANY_TEXT,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(ANY_TEXT, children, max_size=4), max_leaves=20)


def _dumped(value, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def _outcome(data: bytes):
    try:
        return "value", repr(parse_json(data))  # repr: 1 and 1.0 and True, -0.0, key order
    except BodyError as error:
        return "error", str(error)


def _as_json_reads_it(data: bytes):
    with mock.patch.object(body, "orjson", None):
        return _outcome(data)


BODIES = (st.builds(_dumped, VALUES, st.booleans())
          | NUMBER.map(lambda number: f'{{"n":[{number}]}}'.encode())
          | st.lists(st.tuples(st.sampled_from("ab"), NUMBER), max_size=4).map(
              lambda pairs: ("{" + ",".join(f'"{k}":{n}' for k, n in pairs) + "}").encode())
          | st.text(' \t\n\r[]{}",:-+.0123456789eEtrufalsn\\u\x00\x1f\x7f独', max_size=12)
          .map(str.encode)
          | st.binary(max_size=12))


@settings(max_examples=2000, deadline=None)
@given(BODIES)
def test_orjson_reads_a_body_as_json_did(data):
    assert _outcome(data) == _as_json_reads_it(data)


@pytest.mark.parametrize("data", [
    b'{"a":1,"b":2,"a":3}', b"[18446744073709551616]", b"[-9223372036854775809]",
    b"[1e400]", b"[NaN]", b"[-Infinity]", b'["\\ud800"]', b'"\xed\xa0\x80"', b"\xef\xbb\xbf{}",
    b"[" + b"1" * 5000 + b"]", b"[1.0,-0.0,-0,1E5,1e-400,0.1]", b'"\x01"', b"[1]x", b"\xff",
])
def test_what_the_two_read_differently_is_read_as_json_did(data):
    assert _outcome(data) == _as_json_reads_it(data)


def test_a_body_is_read_by_orjson():
    """Otherwise the property above would check json's path against itself."""
    assert body.orjson is not None
    with mock.patch.object(body.orjson, "loads", side_effect=RuntimeError("read")):
        with pytest.raises(RuntimeError):
            parse_json(b'{"protocol":2,"ops":[]}')
