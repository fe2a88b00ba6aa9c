"""A push's results are dumped as built (WireList), and its ops read in one step (RawList):
exactly what the item-by-item fields would give."""
from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError, fields

from server.sync.push import OpResult
from shared.schemas import OpResultSchema, PushResponseSchema, RawList

RESULTS = [
    OpResult("0c7e1d2a-5b1f-4c1e-9a3e-2f6d8b9c0a11", 1, "applied", 12),
    OpResult("0c7e1d2a-5b1f-4c1e-9a3e-2f6d8b9c0a12", 2, "conflict", 13,
             ["9d2b6c1e-0f3a-4b5c-8d7e-6a5b4c3d2e1f"]),
    OpResult("0c7e1d2a-5b1f-4c1e-9a3e-2f6d8b9c0a13", 3, "duplicate", 12),
    OpResult(None, None, "rejected", reason={"code": "invalid_op", "message": "seq: 缺少"}),
]


def test_the_results_dump_as_the_item_schema_would_dump_them():
    itemwise = Schema.from_dict({"results": fields.List(fields.Nested(OpResultSchema)),
                                 "server_time": fields.String()})()
    body = {"results": [result.to_json() for result in RESULTS],
            "server_time": "2026-03-01T08:00:00Z"}
    assert PushResponseSchema().dump(body) == itemwise.dump(body)
    assert PushResponseSchema().validate(itemwise.dump(body)) == {}


def test_each_result_carries_exactly_the_fields_of_the_item_schema():
    for result in RESULTS:
        assert set(result.to_json()) == set(OpResultSchema().fields)


@pytest.mark.parametrize("value", [[], [{"op_id": 1}, 2, "x", [None], {}], [{}, None], None,
                                   "ops", {"a": 1}, [0, False, ""], list(range(1001))])
def test_raw_ops_are_read_as_a_list_of_raw_values_would_be(value):
    def outcome(field):
        try:
            return "loaded", field.deserialize(value)
        except ValidationError as error:
            return "refused", error.messages
    assert outcome(RawList()) == outcome(fields.List(fields.Raw()))
