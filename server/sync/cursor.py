"""Pull cursors: opaque to the app, a position per grid to the server."""
from __future__ import annotations

import base64
import binascii
import json

from shared import protocol as p

from ..errors import ApiError


def encode(positions: dict[int, int]) -> str:
    body = json.dumps({"v": 1, "g": {str(k): v for k, v in sorted(positions.items())}},
                      separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def _position(value) -> int:
    """A position as the server writes it: a whole number in BIGINT range (never a float, an
    infinity, a boolean or a string)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**62:
        raise ValueError
    return value


def _grid(key: str) -> int:
    if not (key.isascii() and key.isdigit() and len(key) <= 18):
        raise ValueError
    return int(key)


def decode(cursor: str | None, head: int) -> dict[int, int]:
    if not cursor:
        return {}
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if raw.get("v") != 1:
            raise ValueError
        positions = {_grid(k): _position(v) for k, v in raw["g"].items()}
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error,
            UnicodeDecodeError, RecursionError):
        raise ApiError(400, p.ERR_BAD_CURSOR,
                       "The cursor is not one this server gave out; pull again from the start "
                       "(cursor null).") from None
    if any(v > head for v in positions.values()):
        raise ApiError(409, p.ERR_BAD_CURSOR,
                       "The cursor is ahead of the server's log (was the server restored from "
                       "a backup?); pull again from the start (cursor null).")
    return positions
