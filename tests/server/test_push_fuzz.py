"""Fuzzing the push endpoint: valid ops with one member mutated (types, huge and tiny numbers,
strings with NUL, unpaired surrogates or huge length, nested objects, dates at the extremes).
Every push is answered 200 with one result per op; the good ops around the bad one go through;
and whatever was accepted is pulled back and applied by a tablet's store without a hitch."""
from __future__ import annotations

import copy
import json
import random

import pytest

from client.store import SqliteStore
from testkit.ops import note_op, update_op, visit_op

NESTED_OBJECT = {"a": 1}
for _ in range(20):
    NESTED_OBJECT = {"a": NESTED_OBJECT}
NESTED_LIST: list = [1]
for _ in range(20):
    NESTED_LIST = [NESTED_LIST]

MUTATIONS = [
    None, True, False, 0, -1, 1.5, -0.0, "", "x", [], {}, [1, 2], {"a": 1},
    2**31, 2**62, 2**63, 2**64, -2**63, 10**100, 10**4200, 1e308, -1e308, 5e-324,
    "\x00", "a\x00b", "\ud800", "x\udfffy", "\udc00\ud800", "x" * 100_000, "😀" * 5000,
    "\u202e\u0301", "'; DROP TABLE visits;--", "\n", "00000000-0000-4000-8000-000000000000\n",
    NESTED_OBJECT, NESTED_LIST,
    "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59", "1970-01-01T00:00:00Z",
    "2199-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "0001-01-01", "9999-12-31",
    "2026-02-30", "1969-12-31",
]


def member_paths(op: dict, prefix=()) -> list[tuple]:
    paths = []
    for key, value in op.items():
        paths.append(prefix + (key,))
        if isinstance(value, dict):
            paths.extend(member_paths(value, prefix + (key,)))
    return paths


def mutated(op: dict, path: tuple, value) -> dict:
    op = copy.deepcopy(op)
    target = op
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(value)
    return op


@pytest.fixture
def templates(neighbourhood):
    hood = neighbourhood
    grid, resident = hood.grid_a.id, hood.resident_a.id
    return [visit_op(0, grid, resident, readings={"systolic": 150, "diastolic": 90,
                                                  "blood_sugar": 6.1},
                     note="说头晕", follow_up_on="2026-12-03", needs=["medicine"],
                     safety_checks={"fall_alarm": "ok"}),
            note_op(0, grid, resident),
            update_op(0, grid, resident, 1, phone="13800000000", care_notes="独居")]


def test_one_mutated_member_never_gets_a_500(client, neighbourhood, device_for, templates,
                                             tmp_path):
    bob = device_for("bob")  # a grid worker: may send every kind of op
    rng = random.Random(20261201)
    cases = [(template, path, value) for template in templates
             for path in member_paths(template) for value in MUTATIONS]
    cases = rng.sample(cases, 360)
    seq, requests, server_errors = 0, 0, []
    for template, path, value in cases:
        ops = []
        for kind in ("good", "bad", "good"):
            seq += 1
            op = copy.deepcopy(templates[1 if kind == "good" else templates.index(template)])
            op.update(op_id=f"00000000-0000-4000-8000-{seq:012d}", seq=seq,
                      entity_id=f"10000000-0000-4000-8000-{seq:012d}"
                      if op["entity"] != "resident" else op["entity_id"])
            ops.append(mutated(op, path, value) if kind == "bad" else op)
        body = json.dumps({"protocol": 2, "device_time": "2026-11-27T01:00:00Z", "ops": ops})
        response = client.post("/api/v1/sync/push", data=body, headers={
            **bob.headers, "Content-Type": "application/json"})
        requests += 1
        if response.status_code >= 500:
            server_errors.append((path, repr(value)[:60]))
            continue
        assert response.status_code == 200, (path, repr(value)[:60], response.get_json())
        results = response.get_json()["results"]
        assert len(results) == 3, (path, repr(value)[:60])
        assert results[0]["status"] == results[2]["status"] == "applied", results
    assert server_errors == [] and requests >= 300
    print(f"\nfuzz: {requests} pushes with one mutated member, {len(server_errors)} answered 5xx")

    # Everything accepted goes out in the wire format and a tablet applies all of it.
    pulled = bob.pull_all()
    store = SqliteStore(tmp_path / "tablet.db")
    try:
        store.apply_page({"changes": pulled["changes"], "cursor": bob.cursor,
                          "has_more": False, "evict_grids": [], "grids": pulled["grids"]})
        assert store.quarantined() == []
        assert store.local_digests() == {grid["id"]: grid["digest"] for grid in pulled["grids"]}
    finally:
        store.close()
