"""One poisoned op or record never stops a grid (DESIGN.md §4.11), on the tablet's side."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from client.service import FieldService, SignInError
from client.simulation import run_simulation
from client.store import REJECTED
from client.sync import SyncEngine, UpgradeRequired
from client.transport import FlaskTransport, TransportError
from client.ui import i18n
from client.ui import presenters as pr
from server import create_app
from server.models import CaseNote, ChangeLogEntry, Resident, Visit
from server.sync import changelog
from shared import protocol as p
from shared.clock import isoformat
from shared.digest import canonical_json, record_hash
from tests.conftest import FAST_PASSWORD_HASH
from testkit.faults import FaultyTransport
from testkit.factories import PASSWORD, make_person


def chinese_text(length: int, offset: int) -> str:
    return "".join(chr(0x4E00 + (i * 7919 + offset) % 20000) for i in range(length))


class Poisoned:
    """A server bug: any push carrying one of ``poisoned`` op ids fails with 500."""

    def __init__(self, inner, poisoned=(), fail_everything=False) -> None:
        self.inner, self.poisoned, self.fail_everything = inner, set(poisoned), fail_everything
        self.pushes = 0

    def post(self, path, body, token=None):
        if path.endswith("/push"):
            self.pushes += 1
            if self.fail_everything or self.poisoned & {op["op_id"] for op in body["ops"]}:
                raise TransportError("Something went wrong on the server.", status=500,
                                     error="internal_error", retryable=True)
        return self.inner.post(path, body, token)

    def health(self):
        return self.inner.health()


def stored(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_500_notes_of_3000_chinese_characters_all_get_through(tablet_for, grid, db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    resident = grid.residents[0].id
    for index in range(500):
        alice.add_note(resident, chinese_text(3000, index))
    report = alice.sync()
    assert report.ok, report.error
    assert report.applied == 500 and report.set_aside == 0 and alice.unsent_count() == 0
    assert stored(db_session, CaseNote) == 500


def test_a_batch_refused_as_too_large_is_split_until_it_goes_through(app, database_url, grid,
                                                                     db_session, tmp_path):
    small = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test",
                        "PASSWORD_HASH_METHOD": FAST_PASSWORD_HASH,
                        "MAX_CONTENT_LENGTH": 600 * 1024})
    alice = FieldService(tmp_path / "alice", transport_factory=lambda _u: FlaskTransport(small),
                         sleep=lambda _s: None)
    alice.sign_in("http://in-process", "alice", PASSWORD, "平板")
    assert alice.sync().ok
    for index in range(200):
        alice.add_note(grid.residents[index % 3].id, chinese_text(3000, index))
    report = alice.sync()
    alice.close()
    assert report.ok, report.error
    assert report.applied == 200 and report.set_aside == 0
    assert stored(db_session, CaseNote) == 200


def test_an_op_that_keeps_failing_is_isolated_set_aside_and_kept(app, grid, tablet_for,
                                                                 db_session):
    bug = Poisoned(FlaskTransport(app))
    alice = tablet_for("alice", transport_factory=lambda _url: bug)
    assert alice.sync().ok
    ids = [alice.record_visit(grid.residents[i % 3].id, "met") for i in range(20)]
    poisoned = next(op for op in alice.store.outbox() if op["entity_id"] == ids[13])
    bug.poisoned.add(poisoned["op_id"])
    report = alice.sync()
    assert report.ok, report.error
    assert report.set_aside == 1 and report.applied == 19
    assert stored(db_session, Visit) == 19
    # kept, never dropped: the volunteer sees it, with the tablet's own reason
    rejected = alice.rejected_ops()
    assert [op["entity_id"] for op in rejected] == [ids[13]]
    assert rejected[0]["reason_code"] == p.REJ_UNDELIVERABLE
    assert alice.store.record(p.VISIT, ids[13]) is not None
    i18n.set_language("zh_CN")
    entry = pr.rejected_entry(rejected[0])
    assert "多次上传都没有成功" in entry["reason"] and "请联系社区" in entry["advice"]


def test_a_server_failing_everything_sets_nothing_aside(app, grid, tablet_for, db_session):
    bug = Poisoned(FlaskTransport(app))
    alice = tablet_for("alice", transport_factory=lambda _url: bug)
    alice.sync()
    for index in range(8):
        alice.record_visit(grid.residents[index % 3].id, "met")
    bug.fail_everything = True
    report = alice.sync()
    assert not report.ok and report.error_code == "internal_error"
    assert report.set_aside == 0 and alice.unsent_count() == 8
    assert alice.store.count_ops(REJECTED) == 0


REPAIRED_AT = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)


def poison_the_log(db_session, grid_id: int, resident_id: str) -> str:
    """A visit as an older server wrote it: year 1, not zero-padded (every tablet crashed)."""
    visit_id = "0b7d3f0e-7c55-4e0a-8d0c-1f8f6b1d2a99"
    payload = canonical_json({
        "id": visit_id, "resident_id": resident_id, "grid_id": grid_id, "author_id": 1,
        "author_name": "王芳", "visited_at": "1-01-01T00:00:00Z",
        "device_time": "1-01-01T00:00:00Z", "recorded_at": "2026-11-27T01:00:00Z",
        "outcome": "met", "corrects": None, "correction": None})
    position = changelog.reserve_positions(db_session, 1)
    db_session.add(ChangeLogEntry(entity=p.VISIT, entity_id=visit_id, grid_id=grid_id,
                                            position=position, payload=payload,
                                            row_hash=record_hash(p.VISIT, payload)))
    db_session.commit()
    return visit_id


def test_a_poisoned_page_is_quarantined_and_the_rest_synced(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    poisoned = poison_the_log(db_session, grid.grid.id, grid.residents[0].id)
    report = alice.sync()
    assert report.ok, report.error  # digests agree: the set-aside record is held, not lost
    assert report.quarantined == 1 and alice.quarantined_count() == 1
    assert [entry["id"] for entry in alice.store.quarantined()] == [poisoned]
    assert "visited_at" in alice.store.quarantined()[0]["reason"]
    assert len(alice.today_list()) == 3  # the rest of the grid is there
    alice.record_visit(grid.residents[1].id, "met")
    assert alice.sync().ok and alice.unsent_count() == 0  # and the tablet keeps syncing
    i18n.set_language("zh_CN")
    view = pr.sync_view(None, report, [], [], alice.quarantined_count())
    assert view.quarantined == "有 1 条记录暂时无法显示，请联系社区。"


def test_a_readable_copy_replaces_a_quarantined_one(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    poisoned = poison_the_log(db_session, grid.grid.id, grid.residents[0].id)
    assert alice.sync().ok and alice.quarantined_count() == 1
    entry = db_session.get(ChangeLogEntry, (p.VISIT, poisoned))
    fixed = entry.payload.replace('"1-01-01T00:00:00Z"', isoformat(REPAIRED_AT).join('""'))
    db_session.delete(entry)
    db_session.flush()
    db_session.add(ChangeLogEntry(
        entity=p.VISIT, entity_id=poisoned, grid_id=grid.grid.id,
        position=changelog.reserve_positions(db_session, 1), payload=fixed,
        row_hash=record_hash(p.VISIT, fixed)))
    # The server's own facts follow the repaired visit, as its facts digest is read from them.
    resident = db_session.get(Resident, grid.residents[0].id)
    resident.last_visit_at = max(filter(None, (resident.last_visit_at, REPAIRED_AT)))
    resident.last_met_at = max(filter(None, (resident.last_met_at, REPAIRED_AT)))
    resident.follow_up_since = None
    db_session.commit()
    assert alice.sync().ok
    assert alice.quarantined_count() == 0 and alice.store.record(p.VISIT, poisoned)


def test_sign_in_is_retried_when_packets_are_lost(app, grid, tmp_path):
    lost = {"count": 0}

    class Lossy(FlaskTransport):
        def post(self, path, body, token=None):
            if path.endswith("/login") and lost["count"] < 3:
                lost["count"] += 1
                raise TransportError("request lost", retryable=True)
            return super().post(path, body, token)

    waits = []
    alice = FieldService(tmp_path / "alice", transport_factory=lambda _u: Lossy(app),
                         sleep=waits.append)
    account = alice.sign_in("http://in-process", "alice", PASSWORD, "平板")
    alice.close()
    assert account.username == "alice" and lost["count"] == 3 and len(waits) == 3


def test_a_wrong_password_is_not_retried(app, grid, tmp_path):
    calls = []

    class Counting(FlaskTransport):
        def post(self, path, body, token=None):
            calls.append(path)
            return super().post(path, body, token)

    alice = FieldService(tmp_path / "alice", transport_factory=lambda _u: Counting(app),
                         sleep=lambda _s: None)
    with pytest.raises(SignInError) as refused:
        alice.sign_in("http://in-process", "alice", "wrong", "平板")
    alice.close()
    assert refused.value.code == "bad_credentials" and len(calls) == 1


def test_simulate_under_packet_loss_converges(app, grid, db_session, tmp_path):
    make_person(db_session, "carol", p.VOLUNTEER, [grid.grid], "陈玉珍")
    db_session.commit()
    rng = random.Random(5)

    def lossy(_url):
        return FaultyTransport(FlaskTransport(app), random.Random(rng.random()),
                               drop_request=0.3, drop_response=0.2, duplicate=0.1,
                               replay_late=0.0)
    report = run_simulation("http://in-process", ["alice", "bob", "carol"], PASSWORD,
                            rounds=2, visits_per_round=2, seed=3, concurrency=1,
                            work_dir=tmp_path, say=lambda _line: None,
                            service_options={"transport_factory": lossy,
                                             "sleep": lambda _s: None, "max_attempts": 8})
    assert report.converged, report.diverged


def test_a_newer_app_hears_the_server_must_be_updated(app, grid, tablet_for):
    alice = tablet_for("alice")
    newer = {"status": 400, "error": p.ERR_UPGRADE_REQUIRED,
             "details": {"upgrade": "server", "protocol": p.PROTOCOL_VERSION}}
    older_server = {"status": 400, "error": p.ERR_UPGRADE_REQUIRED,  # before it named the side
                    "details": {"min_protocol": 1, "protocol": p.PROTOCOL_VERSION - 1}}
    for answer in (newer, older_server):
        refusal = TransportError("newer", status=answer["status"], error=answer["error"],
                                 details=answer["details"])

        class Refusing:
            def post(self, path, body, token=None):
                raise refusal

        with pytest.raises(UpgradeRequired) as raised:
            SyncEngine(alice.store, Refusing(), sleep=lambda _s: None).sync()
        assert raised.value.side == "server"
    too_old = TransportError("old", status=426, error=p.ERR_UPGRADE_REQUIRED,
                             details={"upgrade": "app"})
    assert alice._sign_in_error(too_old).code == "upgrade_required"
    assert alice._sign_in_error(TransportError("new", status=400,
                                               error=p.ERR_UPGRADE_REQUIRED,
                                               details={"upgrade": "server"})
                                ).code == "server_upgrade_required"


@pytest.mark.parametrize("damage", [lambda page: page.update(changes=None),
                                    lambda page: page.update(grids=[{"id": "4"}]),
                                    lambda page: page.update(evict_grids=["x"]),
                                    lambda page: page.pop("cursor")])
def test_a_page_whose_envelope_cannot_be_read_is_not_applied_and_sync_goes_on(
        app, grid, tablet_for, damage):
    class Garbling(FlaskTransport):
        broken = True

        def post(self, path, body, token=None):
            answer = super().post(path, body, token)
            if path.endswith("/pull") and Garbling.broken:
                damage(answer)
            return answer

    alice = tablet_for("alice", transport_factory=lambda _url: Garbling(app))
    report = alice.sync()
    assert not report.ok and report.error_code == "offline"
    assert alice.store.cursor() is None  # nothing half-applied
    Garbling.broken = False
    assert alice.sync().ok and len(alice.today_list()) == 3
