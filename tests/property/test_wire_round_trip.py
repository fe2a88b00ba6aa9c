"""Property: every value the server accepts comes back through its own wire format and is read
by a tablet's store unchanged (DESIGN.md §4.11).

Ops are generated from the wire schemas themselves (shared/schemas.py: each field's type and
validators become a strategy), pushed through the real app, pulled, applied to a SQLite store,
and compared member by member. Nothing may be quarantined, and the digests must agree.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError, fields, validate

from client.store import SqliteStore
from server.models import Resident
from shared import protocol as p
from shared.clock import isoformat, parse_instant
from shared.schemas import DATA_SCHEMAS, OpSchema, Plaintext, UUIDText
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.ops import ApiDevice

#: Any character a person may type (astral ones, combining marks, right-to-left marks…):
#: everything but what no database stores (NUL) and what is not a character (surrogates).
CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def _validators(field, kind):
    return [v for v in field.validators if isinstance(v, kind)]


def strategy_for(field) -> st.SearchStrategy:
    """A strategy for the values ``field`` (a marshmallow field of the wire schemas) accepts."""
    one_of = _validators(field, validate.OneOf)
    if one_of:
        return st.sampled_from(list(one_of[0].choices))
    ranges = _validators(field, validate.Range)
    low = ranges[0].min if ranges else None
    high = ranges[0].max if ranges else None
    if isinstance(field, UUIDText):
        return st.uuids().map(str)
    if isinstance(field, (Plaintext, fields.String)):
        regexps = _validators(field, validate.Regexp)
        if regexps:
            return st.from_regex(regexps[0].regex, fullmatch=True)
        length = _validators(field, validate.Length)
        low_len = (length[0].min or 0) if length else 0
        high_len = length[0].max if length else 200
        text = st.text(CHARACTERS, min_size=low_len, max_size=min(high_len, 300))
        edge = st.text(CHARACTERS, min_size=high_len, max_size=high_len) if length else text
        return st.one_of(text, edge).filter(lambda value: value.strip() or low_len == 0)
    if isinstance(field, fields.Integer):
        return st.integers(low, high)
    if isinstance(field, fields.Float):
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if isinstance(field, fields.AwareDateTime):
        low, high = low or datetime.min.replace(tzinfo=timezone.utc), \
            high or datetime.max.replace(tzinfo=timezone.utc)
        return st.datetimes(low.replace(tzinfo=None), high.replace(tzinfo=None),
                            timezones=st.sampled_from([timezone.utc])).map(
            lambda moment: moment.isoformat())
    if isinstance(field, fields.Date):
        return st.dates(low or date.min, high or date.max).map(lambda day: day.isoformat())
    if isinstance(field, fields.List):
        size = _validators(field, validate.Length)
        return st.lists(strategy_for(field.inner), max_size=size[0].max if size else 5,
                        unique=True)
    if isinstance(field, fields.Dict):
        return st.dictionaries(strategy_for(field.key_field), strategy_for(field.value_field),
                               max_size=5)
    if isinstance(field, fields.Nested):
        return record_for(field.schema)
    # A field type the schemas gained since: fail loudly rather than leave it untested.
    raise TypeError(f"the round-trip test has no strategy for {field!r}; add one")


def record_for(schema, *, fixed=None, skip=()) -> st.SearchStrategy:
    """Dicts ``schema`` loads: required members always, optional ones sometimes."""
    fixed = fixed or {}
    required, optional = {}, {}
    for name, field in schema.fields.items():
        if name in fixed or name in skip:
            continue
        value = strategy_for(field)
        if field.allow_none:
            value = st.one_of(st.none(), value)
        (required if field.required else optional)[name] = value

    def valid(record) -> bool:
        try:
            schema.load(record)
        except ValidationError:
            return False
        return True
    return st.fixed_dictionaries({**required, **{k: st.just(v) for k, v in fixed.items()}},
                                 optional=optional).filter(valid)


def device_time():
    return strategy_for(OpSchema().fields["device_time"])


def op_strategy(resident_id: str, grid_id: int):
    visit = st.tuples(st.just(p.VISIT), record_for(
        DATA_SCHEMAS[(p.VISIT, p.CREATE)], fixed={"resident_id": resident_id},
        skip=("corrects", "correction")).filter(lambda data: data.get("outcome")))
    note = st.tuples(st.just(p.NOTE), record_for(
        DATA_SCHEMAS[(p.NOTE, p.CREATE)], fixed={"resident_id": resident_id},
        skip=("corrects", "correction")))
    edit = st.tuples(st.just(p.RESIDENT), record_for(
        DATA_SCHEMAS[(p.RESIDENT, p.UPDATE)]).filter(bool))
    return st.tuples(st.one_of(visit, note, edit), device_time())


def same_instant(sent: str, pulled: str) -> bool:
    """The wire carries whole seconds: equal once the sent instant is cut to the second."""
    return parse_instant(pulled) == parse_instant(sent).replace(microsecond=0)


@dataclass
class World:
    grid_id: int
    resident_id: str
    device: ApiDevice
    store: SqliteStore


@pytest.fixture
def world(client, db_session, tmp_path):
    """A grid with one resident, a supervisor's device (it may change every field) and an
    empty tablet store; one for all the examples of a run."""
    tree = make_district(db_session, communities=1, grids=1)
    resident = make_resident(db_session, tree.grids[0], name="张利霞")
    make_person(db_session, "supervisor", p.SUPERVISOR, [tree.communities[0]], "周主任")
    db_session.commit()
    store = SqliteStore(tmp_path / "tablet.db")
    yield World(tree.grids[0].id, resident.id, ApiDevice(client, "supervisor", PASSWORD), store)
    store.close()


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.data())
def test_what_the_server_accepts_a_tablet_reads_back_unchanged(data, world, db_session):
    device, store = world.device, world.store
    (entity, record), moment = data.draw(op_strategy(world.resident_id, world.grid_id))
    device.seq += 1
    op = {"op_id": str(uuid.uuid4()), "seq": device.seq, "entity": entity,
          "action": p.UPDATE if entity == p.RESIDENT else p.CREATE,
          "entity_id": world.resident_id if entity == p.RESIDENT else str(uuid.uuid4()),
          "grid_id": world.grid_id, "device_time": moment, "data": record}
    if entity == p.RESIDENT:
        db_session.expire_all()
        op["base_version"] = db_session.get(Resident, world.resident_id).version
    result = device.push_ok([op])[0]
    assert result["status"] == p.APPLIED, (result, op)

    pulled = device.pull_all()
    store.apply_page({"changes": pulled["changes"], "cursor": device.cursor, "has_more": False,
                      "evict_grids": [], "grids": pulled["grids"]})
    assert store.quarantined() == []
    assert store.local_digests() == {grid["id"]: grid["digest"] for grid in pulled["grids"]}
    held = store.record(entity, op["entity_id"])
    assert held is not None
    if entity == p.RESIDENT:
        for name, value in record.items():
            assert held[name] == value, (name, value, held[name])
        return
    assert same_instant(moment, held["device_time"])
    assert parse_instant(held["recorded_at"]) and isoformat(parse_instant(held["recorded_at"]))
    at = held["visited_at" if entity == p.VISIT else "written_at"]
    assert parse_instant(at).year >= 1970  # a corrected time is never nonsense
    for name, value in record.items():
        if value in (None, [], {}) and entity == p.VISIT:
            assert held.get(name) in (None, [], {})
        else:
            assert held[name] == value, (name, value, held.get(name))
