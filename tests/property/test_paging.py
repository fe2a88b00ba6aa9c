"""Property: the local state a pull builds does not depend on how the pull was cut into pages.

A writer makes a random history (visits of every outcome, voids, living-situation changes,
notes, edits) and syncs it at random moments, so records are re-logged at later positions than
what refers to them. Fresh tablets then pull that same history with page sizes from 1 to
all-in-one: every table they hold, the derived facts included, must be identical, and equal
to what the server says (both digests).
"""
from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from client.service import FieldService
from client.store import SqliteStore
from client.sync import SyncEngine, SyncReport
from client.transport import FlaskTransport
from server.demo import wipe
from shared import protocol as p
from shared.clock import isoformat, utcnow
from testkit.factories import PASSWORD, make_district, make_person, make_resident

PAGE_SIZES = (1, 2, 5, p.MAX_PULL_LIMIT)

STEPS = st.lists(st.tuples(
    st.sampled_from(["met", "no_answer", "refused", "void", "alone", "together", "note",
                     "phone", "sync"]),
    st.integers(0, 2), st.integers(1, 300), st.booleans()), min_size=3, max_size=20)


class Clock:
    """The writer's clock: moves on a few minutes at every step (visits at distinct times)."""

    def __init__(self) -> None:
        self.now = utcnow() - timedelta(days=3)

    def __call__(self):
        return self.now


def write_history(writer: FieldService, clock: Clock, residents: list[str], steps) -> None:
    for action, which, minutes, then_sync in steps:
        clock.now += timedelta(minutes=minutes)
        resident_id = residents[which]
        if action in ("met", "no_answer", "refused"):
            writer.record_visit(resident_id, action)
        elif action == "void":
            visits = [v for v in writer.resident(resident_id).visits
                      if not v.get("corrects") and not v["voided"]]
            if visits:
                writer.void_visit(visits[minutes % len(visits)]["id"])
        elif action in ("alone", "together"):
            writer.edit_resident(resident_id, {"care_categories": [p.ALONE] if
                                               action == "alone" else [p.EMPTY_NEST]})
        elif action == "note":
            writer.add_note(resident_id, f"便条 {minutes}")
        elif action == "phone":
            writer.edit_resident(resident_id, {"phone": f"1380000{minutes:04d}"})
        if then_sync or action == "sync":
            assert writer.sync().ok
    assert writer.sync().ok


def local_state(store: SqliteStore) -> dict:
    """Everything a tablet holds about its grids, as rows."""
    tables = {}
    with store.reading() as db:
        for table in ("residents", "visits", "notes", "conflicts", "grids"):
            tables[table] = sorted(db.execute(f"SELECT * FROM {table}").fetchall())
        tables["cursor"] = store.cursor()
    return tables


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_any_page_size_builds_the_same_local_state(app, engine, steps):
    wipe(engine)
    with Session(engine) as session:
        grid = make_district(session, grids=1).grids[0]
        make_person(session, "writer", p.GRID_WORKER, [grid])
        make_person(session, "reader", p.VOLUNTEER, [grid])
        residents = [make_resident(session, grid).id for _ in range(3)]
        session.commit()
    with tempfile.TemporaryDirectory() as work:
        clock = Clock()
        writer = FieldService(Path(work) / "writer", clock=clock, sleep=lambda _s: None,
                              transport_factory=lambda _url: FlaskTransport(app))
        writer.sign_in("http://in-process", "writer", PASSWORD, "writer")
        assert writer.sync().ok
        write_history(writer, clock, residents, steps)
        writer.close()

        states = {}
        empty = Path(work) / "empty.db"
        SqliteStore(empty).close()  # migrated once, copied for each reader
        for page_size in PAGE_SIZES:
            shutil.copy(empty, Path(work) / f"reader-{page_size}.db")
            store = SqliteStore(Path(work) / f"reader-{page_size}.db")
            answer = FlaskTransport(app).post("/api/v1/auth/login", {
                "protocol": p.PROTOCOL_VERSION, "username": "reader", "password": PASSWORD,
                "device_id": str(uuid.uuid4()), "device_name": "reader"})
            store.set_meta({"token": answer["token"]})
            engine_ = SyncEngine(store, FlaskTransport(app), sleep=lambda _s: None,
                                 page_size=page_size)
            engine_.pull_all(SyncReport(started_at=isoformat(utcnow())))
            assert engine_.mismatched_grids() == [], page_size
            states[page_size] = local_state(store)
            store.close()
    whole = states[p.MAX_PULL_LIMIT]
    for page_size, state in states.items():
        assert state == whole, f"pages of {page_size} differ from one page"
