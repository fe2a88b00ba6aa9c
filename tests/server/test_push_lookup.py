"""The lookup of already-received ops reads index entries, never a device's history.

A push asks which of its ops the server already has. That must cost the same for a device's
first batch and its thousandth: the query plan (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN on
SQLite) must find rows through the (device_id, op_id) and (device_id, seq) keys, on a table
that was never analysed, holding a long history of the device.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone


from server.models import AppliedOp
from server.sync.bulk import insert_rows
from server.sync.push import known_ops_query

DEVICE = "0b0b0b0b-0000-4000-8000-000000000001"
HISTORY = 20_000


def _history(db_session) -> None:
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    rows = [{"device_id": device, "op_id": str(uuid.UUID(int=n + (k << 64))), "seq": n,
             "op_hash": "0" * 32, "status": "applied", "version": n, "conflict_ids": None,
             "reason_code": None, "reason": None, "entity": "visit",
             "entity_id": str(uuid.UUID(int=n + (k << 64) + (1 << 100))), "grid_id": 1,
             "person_id": 1, "received_at": now}
            for k, device in enumerate((DEVICE, str(uuid.uuid4()))) for n in range(1, HISTORY + 1)]
    insert_rows(db_session, AppliedOp.__table__, rows)
    db_session.flush()


def _plan(db_session, statement) -> str:
    connection = db_session.connection()
    compiled = statement.compile(dialect=connection.dialect,
                                  compile_kwargs={"render_postcompile": True})
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled),
                                          compiled.params).all()
        return json.dumps(rows[0][0])
    params = tuple(compiled.params[name] for name in compiled.positiontup)
    return "\n".join(row[-1] for row in connection.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + str(compiled), params).all())


def _new_batch(size=500):
    op_ids = [str(uuid.uuid4()) for _ in range(size)]
    seqs = list(range(HISTORY + 1, HISTORY + 1 + size))
    return op_ids, seqs


def test_the_lookup_uses_the_keys_not_the_devices_history(db_session):
    _history(db_session)
    op_ids, seqs = _new_batch()
    plan = _plan(db_session, known_ops_query(db_session, DEVICE, op_ids, seqs))
    if db_session.get_bind().dialect.name == "postgresql":
        nodes = []

        def walk(node):
            nodes.append(node)
            for child in node.get("Plans", ()):
                walk(child)

        walk(json.loads(plan)[0]["Plan"])
        scans = [n for n in nodes if n.get("Relation Name") == "applied_ops"]
        shown = [{key: str(n.get(key))[:120] for key in ("Node Type", "Index Name", "Index Cond",
                                                         "Filter")} for n in scans]
        assert len(scans) == 2, shown
        assert all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in scans), shown
        by_id, by_seq = sorted(scans, key=lambda n: "seq >=" in n.get("Index Cond", ""))
        # every column of a unique key in the index condition: one entry per probe, and
        # no row read only to be filtered out
        assert by_id["Index Name"] == AppliedOp.__table__.primary_key.name, shown
        assert "device_id" in by_id["Index Cond"] and "(op_id)" in by_id["Index Cond"], shown
        assert by_seq["Index Name"] == "uq_applied_ops_device_seq", shown
        assert "seq >=" in by_seq["Index Cond"] and "seq <=" in by_seq["Index Cond"], shown
        assert not any("Filter" in n for n in scans), shown  # no row read to be dropped
    else:
        lines = plan.splitlines()
        assert sum("applied_ops USING" in line and "INDEX" in line for line in lines) == 2, plan
        assert not any(line.startswith("SCAN applied_ops") for line in lines), plan


def test_the_lookup_finds_every_known_op_by_id_or_by_number(db_session):
    _history(db_session)
    known_ids = [str(uuid.UUID(int=n)) for n in (5, 6, 7)]
    op_ids, seqs = _new_batch(3)
    found = db_session.execute(known_ops_query(
        db_session, DEVICE, known_ids + op_ids, [HISTORY] + seqs)).mappings().all()
    assert sorted(row["seq"] for row in found) == [5, 6, 7, HISTORY]
    # the device's own ops (the other device's ids and numbers are not asked for or differ)
    assert sorted(row["op_id"] for row in found) == sorted(
        str(uuid.UUID(int=n)) for n in (5, 6, 7, HISTORY))


def test_the_visit_exists_check_probes_the_key_not_the_table(db_session):
    """Which of a batch's visits already exist is asked of the primary key, one probe per id,
    on a visits table never analysed: never a scan of every visit ever recorded."""
    from sqlalchemy import text

    from server.models import Visit
    from server.sync.bulk import found_keys
    if db_session.get_bind().dialect.name != "postgresql":
        return  # SQLite: a plain IN list on the primary key
    connection = db_session.connection()
    connection.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no FK checks
    connection.execute(text(
        "INSERT INTO visits (id, resident_id, grid_id, visited_at, device_time, recorded_at, "
        "details) SELECT gen_random_uuid()::text, 'r', 1, now(), now(), now(), '{}' "
        "FROM generate_series(1, :count)"), {"count": HISTORY})
    ids = [str(uuid.uuid4()) for _ in range(500)]
    plan = json.loads(_plan(db_session, found_keys(db_session, Visit.id, ids)))
    nodes = []

    def walk(node):
        nodes.append(node)
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    scans = [(n["Node Type"], n.get("Index Name")) for n in nodes
             if n.get("Relation Name") == "visits"]
    key = Visit.__table__.primary_key.name
    assert scans in ([("Index Only Scan", key)], [("Index Scan", key)]), scans
