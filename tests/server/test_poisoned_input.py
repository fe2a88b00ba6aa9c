"""The API never answers 500 (DESIGN.md §4.11): each input that once did gets a clear error
naming the problem, and changes nothing; what is accepted can be sent back and read."""
import base64
import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from server.api.body import nests_deeper_than
from server.models import AppliedOp, CaseNote, Visit
from shared import protocol as p
from shared.clock import parse_instant
from testkit.ops import note_op, update_op, visit_op


@pytest.fixture
def alice(neighbourhood, device_for):
    return device_for("alice")


def post_raw(client, path, text: str, headers=None):
    """A body as written, escapes and all (the test client's json= cannot send everything)."""
    return client.post(path, data=text.encode("utf-8", "surrogatepass"),
                       headers={"Content-Type": "application/json", **(headers or {})})


def push_text(alice, ops_text: str, device_time="2026-11-27T01:00:00Z"):
    return post_raw(alice.client, "/api/v1/sync/push",
                    f'{{"protocol": 2, "device_time": "{device_time}", "ops": [{ops_text}]}}',
                    alice.headers)


def stored(db_session) -> int:
    return sum(db_session.scalar(select(func.count()).select_from(model))
               for model in (Visit, CaseNote))


@pytest.mark.parametrize("device_time", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59",
                                         "9999-12-31T23:59:59+00:00",
                                         "9999-12-31T23:59:59-01:00",
                                         "0001-01-01T00:00:00+01:00"])
def test_an_instant_out_of_range_is_rejected_naming_device_time(alice, neighbourhood,
                                                                db_session, device_time):
    hood = neighbourhood
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id)
    op["device_time"] = device_time
    response = alice.push([op])
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["results"][0]
    assert result["status"] == "rejected" and "device_time" in result["reason"]["message"]
    assert stored(db_session) == 0


def test_a_push_whose_own_device_time_is_out_of_range_names_it(alice, neighbourhood):
    response = push_text(alice, "", device_time="9999-12-31T23:59:59+00:00")
    assert response.status_code == 422
    assert "device_time" in response.get_json()["details"]["fields"]


def test_every_accepted_instant_goes_out_in_a_form_the_tablet_reads(alice, neighbourhood):
    """A tablet whose clock reset to 1970 still delivers; the pull writes four-digit years."""
    hood = neighbourhood
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id)
    op["device_time"] = "1970-01-01T00:00:00+00:00"
    assert alice.push_ok([op])[0]["status"] == "applied"
    visit = next(c for c in alice.pull_all()["changes"] if c["id"] == op["entity_id"])
    for name in ("device_time", "visited_at", "recorded_at"):
        assert parse_instant(visit["data"][name]).year >= 1970, visit["data"][name]
    assert visit["data"]["device_time"] == "1970-01-01T00:00:00Z"


def test_a_sequence_number_of_5000_digits_is_refused_without_a_500(alice, neighbourhood,
                                                                   db_session):
    hood = neighbourhood
    op = json.dumps(visit_op(1, hood.grid_a.id, hood.resident_a.id)).replace(
        '"seq": 1', '"seq": ' + "9" * 5000)
    response = push_text(alice, op)
    assert response.status_code == 400
    assert response.get_json()["error"] == p.ERR_INVALID_BODY
    assert "number" in response.get_json()["message"]
    assert stored(db_session) == 0


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/sync/push",
                                  "/api/v1/sync/pull"])
def test_json_nested_100000_deep_is_refused_before_sign_in(client, neighbourhood, path):
    deep = '{"protocol": 2, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = post_raw(client, path, deep)
    assert response.status_code == 400
    assert response.get_json()["error"] == p.ERR_INVALID_BODY
    assert "deeper" in response.get_json()["message"]


def test_nesting_inside_strings_is_not_counted(alice, neighbourhood):
    hood = neighbourhood
    results = alice.push_ok([note_op(1, hood.grid_a.id, hood.resident_a.id,
                                     text="[[[[" * 100 + "{{{{" * 100)])
    assert results[0]["status"] == "applied"


#: JSON values whose strings are made of what the nesting check must see through.
TRICKY_JSON = st.recursive(
    st.none() | st.integers() | st.text(st.sampled_from('[]{}"\\ ,:a'), max_size=8),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(st.sampled_from('[]{}"a'), max_size=3), children, max_size=3),
    max_leaves=30)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(TRICKY_JSON, st.booleans(), st.integers(0, 6))
def test_the_nesting_check_counts_the_brackets_outside_strings_only(value, ascii_only, limit):
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert nests_deeper_than(text.encode(), limit) == (_depth(value) > limit), text


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_numbers_must_be_finite(alice, neighbourhood, number):
    hood = neighbourhood
    op = json.dumps(visit_op(1, hood.grid_a.id, hood.resident_a.id,
                             readings={"blood_sugar": 5.5})).replace("5.5", number)
    response = push_text(alice, op)
    assert response.status_code == 400 and response.get_json()["error"] == p.ERR_INVALID_BODY


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("positions", ['{"%d": Infinity}', '{"%d": 1e400}', '{"%d": 1.5}',
                                       '{"%d": true}', '{"%d": "7"}', '{"%d": -1}',
                                       '{"%d": ' + "9" * 5000 + "}",
                                       '{"99999999999999999999999": 1}', '{"%d": [[[[]]]]}',
                                       '{"%d": ' + "[" * 5000 + "]" * 5000 + "}"])
def test_a_cursor_position_that_is_not_a_finite_whole_number_is_a_bad_cursor(
        alice, neighbourhood, positions):
    if "%d" in positions:
        positions = positions % neighbourhood.grid_a.id
    response = alice.pull(cursor_of('{"v": 1, "g": ' + positions + "}"))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == p.ERR_BAD_CURSOR


@pytest.mark.parametrize("where", ["note", "unknown_member", "entity_id", "op_id", "entity"])
def test_an_unpaired_surrogate_in_an_op_rejects_that_op_by_name(alice, neighbourhood,
                                                                db_session, where):
    hood = neighbourhood
    good = visit_op(2, hood.grid_a.id, hood.resident_a.id)
    bad = visit_op(1, hood.grid_a.id, hood.resident_a.id, note="MARK")
    if where == "unknown_member":
        bad["data"]["\ud800x"] = 1
    elif where != "note":
        bad[where] = "MARK"
    text = json.dumps(bad).replace("MARK", "\\ud800")
    response = push_text(alice, text + "," + json.dumps(good))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert "\\ud800" not in results[0]["reason"]["message"] or where == "unknown_member"
    field = {"note": "data.note", "unknown_member": "data.", "entity_id": "entity_id",
             "op_id": "op_id", "entity": "entity"}[where]
    assert field in results[0]["reason"]["message"]
    assert stored(db_session) == 1


@pytest.mark.parametrize("member", ["app_version", "device_time"])
def test_an_unpaired_surrogate_at_the_top_level_is_named(alice, neighbourhood, member):
    body = {"protocol": 2, "device_time": "2026-11-27T01:00:00Z", "ops": [], member: "MARK"}
    response = post_raw(alice.client, "/api/v1/sync/push",
                        json.dumps(body).replace("MARK", "\\udfff"), alice.headers)
    assert response.status_code == 422
    assert member in response.get_json()["details"]["fields"]


def test_an_unknown_top_level_member_holding_a_surrogate_is_named_safely(alice, neighbourhood):
    response = post_raw(alice.client, "/api/v1/sync/push",
                        '{"protocol": 2, "device_time": "2026-11-27T01:00:00Z", "ops": [],'
                        ' "\\ud800": 1}', alice.headers)
    assert response.status_code == 422
    assert "\\ud800" in response.get_json()["message"]


def test_a_sign_in_with_a_surrogate_or_nul_is_refused_by_name(client, neighbourhood):
    for username in ("ali\\ud800ce", "ali\\u0000ce"):
        response = post_raw(client, "/api/v1/auth/login", json.dumps({
            "protocol": 2, "username": "MARK", "password": "x",
            "device_id": "6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c11",
            "device_name": "平板"}).replace("MARK", username))
        assert response.status_code == 422, response.get_json()
        assert "username" in response.get_json()["details"]["fields"]


def test_raw_utf8_surrogate_bytes_are_refused(alice, neighbourhood):
    body = b'{"protocol": 2, "device_time": "2026-11-27T01:00:00Z", "ops": [], "x": "\xed\xa0\x80"}'
    response = alice.client.post("/api/v1/sync/push", data=body, headers={
        **alice.headers, "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == p.ERR_INVALID_BODY


@pytest.mark.parametrize("where", ["note_text", "care_notes", "visit_note", "phone"])
def test_a_nul_character_is_refused_on_every_database_by_name(alice, neighbourhood, device_for,
                                                              db_session, where):
    hood = neighbourhood
    if where == "note_text":
        op, field, who = note_op(1, hood.grid_a.id, hood.resident_a.id, text="MARK"), \
            "data.text", alice
    elif where == "visit_note":
        op, field, who = visit_op(1, hood.grid_a.id, hood.resident_a.id, note="MARK"), \
            "data.note", alice
    else:
        op = update_op(1, hood.grid_a.id, hood.resident_a.id, 1, **{where: "MARK"})
        field, who = f"data.{where}", device_for("bob")
    response = push_text(who, json.dumps(op).replace("MARK", "12\\u000034"))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    result = response.get_json()["results"][0]
    assert result["status"] == "rejected" and field in result["reason"]["message"]
    assert "NUL" in result["reason"]["message"] or "pattern" in result["reason"]["message"]
    assert stored(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(AppliedOp)) == 1


def test_a_uuid_with_a_trailing_newline_is_not_a_uuid(alice, neighbourhood, db_session):
    hood = neighbourhood
    op = visit_op(1, hood.grid_a.id, hood.resident_a.id)
    op["entity_id"] += "\n"
    result = alice.push_ok([op])[0]
    assert result["status"] == "rejected" and "entity_id" in result["reason"]["message"]


def test_the_documented_8_mib_inflate_limit_is_the_real_one(alice, neighbourhood, db_session):
    """500 case notes of 3,000 Chinese characters: about 4.5 MB of JSON, 2.5 MB gzipped."""
    hood = neighbourhood
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    ops = [note_op(i, hood.grid_a.id, hood.resident_a.id, text=text[i:] + text[:i])
           for i in range(1, 501)]
    # 4,000 characters is a note's limit; 3,000 is well inside it.
    raw = json.dumps({"protocol": 2, "device_time": "2026-11-27T01:00:00Z", "ops": ops},
                     ensure_ascii=False).encode()
    assert 4 * 1024 * 1024 < len(raw) < p.MAX_BODY_BYTES
    body = gzip.compress(raw)
    assert len(body) < p.MAX_WIRE_BYTES
    response = alice.client.post("/api/v1/sync/push", data=body, headers={
        **alice.headers, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 200, response.get_json()
    assert {r["status"] for r in response.get_json()["results"]} == {"applied"}
    assert stored(db_session) == 500


def test_a_body_inflating_past_8_mib_is_refused(alice, neighbourhood, db_session):
    raw = b'{"protocol": 2, "ops": [], "pad": "' + b"a" * p.MAX_BODY_BYTES + b'"}'
    response = alice.client.post("/api/v1/sync/push", data=gzip.compress(raw), headers={
        **alice.headers, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert response.get_json()["error"] == p.ERR_BODY_TOO_LARGE


@pytest.mark.parametrize("grid_id", [2**31, 2**62])
def test_a_grid_id_beyond_what_the_database_holds_is_rejected_by_name(alice, neighbourhood,
                                                                      grid_id):
    op = visit_op(1, grid_id, neighbourhood.resident_a.id)
    result = alice.push_ok([op])[0]
    assert result["status"] == "rejected" and "grid_id" in result["reason"]["message"]
    op["data"]["outcome"] = "asleep"  # invalid and keyable: remembered with its grid
    op["op_id"], op["seq"] = "00000000-0000-4000-8000-000000000002", 2
    assert alice.push_ok([op])[0]["status"] == "rejected"
