"""JSON text through orjson where it is byte for byte the standard library's (issue 10).

orjson writes a push's ops and records several times faster than the json module, but not
always the same text: floats below 1e-4 or from 1e16 on in another form (``0.00001`` for
``1e-05``), NaN and infinities as ``null``, and objects json refuses (UUIDs, enums, dataclasses,
datetimes) as strings or numbers. :func:`orjson_text` hands orjson only values built of the
types both write alike, and answers None for any other, so that the caller falls back to the
json module (tests/shared/test_jsontext.py holds the two to the same bytes). orjson is
optional: the tablet has none, and then every value takes the json module's path.
"""
from __future__ import annotations

try:
    import orjson
except ImportError:  # pragma: no cover - the tablet: the json module only
    orjson = None

_PLAIN = frozenset((str, int, bool, type(None)))
#: orjson refuses deeper nesting; a cyclic value is endlessly deep (the json module then
#: raises its RecursionError, as it did before).
_MAX_DEPTH = 255


def _written_alike(value, depth: int = 0) -> bool:
    """Whether ``value`` holds only dicts, lists, tuples, strings, integers, booleans, None
    and floats that both write in plain decimal form (the same shortest digits). Exact types:
    json writes a subclass as its base type, orjson refuses some and converts others. What
    orjson refuses outright (integers beyond 64 bits, lone surrogates, keys that are not exact
    strings) is left to its exception."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is float:
        return value == 0.0 or 1e-4 <= abs(value) < 1e16  # NaN and infinities fail both
    if kind is dict:
        value = value.values()
    elif kind is not list and kind is not tuple:
        return False
    if depth == _MAX_DEPTH:
        return False
    for item in value:
        # Most parts are plain: checked here, without a call (a third faster).
        if type(item) not in _PLAIN and not _written_alike(item, depth + 1):
            return False
    return True


def orjson_text(value, *, sort_keys: bool) -> bytes | None:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)``
    encoded as UTF-8, from orjson; None where orjson is missing or might write other text."""
    if orjson is None or not _written_alike(value):
        return None
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:  # orjson.JSONEncodeError
        return None
