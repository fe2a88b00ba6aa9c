"""The three lists on the tablet (client/requests.py): raised, claimed and moved offline, sent
with the usual sync; the server's settlement comes back, and a refused move stays visible with
who holds the request and since when."""
from __future__ import annotations

import pytest

from client.requests import MoveNotAllowed, RequestDesk
from shared import protocol as p
from shared import requests as r
from testkit.factories import make_person


@pytest.fixture
def reps(grid, db_session):
    make_person(db_session, "li", p.REPRESENTATIVE, [grid.grid], "李代表")
    make_person(db_session, "zhao", p.REPRESENTATIVE, [grid.grid], "赵代表")
    db_session.commit()
    return grid


def test_raise_offline_from_a_ticked_need_then_sync(reps, tablet_for):
    alice = tablet_for("alice")
    assert alice.sync().ok
    desk = RequestDesk(alice)
    resident = reps.residents[0]
    visit_id = alice.record_visit(resident.id, "met", needs=["medicine"])
    [offer] = desk.offers()  # the need ticked at the visit, offered as a request
    assert (offer["category"], offer["resident_id"], offer["visit_id"], offer["need"]) == \
        ("medicine", resident.id, visit_id, "medicine")
    request_id = desk.raise_request(offer["category"], "降压药快吃完了，需要代买",
                                    resident_id=resident.id, channel="visit",
                                    visit_id=visit_id)
    assert desk.offers() == []  # raised: no longer offered
    view = desk.request(request_id)  # shown at once, before any sync
    assert view.state.state == r.RAISED and view.unsent == 1
    assert view.resident_name == "张利霞"
    assert desk.open_counts_by_resident() == {resident.id: 1}
    assert view.legal == [r.NOTE]  # a volunteer may not claim
    with pytest.raises(MoveNotAllowed) as refused:
        desk.claim(request_id)
    assert refused.value.refusal.code == r.ROLE_NOT_ALLOWED
    assert alice.sync().ok
    view = desk.request(request_id)
    assert view.unsent == 0 and view.state.state == r.RAISED
    assert [e["action"] for e in view.timeline] == [r.RAISE]
    assert alice.store.local_digests() == alice.store.server_digests()


def test_two_offline_claims_the_loser_sees_who_and_since_when(reps, tablet_for):
    alice, li, zhao = tablet_for("alice"), tablet_for("li"), tablet_for("zhao")
    request_id = RequestDesk(alice).raise_request("repairs", "楼道灯坏了",
                                                  grid_id=reps.grid.id)
    assert alice.sync().ok and li.sync().ok and zhao.sync().ok
    li_desk, zhao_desk = RequestDesk(li), RequestDesk(zhao)
    assert li_desk.request(request_id).legal == [r.CLAIM, r.NOTE]
    # Both claim while out of signal; both see it as theirs for now.
    li_desk.claim(request_id, plan="明天带电工去")
    zhao_desk.claim(request_id)
    zhao_desk.note(request_id, "灯罩也碎了")
    assert zhao_desk.request(request_id).state.owner_name == "赵代表"
    assert [v.id for v in zhao_desk.requests("mine")] == [request_id]
    assert li.sync().ok and zhao.sync().ok
    view = zhao_desk.request(request_id)
    assert view.state.owner_name == "李代表" and view.state.state == r.CLAIMED
    assert view.unsent == 0
    assert [e["action"] for e in view.timeline] == [r.RAISE, r.CLAIM, r.NOTE]
    [refused] = zhao_desk.refused_moves()
    assert refused["code"] == r.ALREADY_CLAIMED and refused["action"] == r.CLAIM
    assert refused["params"]["owner_name"] == "李代表" and refused["params"]["since"]
    assert zhao_desk.requests("mine") == []
    assert zhao.dismiss_rejected(refused["op_id"])
    assert zhao_desk.refused_moves() == []
    for tablet in (alice, li, zhao):
        assert tablet.sync().ok
        assert tablet.store.local_digests() == tablet.store.server_digests()


def test_the_loop_on_tablets_ends_with_the_residents_verdict(reps, tablet_for):
    alice, li = tablet_for("alice"), tablet_for("li")
    resident = reps.residents[1]
    assert alice.sync().ok
    request_id = RequestDesk(alice).raise_request("cleaning", "家里需要打扫",
                                                  resident_id=resident.id)
    assert alice.sync().ok and li.sync().ok
    desk = RequestDesk(li)
    desk.claim(request_id)
    desk.progress(request_id, "已联系保洁员")
    desk.finish(request_id)
    assert desk.request(request_id).state.state == r.DONE
    assert li.sync().ok and alice.sync().ok
    alice_desk = RequestDesk(alice)
    assert alice_desk.request(request_id).legal == [r.NOTE, r.VERDICT]
    alice_desk.verdict(request_id, r.NOT_SATISFIED, "没扫干净")
    assert alice_desk.request(request_id).state.state == r.REOPENED
    assert alice.sync().ok and li.sync().ok
    assert desk.request(request_id).state.state == r.REOPENED
    desk.finish(request_id, "重新打扫了")
    assert li.sync().ok and alice.sync().ok
    alice_desk.verdict(request_id, r.SATISFIED)
    assert alice.sync().ok
    view = alice_desk.request(request_id)
    assert view.state.state == r.CLOSED and view.state.verdict == r.SATISFIED
    assert alice_desk.requests("open") == [] and alice_desk.open_counts_by_resident() == {}
    assert [e["action"] for e in view.timeline] == [
        r.RAISE, r.CLAIM, r.PROGRESS, r.FINISH, r.VERDICT, r.FINISH, r.VERDICT]
