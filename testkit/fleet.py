"""Tablets in bad weather, for the convergence property tests: each a MemoryStore and a sync
engine behind a FaultyTransport (drops, duplicates, late replays, crashes), making ops the way
the app does; and the steps every such test ends with (the weather clears, everyone syncs)."""
from __future__ import annotations

import random
import uuid

from sqlalchemy import func, select

from client.store import MemoryStore, local_note_record, local_visit_record
from client.sync import SyncEngine, SyncReport
from client.transport import FlaskTransport
from server.models import AppliedOp
from shared import protocol as p
from shared.clock import isoformat, utcnow

from .factories import PASSWORD
from .faults import DeviceCrash, FaultyTransport

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
    return SyncReport(started_at=isoformat(utcnow()))


def fleet(make, devices: int, seed: int) -> list:
    """``devices`` tablets made by ``make(index, rng)``, each with its own random source drawn
    from ``seed`` (a failing example replays exactly), each crashing now and then."""
    rng = random.Random(seed)
    tablets = [make(index, random.Random(rng.random())) for index in range(devices)]
    for tablet in tablets:
        tablet.transport.crash = 0.05
    return tablets


def settle(tablets) -> None:
    """The weather clears; everybody syncs until nothing moves."""
    for tablet in tablets:
        tablet.transport.enabled = False
        tablet.restart()
    for _ in range(3):
        for tablet in tablets:
            assert tablet.engine.sync().ok


def made_ops(tablets) -> list[dict]:
    """Every op the tablets made, after checking that none is still waiting anywhere."""
    assert all(tablet.store.pending_ops(10**6) == [] for tablet in tablets)
    return [op for tablet in tablets for op in tablet.made]


def assert_applied_once(session, made: list[dict], rejected: int = 0) -> None:
    """Every op reached the server exactly once; ``rejected`` of them were refused."""
    assert session.scalar(select(func.count()).select_from(AppliedOp)) == len(made)
    assert session.scalar(select(func.count()).select_from(AppliedOp).where(
        AppliedOp.status == p.REJECTED)) == rejected
