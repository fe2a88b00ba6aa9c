"""Writers that meet on one resident, on PostgreSQL: each reads what it writes under its lock.

A tablet's push that commits while a web save (or a second settlement) waits for the lock must
be seen by the waiting request: the "changed since you opened the form" check runs against the
latest row, and the residents table and the change log the tablets follow agree afterwards.
Every wait is bounded, so a regression fails in seconds instead of hanging the suite.
"""
from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import AuditEntry, Conflict, Device, Person, Resident
from server.sync.edits import TAKE_OTHER, edit_resident, lock_resident, settle_conflict
from server.sync.push import push_ops
from shared.clock import isoformat, utcnow
from testkit.integrity import assert_records_match_log
from test_resident_and_conflicts import form_values

pytestmark = [
    pytest.mark.skipif(not os.environ.get("KNOCKDOOR_TEST_DATABASE_URL"),
                       reason="row locks need PostgreSQL (KNOCKDOOR_TEST_DATABASE_URL; "
                              "`make test` sets it)"),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

WAIT = 15  # seconds: the bound on every wait below


class Holder(threading.Thread):
    """Runs ``work(session)`` in its own transaction and holds it open (its row locks with it)
    until :meth:`release`; then commits."""

    def __init__(self, engine, work) -> None:
        super().__init__(daemon=True)
        self.engine, self.work = engine, work
        self.done_work, self.may_commit = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.result = None

    def run(self) -> None:
        try:
            with Session(self.engine) as session, session.begin():
                self.result = self.work(session)
                self.done_work.set()
                if not self.may_commit.wait(WAIT):
                    raise TimeoutError("never released")
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            self.done_work.set()

    def release(self) -> None:
        self.may_commit.set()
        self.join(WAIT)
        assert not self.is_alive(), "the holding transaction did not finish"
        assert self.error is None, repr(self.error)


class Request(threading.Thread):
    """One web request, sent from its own thread so the test can watch it wait."""

    def __init__(self, send) -> None:
        super().__init__(daemon=True)
        self.send, self.response, self.error = send, None, None

    def run(self) -> None:
        try:
            self.response = self.send()
        except BaseException as error:
            self.error = error

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "the request never finished"
        assert self.error is None, repr(self.error)
        return self.response


@pytest.fixture
def pg_engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def wait_until_blocked_on_a_lock(engine, waiting: Request) -> None:
    """Until another connection of this database waits for a row lock (bounded)."""
    deadline = time.monotonic() + WAIT
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting_now = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            connection.rollback()
            if waiting_now:
                return
            assert waiting.is_alive(), "the request finished without waiting for the lock"
            time.sleep(0.02)
    raise AssertionError("the request never waited for the row lock")


def hold_while_sent(engine, work, send) -> tuple[Holder, Request]:
    """``work`` runs in a transaction held open while the request ``send`` is sent; once the
    request waits for the row lock, the transaction commits. The request is left to finish."""
    holder = Holder(engine, work)
    holder.start()
    try:
        assert holder.done_work.wait(WAIT) and holder.error is None, repr(holder.error)
        request = Request(send)
        request.start()
        wait_until_blocked_on_a_lock(engine, request)
    finally:
        holder.release()
    return holder, request


def tablet_push(scenario, resident_id: str, base: int, **changes):
    """What vol_a's tablet pushes: one update of ``resident_id``."""
    device_id = scenario.devices["tablet_a"].id
    now = utcnow()
    op = {"op_id": str(uuid.uuid4()), "seq": 1, "entity": "resident", "action": "update",
          "entity_id": resident_id, "grid_id": scenario.residents["zhang"].grid_id,
          "base_version": base, "device_time": isoformat(now), "data": changes}

    def work(session: Session):
        return push_ops(session, session.get(Device, device_id), [op], 0.0, now)[0]
    return work


def test_a_push_that_commits_while_a_web_save_waits_is_not_overwritten(
        as_user, scenario, db_session, pg_engine):
    li = scenario.residents["li"]
    web = as_user("kunwu_sup")
    form = form_values(li, address="长庆路8号院1号楼1单元101")  # opened before the push
    push, save = hold_while_sent(
        pg_engine, tablet_push(scenario, li.id, li.version, phone="13612345678"),
        lambda: web.post(f"/residents/{li.id}", data=form))
    assert push.result.status == "applied"
    response = save.finish()
    # The record changed while the supervisor's form was open: refused, not overwritten.
    assert response.status_code == 409
    db_session.rollback(); db_session.expire_all()
    saved = db_session.get(Resident, li.id)
    assert (saved.phone, saved.address) == ("13612345678", li.address)
    assert_records_match_log(db_session, [li.id])


def test_a_web_save_that_commits_while_a_push_waits_is_seen_by_the_push(
        scenario, db_session, pg_engine):
    """The other way round: the push merges against the supervisor's committed value."""
    zhang = scenario.residents["zhang"]
    base = zhang.version
    supervisor_id = scenario.people["kunwu_sup"].id

    def web_edit(session: Session):
        edit_resident(session, session.get(Person, supervisor_id),
                      lock_resident(session, zhang.id), {"phone": "13711112222"})
    save, push = hold_while_sent(
        pg_engine, web_edit,
        lambda: in_transaction(pg_engine, tablet_push(scenario, zhang.id, base,
                                                      phone="13000000000")))
    result = push.finish()
    # The tablet had not seen the supervisor's value: it is kept as a conflict, not lost.
    assert result.status == "conflict"
    db_session.rollback(); db_session.expire_all()
    assert db_session.get(Resident, zhang.id).phone == "13711112222"
    assert_records_match_log(db_session, [zhang.id])


def in_transaction(engine, work):
    with Session(engine) as session, session.begin():
        return work(session)


def test_two_supervisors_settling_one_conflict_at_once(as_user, scenario, db_session,
                                                       pg_engine):
    conflict_id = scenario.conflict.id
    zhang = scenario.residents["zhang"]
    first_id = scenario.people["street_sup"].id
    web = as_user("kunwu_sup")
    web.get("/conflicts")  # the second supervisor has the queue open, the conflict still open

    def settle_first(session: Session):
        return settle_conflict(session, session.get(Person, first_id), conflict_id, TAKE_OTHER)
    first, second = hold_while_sent(
        pg_engine, settle_first,
        lambda: web.post(f"/conflicts/{conflict_id}/settle",
                         data={"choice": "kept", "back": "/conflicts"}))
    assert second.finish().status_code == 302
    html = web.get("/conflicts?status=settled").get_data(as_text=True)
    first_name = scenario.people["street_sup"].display_name
    assert f"{first_name} 已经核对过这一项，定为“13900000002”" in html
    db_session.rollback(); db_session.expire_all()
    conflict = db_session.get(Conflict, conflict_id)
    assert (conflict.status, conflict.settled_by_id, conflict.settled_value) == \
        ("settled", first_id, "13900000002")
    assert db_session.get(Resident, zhang.id).phone == "13900000002"
    assert db_session.query(AuditEntry).filter_by(action="settle_conflict").count() == 0
    assert_records_match_log(db_session, [zhang.id])


def test_keeping_the_current_value_keeps_a_push_that_committed_while_it_waited(
        as_user, scenario, db_session, pg_engine):
    """A volunteer who saw the number changes it while the supervisor's "keep the current
    value" waits for the lock: the settlement keeps her number, it does not revert it."""
    zhang, conflict_id = scenario.residents["zhang"], scenario.conflict.id
    web = as_user("kunwu_sup")
    push, settle = hold_while_sent(
        pg_engine, tablet_push(scenario, zhang.id, zhang.version, phone="13611112222"),
        lambda: web.post(f"/conflicts/{conflict_id}/settle",
                         data={"choice": "kept", "back": "/conflicts"}))
    assert push.result.status == "applied"
    assert settle.finish().status_code == 302
    db_session.rollback(); db_session.expire_all()
    conflict = db_session.get(Conflict, conflict_id)
    assert (conflict.status, conflict.settled_value) == ("settled", "13611112222")
    assert db_session.get(Resident, zhang.id).phone == "13611112222"
    assert_records_match_log(db_session, [zhang.id])
