"""A retried push is recognised by its op ids before any op is validated (issue 10, point 2),
and still gets exactly the answers the contract gives a retry (docs/sync-protocol.md)."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from server.db import db
from server.sync import push as push_module
from testkit.ops import note_op, update_op, visit_op


@pytest.fixture
def validations(monkeypatch):
    """How many ops the push path validated (the schema load of one op each)."""
    calls = []
    real = push_module._parse

    def counting(raw):
        calls.append(raw.get("op_id") if isinstance(raw, dict) else raw)
        return real(raw)

    monkeypatch.setattr(push_module, "_parse", counting)
    return calls


def test_a_retried_batch_is_answered_without_validating_any_op(neighbourhood, device_for,
                                                                validations):
    hood, bob = neighbourhood, device_for("bob")
    resident = hood.resident_a
    ops = [visit_op(1, hood.grid_a.id, resident.id),
           note_op(2, hood.grid_a.id, resident.id),
           update_op(3, hood.grid_a.id, resident.id, resident.version, phone="13800000000"),
           visit_op(4, hood.grid_a.id, resident.id, outcome="asleep")]  # refused: invalid
    first = bob.push_ok(ops)
    assert [r["status"] for r in first] == ["applied", "applied", "applied", "rejected"]
    assert len(validations) == 4
    validations.clear()

    again = bob.push_ok(ops)
    assert validations == []
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "duplicate", "rejected"]
    assert [r["version"] for r in again[:3]] == [r["version"] for r in first[:3]]
    assert again[3]["reason"] == first[3]["reason"]


def test_only_the_new_ops_of_a_partly_retried_batch_are_validated(neighbourhood, device_for,
                                                                   validations):
    hood, alice = neighbourhood, device_for("alice")
    old = [visit_op(n, hood.grid_a.id, hood.resident_a.id) for n in (1, 2)]
    alice.push_ok(old)
    validations.clear()
    new = visit_op(3, hood.grid_a.id, hood.resident_a.id)
    results = alice.push_ok([*old, new])
    assert [r["status"] for r in results] == ["duplicate", "duplicate", "applied"]
    assert validations == [new["op_id"]]


def test_a_retry_with_other_content_is_still_refused_and_an_invalid_one_too(
        neighbourhood, device_for, validations):
    hood, alice = neighbourhood, device_for("alice")
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id, note="原来的")
    alice.push_ok([op])
    altered = {**op, "data": {**op["data"], "note": "篡改的"}}
    broken = {**op, "data": {**op["data"], "outcome": "asleep"}}
    upper = {**op, "op_id": op["op_id"].upper()}  # the same id, as the schema reads it
    results = alice.push_ok([altered, broken, upper])
    assert [r["reason"]["code"] for r in results[:2]] == ["op_id_reused", "op_id_reused"]
    assert results[2]["reason"]["code"] == "op_id_reused"  # its text differs: not a retry
    assert all(r["op_id"] == op["op_id"] for r in results)


@pytest.fixture
def statements(app):
    """The SQL the app sends, statement by statement (whitespace folded)."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def note(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    yield sent
    event.remove(engine, "before_cursor_execute", note)


def test_a_wholly_retried_batch_reads_no_scope_and_no_sequence_numbers(neighbourhood, device_for,
                                                                       statements, monkeypatch):
    """Every answer comes from the ops' rows, found by their ids: the person's grids, the
    locks, the log and a second look by sequence number are for new ops only."""
    hood, alice = neighbourhood, device_for("alice")
    ops = [visit_op(n, hood.grid_a.id, hood.resident_a.id) for n in (1, 2, 3)]
    first = alice.push_ok(ops)
    statements.clear()
    monkeypatch.setattr(push_module, "grids_in_scope", _must_not_be_called)
    again = alice.push_ok(ops)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["version"] for r in again] == [r["version"] for r in first]
    reads = [s for s in statements if s.startswith("SELECT")]
    # the device with its person (the token), then the ops by their ids
    assert len(reads) == 2 and "JOIN people" in reads[0] and "applied_ops" in reads[1], reads
    assert not any("log_head" in s or "residents" in s for s in statements), statements


def test_the_device_row_is_locked_before_the_known_ops_are_looked_up(neighbourhood, device_for,
                                                                     statements):
    """A push of the same device still running holds the device's row: waiting for it before
    the lookup is what lets this push see every op that one applied (exactly once)."""
    hood, alice = neighbourhood, device_for("alice")
    batch = [visit_op(1, hood.grid_a.id, hood.resident_a.id)]
    for _attempt in ("new", "retried"):
        statements.clear()
        alice.push_ok(batch)
        lock = next(i for i, s in enumerate(statements) if s.startswith("UPDATE devices"))
        lookup = next(i for i, s in enumerate(statements)
                      if "applied_ops" in s and not s.startswith("INSERT"))
        assert lock < lookup, statements


def _must_not_be_called(*_args, **_kwargs):
    raise AssertionError("the person's scope was read for a retried batch")
