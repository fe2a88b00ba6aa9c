"""Pull cursors: every valid cursor round-trips, every refusal has its own status and code.

Pure tests of server.sync.cursor; none of them waits on anything, so a broken rule fails at once
instead of leaving a pull loop spinning.
"""
from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.errors import ApiError
from server.sync import cursor

HEAD = 1_000


def raw_cursor(body) -> str:
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def refusal(text: str, head: int = HEAD) -> ApiError:
    with pytest.raises(ApiError) as caught:
        cursor.decode(text, head)
    assert caught.value.error == "bad_cursor"
    assert "cursor null" in caught.value.message  # says what to do
    return caught.value


def test_no_cursor_means_every_grid_from_the_start():
    assert cursor.decode(None, HEAD) == {}
    assert cursor.decode("", HEAD) == {}


positions = st.dictionaries(st.integers(1, 2**31), st.integers(0, HEAD), max_size=12)


@given(positions)
def test_every_cursor_the_server_gives_out_round_trips(grid_positions):
    text = cursor.encode(grid_positions)
    assert "=" not in text and "/" not in text and "+" not in text  # URL-safe, unpadded
    assert cursor.decode(text, HEAD) == grid_positions


@pytest.mark.parametrize("grids", range(0, 9))
def test_cursors_of_every_padding_length_round_trip(grids):
    # base64 drops 0, 1 or 2 '=' characters depending on the body's length; cover each.
    for extra in range(3):
        grid_positions = {grid + 1: 10 ** extra + grid for grid in range(grids)}
        assert cursor.decode(cursor.encode(grid_positions), 10 ** 4) == grid_positions


def test_a_cursor_at_the_head_is_accepted():
    assert cursor.decode(cursor.encode({3: HEAD}), HEAD) == {3: HEAD}


def test_a_cursor_ahead_of_the_log_is_refused_as_a_conflict():
    error = refusal(cursor.encode({3: HEAD + 1}))
    assert error.status == 409
    assert "backup" in error.message


def test_one_grid_ahead_is_enough_to_refuse_the_cursor():
    assert refusal(cursor.encode({1: 5, 2: HEAD + 1, 3: 7})).status == 409


@pytest.mark.parametrize("body", [
    {"v": 2, "g": {"3": 10}},            # a version this server does not speak
    {"v": 0, "g": {"3": 10}},            # nor an older or made-up one
    {"v": -1, "g": {"3": 10}},
    {"g": {"3": 10}},                     # no version
    {"v": 1, "g": {"3": -1}},             # a negative position
    {"v": 1, "g": {"x": 10}},             # a grid that is not a number
    {"v": 1, "g": {"3": "ten"}},          # a position that is not a number
    {"v": 1},                             # no positions
    {"v": 1, "g": [3, 10]},               # positions of the wrong shape
    [1, 2, 3],                            # not an object
    "not json at all",
])
def test_a_malformed_cursor_is_refused_as_bad_input(body):
    assert refusal(raw_cursor(body)).status == 400


@pytest.mark.parametrize("text", ["not-a-cursor!", "%%%", "eyJ2Ijox", "\u00e9t\u00e9", "A"])
def test_text_that_is_not_base64_json_is_refused_as_bad_input(text):
    assert refusal(text).status == 400


def test_a_malformed_cursor_is_refused_even_when_the_log_is_empty():
    assert refusal(raw_cursor({"v": 1, "g": {"3": -1}}), head=0).status == 400
    assert refusal(cursor.encode({3: 1}), head=0).status == 409


@pytest.mark.parametrize("grid", [
    "1" * 19,        # more digits than any grid id the server numbers
    "+5", "-1",      # int() would take a sign ...
    " 7", "1_0",     # ... a space or an underscore ...
    "\u0661\u0662",  # ... and digits of another script: none is a grid the server writes
])
def test_a_grid_key_the_server_never_writes_is_refused_as_bad_input(grid):
    assert refusal(raw_cursor({"v": 1, "g": {grid: 10}})).status == 400


def test_the_longest_grid_key_the_server_writes_is_taken():
    assert cursor.decode(raw_cursor({"v": 1, "g": {"9" * 18: 10}}), HEAD) == {10**18 - 1: 10}


def test_a_position_is_below_two_to_the_62_whatever_the_head():
    big = 2**62
    assert cursor.decode(cursor.encode({3: big - 1}), big * 2) == {3: big - 1}
    assert refusal(cursor.encode({3: big}), head=big * 2).status == 400


@pytest.mark.parametrize("position", [10.5, 1e3, True, False, 2**62 + 1, 2**63])
def test_a_position_the_server_never_writes_is_refused_whatever_the_head(position):
    # (a float, a boolean, beyond BIGINT's range: each refused even below a huge head)
    assert refusal(raw_cursor({"v": 1, "g": {"3": position}}), head=2**64).status == 400
