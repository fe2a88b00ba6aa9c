"""One request through every state, end to end (docs/requests.md, "One request, every state"):
raised on a volunteer's tablet with no signal, claimed and worked on by the grid's
representative on his tablet, handed over to a department by the supervisor in the web view,
accepted and done by the department in its inbox, judged not satisfied at the door (reopened),
done again, judged satisfied (closed). Every tablet ends equal to the server, and the timeline
is the same on the tablets and the web page."""
from __future__ import annotations

from datetime import datetime, timezone

import time_machine
from sqlalchemy import select

from client.requests import RequestDesk
from server.models import Area
from server.threelists.models import Department, DepartmentStaff, ServiceRequest
from shared import protocol as p
from shared import requests as r
from testkit.factories import PASSWORD, make_person
from testkit.web_helpers import WebClient, csrf_token, sign_in

# Monday 23 November 2026, 09:00 in the district.
MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


class InboxClient(WebClient):
    def __init__(self, client, username: str, password: str) -> None:
        self.client = client
        assert sign_in(client, username, password).headers["Location"] == "/inbox"
        self.token = csrf_token(client, "/inbox")


def stored(db_session, request_id) -> ServiceRequest:
    db_session.rollback()
    db_session.expire_all()
    return db_session.get(ServiceRequest, request_id)


@time_machine.travel(MONDAY)
def test_one_request_every_state(app, grid, db_session, tablet_for):
    community = db_session.get(Area, grid.grid.parent_id)
    make_person(db_session, "li", p.REPRESENTATIVE, [grid.grid], "李代表")
    make_person(db_session, "sup", p.SUPERVISOR, [community], "社区张书记")
    housing = Department(code="housing", name="区住建局", active=True)
    db_session.add(housing)
    db_session.flush()
    clerk = make_person(db_session, "fang", r.DEPARTMENT, display_name="房管所王科长")
    db_session.add(DepartmentStaff(person_id=clerk.id, department_id=housing.id))
    db_session.commit()
    alice, li = tablet_for("alice"), tablet_for("li")
    assert alice.sync().ok and li.sync().ok
    resident = grid.residents[0]
    states = []

    def now_is(state):
        assert stored(db_session, request_id).state == state
        states.append(state)

    # 1. Raised at the door, no signal: the tablet keeps it and shows it at once.
    alice_desk = RequestDesk(alice)
    visit_id = alice.record_visit(resident.id, "met", needs=["repairs"])
    request_id = alice_desk.raise_request("repairs", "卫生间漏水，楼下邻居反映",
                                          resident_id=resident.id, visit_id=visit_id)
    assert alice_desk.request(request_id).unsent == 1
    assert db_session.get(ServiceRequest, request_id) is None  # not sent yet
    assert alice.sync().ok
    now_is(r.RAISED)
    # 2. Claimed by the representative, with a plan; then progress.
    assert li.sync().ok
    li_desk = RequestDesk(li)
    li_desk.claim(request_id, plan="先上门看漏点")
    assert li.sync().ok
    now_is(r.CLAIMED)
    li_desk.progress(request_id, "漏点在楼上管道，需要房管所处理")
    assert li.sync().ok
    now_is(r.IN_PROGRESS)
    # 3. Handed over by the supervisor in the web view, 3 working days.
    sup = WebClient(app.test_client(), "sup", PASSWORD)
    assert sup.post(f"/requests/{request_id}/move", data={
        "action": r.HAND_OVER, "department_id": housing.id, "working_days": 3,
        "text": "请房管所派人维修"}).status_code == 302
    now_is(r.HANDED_OVER)
    # 4. The department accepts, reports progress and answers done, in its inbox.
    fang = InboxClient(app.test_client(), "fang", PASSWORD)
    assert "卫生间漏水" in fang.get("/inbox").get_data(as_text=True)
    for action, text, state in ((r.ACCEPT, "", r.ACCEPTED),
                                (r.DEPT_PROGRESS, "已派维修工", r.DEPT_IN_PROGRESS),
                                (r.DEPT_DONE, "管道已更换", r.DONE)):
        assert fang.post(f"/inbox/{request_id}/move",
                         data={"action": action, "text": text}).status_code == 302
        now_is(state)
    # 5. The volunteer's next visit: not satisfied, so it is reopened, back with its owner.
    assert alice.sync().ok
    assert alice_desk.request(request_id).legal == [r.NOTE, r.VERDICT]
    alice_desk.verdict(request_id, r.NOT_SATISFIED, "还在渗水")
    assert alice.sync().ok
    now_is(r.REOPENED)
    assert stored(db_session, request_id).owner_name == "李代表"
    # 6. The representative sees to it and marks it done again.
    assert li.sync().ok
    assert li_desk.request(request_id).state.state == r.REOPENED
    li_desk.finish(request_id, "又请维修工补了防水")
    assert li.sync().ok
    now_is(r.DONE)
    # 7. Satisfied: only now is it closed.
    assert alice.sync().ok
    alice_desk.verdict(request_id, r.SATISFIED, "不漏了")
    assert alice.sync().ok and li.sync().ok
    now_is(r.CLOSED)

    assert states == [r.RAISED, r.CLAIMED, r.IN_PROGRESS, r.HANDED_OVER, r.ACCEPTED,
                      r.DEPT_IN_PROGRESS, r.DONE, r.REOPENED, r.DONE, r.CLOSED]
    final = stored(db_session, request_id)
    assert final.verdict == r.SATISFIED and final.closed_at is not None
    assert final.first_done_at is not None and final.response_seconds is not None
    from server.threelists.board import timeline
    server_timeline = [(e.action, e.via, e.person_name) for e in timeline(db_session,
                                                                          request_id)]
    assert server_timeline == [
        (r.RAISE, "tablet", "王芳"), (r.CLAIM, "tablet", "李代表"),
        (r.PROGRESS, "tablet", "李代表"), (r.HAND_OVER, "web", "社区张书记"),
        (r.ACCEPT, "web", "房管所王科长"), (r.DEPT_PROGRESS, "web", "房管所王科长"),
        (r.DEPT_DONE, "web", "房管所王科长"), (r.VERDICT, "tablet", "王芳"),
        (r.FINISH, "tablet", "李代表"), (r.VERDICT, "tablet", "王芳")]
    for tablet in (alice, li):
        view = RequestDesk(tablet).request(request_id)
        assert [(e["action"], e["via"], e["person_name"]) for e in view.timeline] == \
            server_timeline
        assert view.state.state == r.CLOSED and view.unsent == 0
        assert tablet.store.local_digests() == tablet.store.server_digests()
    page = sup.get(f"/requests/{request_id}").get_data(as_text=True)
    for words in ("卫生间漏水", "还在渗水", "管道已更换", "不漏了", "已办结"):
        assert words in page, words
    assert db_session.scalar(select(ServiceRequest.events_count)
                             .where(ServiceRequest.id == request_id)) == 10
