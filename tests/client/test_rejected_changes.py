"""A volunteer acts on a change the server refused: sends it again (a new op, new id and
sequence number) or dismisses it; either way the tablet keeps a trace of what was refused."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from server.models import Assignment, Resident, Visit


def end_assignments(db_session, days_ago: int | None) -> None:
    for assignment in db_session.scalars(select(Assignment)):
        assignment.ends_on = None if days_ago is None else date.today() - timedelta(days=days_ago)
    db_session.commit()


def test_a_refused_visit_sent_again_is_delivered_once(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang = grid.residents[0]
    end_assignments(db_session, 60)
    visit_id = alice.record_visit(zhang.id, "met", note="血压正常")
    assert alice.sync().rejected == 1
    [refused] = alice.rejected_ops()
    [refused_row] = alice.store.outbox("rejected")
    end_assignments(db_session, None)  # the supervisor puts her back on the grid

    new_op_id = alice.resubmit_rejected(refused["op_id"])
    assert new_op_id and new_op_id != refused["op_id"]
    assert alice.rejected_ops() == [] and alice.unsent_count() == 1
    [pending] = alice.store.outbox("pending")
    assert pending["op"]["op_id"] == new_op_id and pending["seq"] > refused_row["seq"]
    report = alice.sync()
    assert report.ok and report.applied == 1 and report.rejected == 0
    assert db_session.scalar(select(func.count()).select_from(Visit)) == 1
    assert db_session.get(Visit, visit_id).details["note"] == "血压正常"
    assert alice.unsent_count() == 0 and alice.store.outbox() == []
    [trace] = alice.settled_rejections()
    assert trace["op_id"] == refused["op_id"] and trace["outcome"] == "resubmitted"
    assert trace["resubmitted_as"] == new_op_id and trace["reason_code"] == "out_of_scope"


def test_a_refused_edit_sent_again_and_refused_again_can_then_be_dismissed(grid, tablet_for,
                                                                          db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang = grid.residents[0]
    alice.edit_resident(zhang.id, {"phone": "13800000007"})
    end_assignments(db_session, 60)
    assert alice.sync().rejected == 1
    [refused] = alice.rejected_ops()
    assert alice.resubmit_rejected(refused["op_id"])
    assert alice.sync().rejected == 1  # still not hers to change: refused again
    [again] = alice.rejected_ops()
    assert again["op_id"] != refused["op_id"] and again["data"] == {"phone": "13800000007"}
    assert alice.dismiss_rejected(again["op_id"]) is True
    assert alice.rejected_ops() == [] and alice.store.outbox() == []
    assert [t["outcome"] for t in alice.settled_rejections()] == ["resubmitted", "dismissed"]
    assert alice.dismiss_rejected(again["op_id"]) is False  # nothing left to dismiss
    assert alice.resubmit_rejected("no-such-op") is None
    assert db_session.get(Resident, zhang.id).phone != "13800000007"


def test_a_dismissed_visit_leaves_the_resident_page(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang = grid.residents[0]
    end_assignments(db_session, 60)
    alice.record_visit(zhang.id, "no_answer")
    alice.sync()
    [refused] = alice.rejected_ops()
    alice.dismiss_rejected(refused["op_id"])
    [trace] = alice.settled_rejections()
    assert trace["entity"] == "visit" and trace["outcome"] == "dismissed"
