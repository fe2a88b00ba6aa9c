"""canonical_json keeps its bytes: the digests of every tablet and every stored fingerprint
depend on them (it reuses one encoder instead of building one per call, and calls the C encoder
behind it directly when there is one)."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from shared import digest
from shared.digest import canonical_json

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_bytes_are_those_of_json_dumps_with_the_canonical_options(value):
    assert canonical_json(value) == json.dumps(value, sort_keys=True, separators=(",", ":"),
                                               ensure_ascii=False)


def test_non_ascii_stays_as_it_is_and_keys_are_sorted():
    assert canonical_json({"b": "独居", "a": [1, 2.5, None]}) == '{"a":[1,2.5,null],"b":"独居"}'


def test_the_c_encoder_is_used_where_there_is_one():
    """Otherwise the faster path would silently be the slower one, and the property above would
    check the fallback only."""
    assert digest._ENCODE is not None


def test_a_lone_surrogate_is_kept_as_it_is():
    """A pushed op may hold one (it is refused, but fingerprinted, with surrogatepass)."""
    assert canonical_json({"note": "a\ud800b"}) == '{"note":"a\ud800b"}'
