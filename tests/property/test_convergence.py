"""Property: whatever the weather, replicas converge and no acknowledged work is lost.

3-5 devices edit the same residents offline (same-field conflicts included) and push and pull in
random interleavings, through a transport that drops requests and responses, duplicates them,
replays old ones late, and kills a device mid-sync. Afterwards every device equals the server,
every op is applied exactly once, and every same-field clash left a conflict record.
"""
from __future__ import annotations

import random
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from client.store import MemoryStore, local_note_record, local_visit_record
from client.sync import SyncEngine
from client.transport import FlaskTransport
from server.demo import wipe
from server.models import AppliedOp, CaseNote, ChangeLogEntry, Conflict, Resident, Visit
from shared import protocol as p
from shared.clock import isoformat, utcnow
from shared.digest import combine
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.faults import DeviceCrash, FaultyTransport
from testkit.integrity import assert_records_match_log

FIELDS = {"phone": ["13800000001", "13800000002", "13900000003"],
          "care_notes": ["腿脚不便", "独居, 需每周探访", "女儿每周来"]}


class Tablet:
    def __init__(self, app, username: str, rng: random.Random) -> None:
        self.store = MemoryStore()  # survives a "crash": it is the durable part
        self.transport = FaultyTransport(FlaskTransport(app), rng)
        self.rng = rng
        answer = FlaskTransport(app).post("/api/v1/auth/login", {
            "protocol": p.PROTOCOL_VERSION, "username": username, "password": PASSWORD,
            "device_id": str(uuid.uuid4()), "device_name": username})
        self.store.set_meta({"token": answer["token"]})
        self.restart()
        self.made: list[dict] = []

    def restart(self) -> None:
        self.engine = SyncEngine(self.store, self.transport, sleep=lambda _s: None,
                                 rng=self.rng, batch_size=3, page_size=4, max_attempts=3)

    def _add(self, op: dict, record: dict | None) -> None:
        self.store.add_op(op, record)
        self.made.append(op)

    def new_id(self) -> str:
        # From the example's own random source, so a failing example replays exactly.
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _op(self, entity, action, entity_id, grid_id, data, base=None) -> dict:
        op = {"op_id": self.new_id(), "entity": entity, "action": action,
              "entity_id": entity_id, "grid_id": grid_id, "device_time": isoformat(utcnow()),
              "data": data}
        if base is not None:
            op["base_version"] = base
        return op

    def act(self, action: str, residents: list[str], grid_id: int, choice: int) -> None:
        resident_id = residents[choice % len(residents)]
        held = self.store.record(p.RESIDENT, resident_id)
        if action in ("visit", "note", "edit") and held is None:
            return  # nothing pulled yet: nothing to act on
        if action == "visit":
            op = self._op(p.VISIT, p.CREATE, self.new_id(), grid_id,
                          {"resident_id": resident_id,
                           "outcome": [p.MET, p.NO_ANSWER][choice % 2]})
            self._add(op, local_visit_record(op, "t", None))
        elif action == "note":
            op = self._op(p.NOTE, p.CREATE, self.new_id(), grid_id,
                          {"resident_id": resident_id, "text": f"note {choice}"})
            self._add(op, local_note_record(op, "t", None))
        elif action == "edit":
            field = sorted(FIELDS)[choice % 2]
            value = FIELDS[field][choice % 3]
            self._add(self._op(p.RESIDENT, p.UPDATE, resident_id, grid_id, {field: value},
                               base=held["version"]), None)
        else:
            try:
                if action == "push":
                    self.engine.push_all(_report())
                elif action == "pull":
                    self.engine.pull_all(_report())
                else:
                    self.engine.sync()
            except DeviceCrash:
                self.restart()
            except Exception as error:  # noqa: BLE001 - the weather may stop any phase
                if error.__class__.__name__ != "TransportError":
                    raise


def _report():
    from client.sync import SyncReport
    return SyncReport(started_at=isoformat(utcnow()))


STEPS = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
    ["visit", "note", "edit", "edit", "push", "pull", "sync"]), st.integers(0, 99)),
    min_size=5, max_size=30)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(devices=st.integers(3, 5), steps=STEPS, seed=st.integers(0, 10**6))
def test_devices_converge_and_nothing_is_lost_or_applied_twice(app, engine, devices, steps,
                                                              seed):
    wipe(engine)
    with Session(engine) as session:
        grid = make_district(session, grids=1).grids[0]
        for index in range(devices):
            make_person(session, f"v{index}", areas=[grid])
        residents = [make_resident(session, grid).id for _ in range(2)]
        grid_id = grid.id
        session.commit()
    rng = random.Random(seed)
    tablets = [Tablet(app, f"v{i}", random.Random(rng.random())) for i in range(devices)]
    for tablet in tablets:
        tablet.transport.crash = 0.05
    for device, action, choice in steps:
        tablets[device % devices].act(action, residents, grid_id, choice)

    # The weather clears; everybody syncs until nothing moves.
    for tablet in tablets:
        tablet.transport.enabled = False
        tablet.restart()
    for _ in range(3):
        for tablet in tablets:
            assert tablet.engine.sync().ok

    with Session(engine) as session:
        server_digest = combine(session.scalars(select(ChangeLogEntry.row_hash).where(
            ChangeLogEntry.grid_id == grid_id)))
        made = [op for tablet in tablets for op in tablet.made]
        # Every op reached the server exactly once, and none is waiting anywhere.
        assert all(tablet.store.pending_ops(10**6) == [] for tablet in tablets)
        tracked = session.scalar(select(func.count()).select_from(AppliedOp))
        assert tracked == len(made)
        assert session.scalar(select(func.count()).select_from(AppliedOp).where(
            AppliedOp.status == p.REJECTED)) == 0
        visits = [op for op in made if op["entity"] == p.VISIT]
        notes = [op for op in made if op["entity"] == p.NOTE]
        assert session.scalar(select(func.count()).select_from(Visit)) == len(visits)
        assert session.scalar(select(func.count()).select_from(CaseNote)) == len(notes)
        # Every replica holds exactly the server's copy.
        for tablet in tablets:
            assert tablet.store.local_digests() == {grid_id: server_digest}
            assert tablet.store.server_digests() == {grid_id: server_digest}
        # Every edit's value survives: as the value, in a conflict, or seen and replaced.
        conflicts = session.scalars(select(Conflict)).all()
        for op in (op for op in made if op["entity"] == p.RESIDENT):
            [(field, value)] = op["data"].items()
            resident = session.get(Resident, op["entity_id"])
            kept_somewhere = getattr(resident, field) == value or any(
                c.resident_id == resident.id and c.field == field and
                value in (c.kept_value, c.lost_value) for c in conflicts)
            assert kept_somewhere or _superseded(session, op, made)
        for row in session.scalars(select(AppliedOp).where(AppliedOp.status == p.CONFLICTED)):
            for conflict_id in row.conflict_ids:
                conflict = session.get(Conflict, conflict_id)
                assert row.op_id in (conflict.kept_by["op_id"], conflict.lost_by["op_id"])
        # The tables agree with the change log the tablets follow (what the digests cannot see).
        assert_records_match_log(session)


def _superseded(session, op, made) -> bool:
    """Replaced by an edit of the same field whose author had seen this one (same device
    later, or based on a version at or after the one this edit produced)."""
    [field] = op["data"]
    applied = {row.op_id: row for row in session.scalars(select(AppliedOp))}
    mine = applied[op["op_id"]]
    for other in made:
        if other is op or other["entity"] != p.RESIDENT or \
                other["entity_id"] != op["entity_id"] or field not in other["data"]:
            continue
        theirs = applied[other["op_id"]]
        if theirs.device_id == mine.device_id and theirs.seq > mine.seq:
            return True
        if other.get("base_version", -1) >= (mine.version or 0):
            return True
    return False


MOVE_STEPS = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(
    ["visit", "note", "edit", "push", "pull", "sync", "move"]), st.integers(0, 99)),
    min_size=5, max_size=30)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(devices=st.integers(3, 5), steps=MOVE_STEPS, seed=st.integers(0, 10**6))
def test_replicas_converge_when_residents_move_between_grids(app, engine, devices, steps, seed):
    """Residents move between two grids while tablets of either grid (and one of both) work
    offline on them: every op is still delivered once, each record ends in its resident's
    grid, and every replica equals the server in every grid it holds."""
    from server.sync.edits import lock_resident
    from server.sync.moves import move_resident

    wipe(engine)
    with Session(engine) as session:
        grids = make_district(session, grids=2).grids
        grid_ids = [grid.id for grid in grids]
        for index in range(devices):
            # grid A only, grid B only, or both
            make_person(session, f"v{index}", areas=[[grids[0]], [grids[1]], grids][index % 3])
        residents = [make_resident(session, grids[0]).id, make_resident(session, grids[0]).id,
                     make_resident(session, grids[1]).id]
        session.commit()
    rng = random.Random(seed)
    tablets = [Tablet(app, f"v{i}", random.Random(rng.random())) for i in range(devices)]
    for tablet in tablets:
        tablet.transport.crash = 0.05
    for device, action, choice in steps:
        if action == "move":
            with Session(engine) as session:
                resident = lock_resident(session, residents[choice % len(residents)])
                other = grid_ids[1] if resident.grid_id == grid_ids[0] else grid_ids[0]
                move_resident(session, None, resident, other, via="web")
                session.commit()
            continue
        tablet = tablets[device % devices]
        held = tablet.store.record(p.RESIDENT, residents[choice % len(residents)])
        tablet.act(action, residents, held["grid_id"] if held else grid_ids[0], choice)

    for tablet in tablets:
        tablet.transport.enabled = False
        tablet.restart()
    for _ in range(3):
        for tablet in tablets:
            assert tablet.engine.sync().ok

    with Session(engine) as session:
        made = [op for tablet in tablets for op in tablet.made]
        assert all(tablet.store.outbox() == [] for tablet in tablets)
        assert session.scalar(select(func.count()).select_from(AppliedOp)) == len(made)
        assert session.scalar(select(func.count()).select_from(AppliedOp).where(
            AppliedOp.status == p.REJECTED)) == 0
        assert session.scalar(select(func.count()).select_from(Visit)) == \
            sum(op["entity"] == p.VISIT for op in made)
        assert session.scalar(select(func.count()).select_from(CaseNote)) == \
            sum(op["entity"] == p.NOTE for op in made)
        home = dict(session.execute(select(Resident.id, Resident.grid_id)).all())
        for model in (Visit, CaseNote, Conflict):
            for resident_id, grid_id in session.execute(select(model.resident_id,
                                                               model.grid_id)):
                assert grid_id == home[resident_id]
        digests = {grid_id: combine(session.scalars(select(ChangeLogEntry.row_hash).where(
            ChangeLogEntry.grid_id == grid_id))) for grid_id in grid_ids}
        for tablet in tablets:
            held = tablet.store.server_digests()
            assert held and tablet.store.local_digests() == held
            assert held == {grid_id: digests[grid_id] for grid_id in held}
        conflicts = session.scalars(select(Conflict)).all()
        for op in (op for op in made if op["entity"] == p.RESIDENT):
            [(field, value)] = op["data"].items()
            resident = session.get(Resident, op["entity_id"])
            kept_somewhere = getattr(resident, field) == value or any(
                c.resident_id == resident.id and c.field == field and
                value in (c.kept_value, c.lost_value) for c in conflicts)
            assert kept_somewhere or _superseded(session, op, made)
        assert_records_match_log(session)  # moved records included
