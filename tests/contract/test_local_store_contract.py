"""The contract every local store honours: the SQLite file and the in-memory one alike."""
from __future__ import annotations

import uuid

import pytest

from client.store import MemoryStore, SqliteStore, local_visit_record
from shared import protocol as p
from shared.digest import canonical_json, combine, record_hash

GRID = 7
RESIDENT_ID = "11111111-1111-4111-8111-111111111111"
NOW = "2026-11-27T02:00:00Z"


def resident_change(position: int, version: int | None = None, grid_id: int = GRID,
                    resident_id: str = RESIDENT_ID, **fields) -> dict:
    data = {"id": resident_id, "grid_id": grid_id, "version": version or position,
            "name": "张利霞", "address": "建设路17号", "phone": None, "care_notes": None,
            "care_categories": ["alone"], "status": "active", "birth_year": 1941,
            "created_at": "2026-01-01T00:00:00Z", **fields}
    return {"position": position, "entity": p.RESIDENT, "id": resident_id, "grid_id": grid_id,
            "data": data}


def page(changes, cursor="c1", evict=(), grids=None) -> dict:
    return {"changes": changes, "cursor": cursor, "has_more": False, "evict_grids": list(evict),
            "grids": grids if grids is not None else [{"id": GRID, "name": "网格", "digest": None}]}


def update(field: str, value, base: int = 1) -> dict:
    return {"op_id": str(uuid.uuid4()), "entity": p.RESIDENT, "action": p.UPDATE,
            "entity_id": RESIDENT_ID, "grid_id": GRID, "base_version": base,
            "device_time": "2026-11-27T01:00:00Z", "data": {field: value}}


def visit(grid_id: int = GRID) -> tuple[dict, dict]:
    op = {"op_id": str(uuid.uuid4()), "entity": p.VISIT, "action": p.CREATE,
          "entity_id": str(uuid.uuid4()), "grid_id": grid_id,
          "device_time": "2026-11-27T01:00:00Z",
          "data": {"resident_id": RESIDENT_ID, "outcome": "met"}}
    return op, local_visit_record(op, "王芳", 1)


class StoreFactory:
    """Makes a store and 'restarts' it (a new object over the same durable state)."""

    def __init__(self, kind: str, tmp_path) -> None:
        self.kind, self.tmp_path, self.memory = kind, tmp_path, None

    def open(self):
        if self.kind == "sqlite":
            return SqliteStore(self.tmp_path / "local.db")
        self.memory = self.memory or MemoryStore()
        return self.memory


@pytest.fixture(params=["sqlite", "memory"])
def stores(request, tmp_path) -> StoreFactory:
    return StoreFactory(request.param, tmp_path)


@pytest.fixture
def store(stores):
    opened = stores.open()
    opened.apply_page(page([resident_change(1)]))
    return opened


def test_ops_get_consecutive_sequence_numbers_and_leave_in_order(store):
    seqs = [store.add_op(update("phone", f"1380000000{i}"), None) for i in range(5)]
    assert seqs == [1, 2, 3, 4, 5]
    assert [op["seq"] for op in store.pending_ops(10)] == seqs
    assert [op["seq"] for op in store.pending_ops(2)] == [1, 2]


def test_an_op_and_its_local_effect_are_written_together_or_not_at_all(store):
    op, _record = visit()
    with pytest.raises(Exception):
        store.add_op(op, {"broken": True})  # the local record cannot be written
    assert store.pending_ops(10) == []
    assert store.record(p.VISIT, op["entity_id"]) is None


def test_a_local_edit_shows_at_once_and_survives_a_restart(stores, store):
    store.add_op(update("phone", "13800000001"), None)
    assert store.record(p.RESIDENT, RESIDENT_ID)["phone"] == "13800000001"
    reopened = stores.open()
    assert reopened.record(p.RESIDENT, RESIDENT_ID)["phone"] == "13800000001"
    assert len(reopened.pending_ops(10)) == 1


def test_pulled_data_never_hides_an_edit_not_yet_echoed(store):
    store.add_op(update("phone", "13800000001"), None)
    store.apply_page(page([resident_change(5, care_notes="右腿不便", phone="13999999999")], "c2"))
    record = store.record(p.RESIDENT, RESIDENT_ID)
    assert record["phone"] == "13800000001" and record["care_notes"] == "右腿不便"


def test_an_acknowledged_op_is_done_once_its_echo_is_pulled_but_held_for_a_restore(store):
    op = update("phone", "13800000001")
    store.add_op(op, None)
    store.record_results([{"op_id": op["op_id"], "status": "applied", "version": 9}], NOW)
    assert store.pending_ops(10) == []
    assert [row["state"] for row in store.outbox()] == ["acked"]
    assert store.record(p.RESIDENT, RESIDENT_ID)["phone"] == "13800000001"
    store.apply_page(page([resident_change(9, phone="13800000001")], "c2"))
    assert store.outbox() == [] and [row["op_id"] for row in store.outbox("held")] == \
        [op["op_id"]]
    assert store.grids_with_outstanding_ops() == set()
    # Held, it no longer shows: a later value from the server is what the volunteer sees.
    store.apply_page(page([resident_change(12, phone="13900000000")], "c3"))
    assert store.record(p.RESIDENT, RESIDENT_ID)["phone"] == "13900000000"


def test_after_a_restore_what_the_server_lacks_is_queued_again_unchanged(store):
    held, acked, pending = (update("phone", "13800000001", base=1),
                            update("care_notes", "右腿不便", base=9),
                            update("phone", "13800000003", base=12))
    visit_op, record = visit()
    for op in (held, acked):
        store.add_op(op, None)
    store.add_op(visit_op, record)
    store.record_results([{"op_id": held["op_id"], "seq": 1, "status": "applied", "version": 9},
                          {"op_id": acked["op_id"], "seq": 2, "status": "applied",
                           "version": 12},
                          {"op_id": visit_op["op_id"], "seq": 3, "status": "applied",
                           "version": 13}], NOW)
    store.apply_page(page([resident_change(9, phone="13800000001")], "c2"))
    store.add_op(pending, None)
    assert store.get_meta("acked_seq") == "3" and store.get_meta("seen_position") == "13"
    # The restored server holds seq 1 only, and history up to position 10.
    assert store.restart_after_restore(1, "epoch-2", 10) == 2
    queued = store.pending_ops(10)
    assert [op["op_id"] for op in queued] == [acked["op_id"], visit_op["op_id"],
                                              pending["op_id"]]
    assert queued[0] == {**acked, "seq": 2}  # based on history the server still holds
    assert queued[2] == {**pending, "seq": 4, "base_version": 10}  # based on lost history
    assert [row["op_id"] for row in store.outbox("held")] == [held["op_id"]]
    assert store.cursor() is None and store.record(p.RESIDENT, RESIDENT_ID) is None
    assert store.get_meta("epoch") == "epoch-2" and store.get_meta("acked_seq") == "1"
    assert store.record(p.VISIT, visit_op["entity_id"]) is not None  # still shown


def test_a_rejected_op_stays_with_its_reason_and_no_longer_shows(store):
    op = update("phone", "13800000001")
    store.add_op(op, None)
    store.record_results([{"op_id": op["op_id"], "status": "rejected",
                           "reason": {"code": "out_of_scope", "message": "不在你的网格"}}], NOW)
    [row] = store.outbox()
    assert (row["state"], row["reason_code"], row["reason"]) == \
        ("rejected", "out_of_scope", "不在你的网格")
    assert store.pending_ops(10) == []


def test_a_page_and_its_cursor_apply_together_or_not_at_all(store):
    # (An unreadable record no longer fails a page: it is set aside, see below. A page that
    # cannot be finished, here one without a cursor, still changes nothing.)
    broken = page([resident_change(2, phone="1")], "c9")
    del broken["cursor"]
    with pytest.raises(Exception):
        store.apply_page(broken)
    assert store.cursor() == "c1"
    assert store.record(p.RESIDENT, RESIDENT_ID)["phone"] is None


def test_applying_the_same_page_twice_changes_nothing(store):
    again = page([resident_change(1)])
    before = store.local_digests()
    store.apply_page(again)
    assert store.local_digests() == before


def test_the_cursor_is_kept_across_a_restart(stores, store):
    store.apply_page(page([], "c7"))
    assert stores.open().cursor() == "c7"


def test_the_local_digest_covers_exactly_the_server_copies(store):
    op, record = visit()
    store.add_op(op, record)  # unsent work does not count
    expected = combine([record_hash(p.RESIDENT, canonical_json(resident_change(1)["data"]))])
    assert store.local_digests() == {GRID: expected}


def test_an_evicted_grid_goes_but_its_unsent_ops_stay(store):
    op, record = visit()
    store.add_op(op, record)
    store.apply_page(page([], "c2", evict=[GRID], grids=[]))
    assert store.record(p.RESIDENT, RESIDENT_ID) is None
    assert [o["op_id"] for o in store.pending_ops(10)] == [op["op_id"]]
    assert GRID not in store.local_digests()


def test_reset_forgets_pulled_data_but_keeps_the_outbox(store):
    store.add_op(update("phone", "13800000001"), None)
    store.reset_replica()
    assert store.cursor() is None and store.record(p.RESIDENT, RESIDENT_ID) is None
    assert len(store.pending_ops(10)) == 1


def test_wipe_forgets_everything(store):
    store.add_op(update("phone", "13800000001"), None)
    store.set_meta({"token": "secret"})
    store.wipe()
    assert store.get_meta("token") is None and store.pending_ops(10) == []
    assert store.record(p.RESIDENT, RESIDENT_ID) is None and store.cursor() is None


def test_ops_are_counted_and_listed_by_state(store):
    first, second = update("phone", "13800000001"), update("phone", "13800000002")
    store.add_op(first, None)
    store.add_op(second, None)
    store.record_results([{"op_id": first["op_id"], "status": "rejected",
                           "reason": {"code": "invalid_op", "message": "x"}}], NOW)
    assert (store.count_ops("pending"), store.count_ops("rejected")) == (1, 1)
    assert [row["op_id"] for row in store.outbox("pending")] == [second["op_id"]]
    assert [row["op_id"] for row in store.outbox()] == [first["op_id"], second["op_id"]]


def visit_change(position: int, visit_id: str, grid_id: int = GRID) -> dict:
    data = {"id": visit_id, "resident_id": RESIDENT_ID, "grid_id": grid_id, "outcome": "met",
            "visited_at": "2026-11-27T01:00:00Z", "corrects": None, "correction": None}
    return {"position": position, "entity": p.VISIT, "id": visit_id, "grid_id": grid_id,
            "data": data}


def departure(position: int, grid_id: int = GRID) -> dict:
    data = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{RESIDENT_ID}/{grid_id}")),
            "resident_id": RESIDENT_ID, "grid_id": grid_id, "left_at": "2026-11-28T01:00:00Z"}
    return {"position": position, "entity": p.DEPARTURE, "id": data["id"], "grid_id": grid_id,
            "data": data}


def test_a_departure_drops_the_resident_and_history_of_that_grid_but_not_unsent_work(store):
    store.apply_page(page([visit_change(2, "v-1"), resident_change(3, resident_id="other")],
                          cursor="c2"))
    op, record = visit()
    store.add_op(op, record)
    store.apply_page(page([departure(4)], cursor="c3"))
    assert store.record(p.RESIDENT, RESIDENT_ID) is None
    assert store.record(p.VISIT, "v-1") is None
    assert store.record(p.RESIDENT, "other") is not None  # nobody else leaves
    assert [o["op_id"] for o in store.pending_ops(10)] == [op["op_id"]]  # still to be sent
    held = combine([record_hash(p.RESIDENT, canonical_json(resident_change(
        3, resident_id="other")["data"]))])
    assert store.local_digests() == {GRID: held}  # a departure counts nothing
    store.record_results([{"op_id": op["op_id"], "status": p.APPLIED, "version": 9}], NOW)
    assert store.outbox() == []  # acknowledged, and no echo will ever come here


def test_a_departure_spares_what_already_arrived_for_the_new_grid(store):
    store.apply_page(page([visit_change(2, "v-1")], cursor="c2"))
    moved = [resident_change(5, grid_id=GRID + 1), visit_change(6, "v-1", grid_id=GRID + 1)]
    grids = [{"id": GRID, "name": "网格", "digest": None},
             {"id": GRID + 1, "name": "网格二", "digest": None}]
    store.apply_page(page(moved + [departure(4)], cursor="c3", grids=grids))
    assert store.record(p.RESIDENT, RESIDENT_ID)["grid_id"] == GRID + 1
    assert store.record(p.VISIT, "v-1")["grid_id"] == GRID + 1
    assert set(store.local_digests()) == {GRID, GRID + 1}
    assert store.local_digests()[GRID] == combine([])


@pytest.mark.parametrize("damage", [{"visited_at": "1-01-01T00:00:00Z"}, {"visited_at": None},
                                    {"resident_id": 7}, {"needs": [{"x": 1}]},
                                    {"note": "\ud800"}, {"id": None}])
def test_a_record_the_tablet_cannot_read_is_set_aside_and_the_rest_applied(store, damage):
    visit_id = str(uuid.uuid4())
    data = {"id": visit_id, "resident_id": RESIDENT_ID, "grid_id": GRID, "outcome": "met",
            "visited_at": "2026-11-27T01:00:00Z", **damage}
    bad = {"position": 2, "entity": p.VISIT, "id": visit_id, "grid_id": GRID, "data": data}
    store.apply_page(page([bad, resident_change(3, phone="13800000000")], "c2"))
    assert store.cursor() == "c2"
    assert store.record(p.RESIDENT, RESIDENT_ID)["phone"] == "13800000000"
    assert store.record(p.VISIT, visit_id) is None
    [kept] = store.quarantined()
    assert kept["entity"] == p.VISIT and kept["reason"]
    if "note" not in damage:  # what can be written down still counts in the grid's digest
        text = canonical_json(resident_change(3, phone="13800000000")["data"])
        expected = combine([record_hash(p.RESIDENT, text),
                            record_hash(p.VISIT, canonical_json(data))])
        assert store.local_digests()[GRID] == expected
    store.reset_replica()
    assert store.quarantined() == []
