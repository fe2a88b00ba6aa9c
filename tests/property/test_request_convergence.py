"""Property: the three lists converge through bad weather, one owner at a time, nothing lost.

3-5 tablets (representatives and volunteers) raise requests, claim them, add progress and
notes, finish them and record verdicts, all offline, while the web view hands requests to a
department and the department answers; pushes and pulls interleave at random through the
faulty transport of the convergence tests (drops, duplicates, late replays, crashes).
Afterwards every tablet equals the server, every request's stored state is the rule's replay
of its timeline, no request ever had two claims, every note made is on its request's
timeline, and every refused move has a reason.
"""
from __future__ import annotations

import random
import uuid
from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from client.requests import state_from_copy
from server.demo import wipe
from server.models import AppliedOp, ChangeLogEntry, Person
from server.sync.batch import ChangeBatch
from server.threelists import service
from server.threelists.models import (
    Department,
    DepartmentStaff,
    RequestEvent,
    ServiceRequest,
)
from shared import protocol as p
from shared import requests as r
from shared.clock import utcnow
from shared.digest import combine
from shared.requests import Actor, Move
from testkit.factories import make_district, make_person
from testkit.fleet import Tablet, fleet, made_ops, settle

ROLES = (p.REPRESENTATIVE, p.VOLUNTEER, p.REPRESENTATIVE, p.GRID_WORKER, p.REPRESENTATIVE)


class RequestTablet(Tablet):
    def __init__(self, app, username: str, role: str, person_id: int, name: str,
                 rng: random.Random) -> None:
        super().__init__(app, username, rng)
        self.actor = Actor(person_id, role, name)

    def held_requests(self) -> list[dict]:
        return [rec["data"] for (entity, _id), rec in sorted(self.store._state["records"].items())
                if entity == p.REQUEST]

    def move(self, kind: str, grid_id: int, choice: int) -> None:
        if kind == "raise":
            if choice % 3 == 0:
                self._request_op(grid_id, str(uuid.UUID(int=self.rng.getrandbits(128),
                                                         version=4)), r.RAISE,
                                 category="repairs", description=f"需求 {choice}")
            return
        held = self.held_requests()
        if not held:
            return
        waiting = [c for c in held if c["state"] == r.RAISED]
        # Representatives go for the request waiting longest, so their claims meet.
        copy = waiting[0] if kind == r.CLAIM and waiting else held[choice % min(len(held), 2)]
        data = {r.PROGRESS: {"text": f"进展 {choice}"}, r.NOTE: {"text": f"备注 {choice}"},
                r.VERDICT: {"verdict": r.VERDICTS[choice % 3]}}.get(kind, {})
        # The tablet offers what the rule allows on the copy it holds (its own unsent moves
        # aside): what changed meanwhile elsewhere is for the server to settle.
        if r.check(state_from_copy(copy), self.actor, Move(kind, data)) is None:
            self._request_op(grid_id, copy["id"], kind, **data)

    def _request_op(self, grid_id: int, request_id: str, action: str, **data) -> None:
        self._add(self._op(p.REQUEST_EVENT, p.CREATE, self.new_id(), grid_id,
                           {"request_id": request_id, "action": action, **data}), None)


def web_move(engine, kind: str, choice: int, department_id: int, staff: Actor,
             supervisor: Actor) -> None:
    """The web view's part: a supervisor hands a request over; the department answers."""
    with Session(engine) as session:
        ids = session.scalars(select(ServiceRequest.id).order_by(ServiceRequest.id)).all()
        if not ids:
            return
        item = service.lock(session, ids[choice % len(ids)])
        if kind == "hand_over":
            actor, move = supervisor, Move(r.HAND_OVER, {
                "department_id": department_id, "working_days": 2,
                "due_on": utcnow().date()})
        else:
            actor = staff
            move = Move({"accept": r.ACCEPT, "dept_done": r.DEPT_DONE,
                         "cannot": r.CANNOT}[kind], {"reason": "不归本部门"})
        if r.check(service.state_of(item), actor, move) is not None:
            return
        now = utcnow()
        service.make_move(session, item, str(uuid.uuid4()), actor, move,
                          service.Made(now, now, service.VIA_WEB))
        batch = ChangeBatch(session)
        service.relog(session, batch, [item])
        service.stamp_versions([item], batch.flush())
        session.commit()


KINDS = ["raise", "raise", r.CLAIM, r.CLAIM, r.CLAIM, r.PROGRESS, r.NOTE, r.FINISH, r.FINISH,
         r.VERDICT, r.VERDICT, "push", "pull", "sync", "sync", "sync", "hand_over", "accept",
         "dept_done", "cannot"]
STEPS = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(KINDS), st.integers(0, 99)),
                 min_size=15, max_size=60)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(devices=st.integers(3, 5), steps=STEPS, seed=st.integers(0, 10**6))
def test_requests_converge_one_owner_no_note_lost(app, engine, devices, steps, seed):
    wipe(engine)
    with Session(engine) as session:
        grid = make_district(session, grids=1).grids[0]
        people = [make_person(session, f"t{i}", ROLES[i], [grid], f"人{i}")
                  for i in range(devices)]
        supervisor = make_person(session, "sup", p.SUPERVISOR, [grid], "主任")
        department = Department(code="housing", name="住建局", active=True)
        session.add(department)
        session.flush()
        clerk = make_person(session, "clerk", r.DEPARTMENT, (), "科员")
        session.add(DepartmentStaff(person_id=clerk.id, department_id=department.id))
        grid_id, department_id = grid.id, department.id
        staff = Actor(clerk.id, r.DEPARTMENT, "科员", department.id)
        boss = Actor(supervisor.id, p.SUPERVISOR, "主任")
        who = [(person.username, person.role, person.id, person.display_name)
               for person in people]
        session.commit()
    tablets = fleet(lambda i, rng: RequestTablet(app, *who[i], rng), devices, seed)
    for device, kind, choice in steps:
        if kind in ("hand_over", "accept", "dept_done", "cannot"):
            web_move(engine, kind, choice, department_id, staff, boss)
        elif kind in ("push", "pull", "sync"):
            tablets[device % devices].act(kind, ["none"], grid_id, choice)
        else:
            tablets[device % devices].move(kind, grid_id, choice)

    settle(tablets)

    with Session(engine) as session:
        made = made_ops(tablets)
        applied = {row.op_id: row for row in session.scalars(select(AppliedOp))}
        assert len(applied) == len(made)  # every move reached the server exactly once
        # Every refused move has a reason a person can be told.
        for row in applied.values():
            if row.status == p.REJECTED:
                assert row.reason_code in r.REFUSAL_CODES and row.reason
        # Every replica holds exactly the server's copy, requests included.
        digest = combine(session.scalars(select(ChangeLogEntry.row_hash).where(
            ChangeLogEntry.grid_id == grid_id)))
        for tablet in tablets:
            assert tablet.store.local_digests() == {grid_id: digest}
        roles = dict(session.execute(select(Person.id, Person.role)).all())
        for item in session.scalars(select(ServiceRequest)):
            events = session.scalars(select(RequestEvent).where(
                RequestEvent.request_id == item.id).order_by(RequestEvent.ordinal)).all()
            # One owner at a time: a request is claimed at most once, by its owner.
            claims = [e for e in events if e.action == r.CLAIM]
            assert len(claims) <= 1
            if claims:
                assert item.owner_id == claims[0].person_id
            # The stored state is the rule's replay of the timeline: nothing illegal got in.
            history = [(Actor(e.person_id or 0, roles.get(e.person_id, p.SUPERVISOR),
                              e.person_name or "", department_id), Move(e.action, e.data),
                        e.at) for e in events]
            state, refusals = r.replay(history)
            assert refusals == [None] * len(events)
            assert (state.state, state.owner_id) == (item.state, item.owner_id)
        # No note lost: every note and progress made is on its request's timeline.
        on_timelines = set(session.scalars(select(RequestEvent.id)))
        for op in made:
            if op["data"]["action"] in (r.NOTE,):
                assert applied[op["op_id"]].status == p.APPLIED
            if applied[op["op_id"]].status == p.APPLIED:
                assert op["entity_id"] in on_timelines
        counts = Counter(row.status for row in applied.values())
        for row in applied.values():  # what the examples exercised (--hypothesis-show-statistics)
            event(f"{row.status} {row.reason_code or ''}".strip())
        assert counts[p.APPLIED] + counts[p.REJECTED] == len(made)
        assert session.scalar(select(func.count()).select_from(RequestEvent)) >= \
            counts[p.APPLIED]
