"""Property: whatever the weather, replicas converge and no acknowledged work is lost.

3-5 devices edit the same residents offline (same-field conflicts included) and push and pull in
random interleavings, through a transport that drops requests and responses, duplicates them,
replays old ones late, and kills a device mid-sync. Afterwards every device equals the server,
every op is applied exactly once, and every same-field clash left a conflict record.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.demo import wipe
from server.models import AppliedOp, CaseNote, ChangeLogEntry, Conflict, Resident, Visit
from shared import protocol as p
from shared.digest import combine
from testkit.factories import make_district, make_person, make_resident
from testkit.fleet import Tablet, assert_applied_once, fleet, made_ops, settle
from testkit.integrity import assert_records_match_log

def _steps(*actions: str):
    """Random steps: (which device, what it does, a number to choose with)."""
    return st.lists(st.tuples(st.integers(0, 4), st.sampled_from(actions), st.integers(0, 99)),
                    min_size=5, max_size=30)


STEPS = _steps("visit", "note", "edit", "edit", "push", "pull", "sync")
#: Each example builds a district and syncs several tablets: slow, and the fixtures are shared.
SLOW = {"deadline": None,
        "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


@settings(max_examples=60, **SLOW)
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
    tablets = fleet(lambda i, rng: Tablet(app, f"v{i}", rng), devices, seed)
    for device, action, choice in steps:
        tablets[device % devices].act(action, residents, grid_id, choice)

    settle(tablets)

    with Session(engine) as session:
        server_digest = combine(session.scalars(select(ChangeLogEntry.row_hash).where(
            ChangeLogEntry.grid_id == grid_id)))
        # Every op reached the server exactly once, and none is waiting anywhere.
        made = made_ops(tablets)
        assert_applied_once(session, made)
        visits = [op for op in made if op["entity"] == p.VISIT]
        notes = [op for op in made if op["entity"] == p.NOTE]
        assert session.scalar(select(func.count()).select_from(Visit)) == len(visits)
        assert session.scalar(select(func.count()).select_from(CaseNote)) == len(notes)
        # Every replica holds exactly the server's copy.
        for tablet in tablets:
            assert tablet.store.local_digests() == {grid_id: server_digest}
            assert tablet.store.server_digests() == {grid_id: server_digest}
        _assert_every_edit_kept(session, made)
        for row in session.scalars(select(AppliedOp).where(AppliedOp.status == p.CONFLICTED)):
            for conflict_id in row.conflict_ids:
                conflict = session.get(Conflict, conflict_id)
                assert row.op_id in (conflict.kept_by["op_id"], conflict.lost_by["op_id"])
        # The tables agree with the change log the tablets follow (what the digests cannot see).
        assert_records_match_log(session)


def _assert_every_edit_kept(session, made) -> None:
    """Every edit's value survives: as the value, in a conflict, or seen and replaced."""
    conflicts = session.scalars(select(Conflict)).all()
    for op in (op for op in made if op["entity"] == p.RESIDENT):
        [(field, value)] = op["data"].items()
        resident = session.get(Resident, op["entity_id"])
        kept_somewhere = getattr(resident, field) == value or any(
            c.resident_id == resident.id and c.field == field and
            value in (c.kept_value, c.lost_value) for c in conflicts)
        assert kept_somewhere or _superseded(session, op, made)


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


MOVE_STEPS = _steps("visit", "note", "edit", "push", "pull", "sync", "move")


@settings(max_examples=40, **SLOW)
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
    tablets = fleet(lambda i, rng: Tablet(app, f"v{i}", rng), devices, seed)
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

    settle(tablets)

    with Session(engine) as session:
        made = made_ops(tablets)
        assert all(tablet.store.outbox() == [] for tablet in tablets)
        assert_applied_once(session, made)
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
        _assert_every_edit_kept(session, made)
        assert_records_match_log(session)  # moved records included
