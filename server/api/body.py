"""Reading a JSON request body so that no body, however hostile, can make the server fail.

The standard library's parser recurses once per nesting level (100,000 levels exhaust the
stack), accepts ``NaN`` and ``Infinity`` (and reads ``1e400`` as infinity), and refuses integers
longer than 4,300 digits with a ValueError that webargs does not expect. Here nesting is
measured before parsing, numbers must be finite, and every such body gets ``400 invalid_body``
saying what is wrong. The body is parsed once per request and shared by the protocol check and
the view's schema.
"""
from __future__ import annotations

import json
import math
import re

from flask import g, request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from shared import protocol as p
from shared.jsontext import orjson

from ..errors import ApiError

#: A JSON string, escapes included (unrolled so the regex engine never backtracks).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_INNERMOST = re.compile(rb"\[\]|\{\}")
_NOT_A_BRACKET = bytes(byte for byte in range(256) if byte not in b"[]{}")
_NOT_A_BRACKET_OR_QUOTE = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_QUOTED = re.compile(rb'"[^"]*"')
#: Every digit as "0": a run of 19 zeros then marks a number orjson may read other than json
#: (past 64 bits it gives a float), or a run of digits in a string (read by json, no harm).
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_INTEGER = b"0" * 19


class BodyError(ValueError):
    """The body is JSON no API accepts; the message says why, for a person."""


def nests_deeper_than(data: bytes, limit: int) -> bool:
    """Whether the JSON text ``data`` nests objects and arrays deeper than ``limit``: the
    brackets outside strings, with the innermost empty pairs peeled off one level at a time."""
    if b'\\"' in data:  # an escaped quote somewhere: find the strings the slow way
        brackets = _STRING.sub(b"", data).translate(None, _NOT_A_BRACKET)
    else:  # every quote opens or closes a string: keep quotes and brackets, drop what is quoted
        kept = data.translate(None, _NOT_A_BRACKET_OR_QUOTE)
        # Two quotes side by side enclose no bracket (an empty string, or the end of a string
        # and the start of the next, which then read as one): dropping them first leaves the
        # regex only the strings that hold brackets (a push of 500 ops: ~2 µs per op less).
        brackets = _QUOTED.sub(b"", kept.replace(b'""', b""))
    for _level in range(limit):
        peeled = _INNERMOST.sub(b"", brackets)
        if peeled == brackets:
            return False  # nothing left, or unbalanced (the parser will say so)
        brackets = peeled
    return _INNERMOST.search(brackets) is not None


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise BodyError(f"The number {text[:40]} is too large.")
    return value


def _refuse_constant(name: str):
    raise BodyError(f"{name} is not a number JSON allows.")


def parse_json(data: bytes):
    """The body as Python values, or :class:`BodyError`."""
    if nests_deeper_than(data, p.MAX_JSON_DEPTH):
        raise BodyError(f"The body nests objects or arrays deeper than {p.MAX_JSON_DEPTH} "
                        "levels.")
    if orjson is not None and _LONG_INTEGER not in data.translate(_DIGITS_AS_ZEROS):
        # What orjson reads, json reads alike (~6 µs per op less); what it refuses (NaN,
        # infinite numbers, lone surrogates, bad UTF-8, any error) goes json's way below, which
        # says what is wrong as before. tests/server/test_body_parse.py holds the two equal.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(f"The body is not valid UTF-8 (byte {error.start}).") from None
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise BodyError(f"The body is not valid JSON: {error.msg} (line {error.lineno}, "
                        f"column {error.colno}).") from None
    except BodyError:
        raise
    except RecursionError:
        raise BodyError("The body nests objects or arrays too deeply.") from None
    except ValueError:  # an integer over 4,300 digits
        raise BodyError("The body holds a number too long to read.") from None


def request_json():
    """The request's JSON body (``webargs.core.missing`` when there is none), parsed once."""
    if "api_body" not in g:
        data = request.get_data(cache=True)
        if not data.strip():
            g.api_body = core.missing
        else:
            try:
                g.api_body = parse_json(data)
            except BodyError as error:
                raise ApiError(400, p.ERR_INVALID_BODY, str(error)) from None
    return g.api_body


class BodyParser(FlaskParser):
    """webargs' parser, reading the body with :func:`request_json`."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return request_json()
