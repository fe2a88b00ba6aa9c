"""Array parameters sent as one text (server.sync.bulk.array_literal) mean exactly the values."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Date, Text, cast, insert, select

from server.db import json_column_text
from server.models import AppliedOp, AuditEntry, UTCDateTime
from server.sync.bulk import (_array_literal_by_item, among, array_literal, insert_rows,
                              pg_array)

#: What a stored text may hold: anything but NUL and lone surrogates (shared.schemas).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=36)
TRICKY = ['', ' ', 'NULL', 'null', '"', '\\', '\\"', '{', '}', ',', 'a,b', '{"a"}', "it's",
          ' lead', 'trail ', '独居', '🙂', 'a\tb', 'a\nb']


def _round_trip(db_session, values, item_type):
    return db_session.scalar(select(pg_array(values, item_type)))


def test_tricky_strings_numbers_dates_and_instants_come_back_as_sent(db_session):
    moments = [datetime(2026, 3, 1, 8, tzinfo=timezone.utc),
               datetime(2026, 3, 1, 8, tzinfo=timezone(timedelta(hours=8))), None]
    if db_session.get_bind().dialect.name == "postgresql":
        assert _round_trip(db_session, TRICKY + [None], Text()) == TRICKY + [None]
        assert _round_trip(db_session, [1, -2, 2**62, None], BigInteger()) == [1, -2, 2**62, None]
        assert _round_trip(db_session, [date(2026, 2, 28), None], Date()) == [
            date(2026, 2, 28), None]
        got = _round_trip(db_session, moments, UTCDateTime())
        assert got[:2] == moments[:2] and got[2] is None  # the same instants
    assert array_literal([True]) is None  # not plain: sent as a list parameter instead
    assert array_literal([datetime(2026, 3, 1)]) is None  # naive: never guessed


def test_among_finds_exactly_the_rows_named_whatever_their_characters(db_session):
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    insert_rows(db_session, AppliedOp.__table__, [
        {"device_id": "d", "op_id": op_id, "seq": n, "op_hash": "0" * 32, "status": "rejected",
         "version": None, "conflict_ids": None, "reason_code": None, "reason": None,
         "entity": "visit", "entity_id": "e", "grid_id": None, "person_id": None,
         "received_at": now} for n, op_id in enumerate(TRICKY, 1)])
    db_session.flush()
    wanted = TRICKY[::2] + ["absent", 'NULL"']
    found = db_session.scalars(select(AppliedOp.op_id).where(
        AppliedOp.device_id == "d", among(db_session, AppliedOp.op_id, wanted))).all()
    assert sorted(found) == sorted(TRICKY[::2])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), TEXT), max_size=20))
def test_any_storable_text_survives(db_session, values):
    if db_session.get_bind().dialect.name == "postgresql":
        assert _round_trip(db_session, values, Text()) == values
    else:
        assert array_literal(values) is not None  # built; only PostgreSQL reads it


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT | st.sampled_from(TRICKY), max_size=20))
def test_strings_joined_in_one_go_give_the_text_built_item_by_item(values):
    assert array_literal(values) == _array_literal_by_item(values)


def test_an_array_parameter_is_read_once_not_once_per_row(db_session):
    """The array reaches the plan as a constant (read when bound), not as a cast evaluated for
    every row a scan reads: that per-row parse made a push's checks grow with the tables."""
    if db_session.get_bind().dialect.name != "postgresql":
        return  # SQLite gets a plain IN list
    connection = db_session.connection()
    connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    statement = select(AppliedOp.op_id).where(
        among(db_session, AppliedOp.op_id, [f"op-{n}" for n in range(500)]))
    compiled = statement.compile(dialect=connection.dialect)
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(
        "EXPLAIN VERBOSE " + str(compiled), compiled.params).all())
    assert "Seq Scan" in plan, plan[:300]
    assert "::character varying)::text[]" not in plan, plan[:600]
    assert "'::text[]" in plan, plan[:600]


def test_copied_rows_are_stored_value_for_value(db_session):
    """insert_rows (binary COPY on PostgreSQL) stores what an ordinary INSERT would: texts of
    any script, JSON as the engine's serializer writes it, instants of any zone, big integers,
    NULLs."""
    detail = {"note": "独居 🙂 \"q\" \\ \n", "n": [1, 2.5, None, True], "deep": {"é": {}}}
    rows = [
        {"id": 2**62, "at": datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=timezone.utc),
         "person_id": -2**31, "device_id": "独居🙂", "action": "visit.create", "entity": "",
         "entity_id": 'NULL"\\', "grid_id": 2**31 - 1, "detail": detail,
         "remote_addr": "a\tb"},
        {"id": 1, "at": datetime(2026, 3, 1, 8, tzinfo=timezone(timedelta(hours=-5))),
         "person_id": None, "device_id": None, "action": "x", "entity": None,
         "entity_id": None, "grid_id": None, "detail": [], "remote_addr": None},
    ]
    insert_rows(db_session, AuditEntry.__table__, rows)
    db_session.flush()
    stored = db_session.execute(select(*AuditEntry.__table__.c).order_by(AuditEntry.id.desc()))
    assert [dict(row._mapping) for row in stored] == rows
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(insert(AuditEntry), [{**rows[0], "id": 3}])  # an ordinary INSERT
        texts = db_session.scalars(select(cast(AuditEntry.detail, Text)).order_by(
            AuditEntry.id.desc())).all()
        assert texts == [json_column_text(detail)] * 2 + ["[]"]  # the text, not only the value
