"""A resident moves to another grid while a tablet of the old grid is offline with work for
them: the work is delivered, once, into the new grid; the tablet drops the resident without
downloading its grid again; the new grid's tablet receives the resident with everything."""
from __future__ import annotations

from sqlalchemy import func, select

from client.sync import SyncReport
from server.models import CaseNote, Conflict, Visit
from server.sync.edits import lock_resident
from server.sync.moves import move_resident
from shared import protocol as p
from testkit.factories import make_person


def move(db_session, resident_id: str, grid) -> None:
    move_resident(db_session, None, lock_resident(db_session, resident_id), grid.id, via="web")
    db_session.commit()


def test_an_offline_visit_reaches_the_new_grid_and_the_old_tablet_lets_the_resident_go(
        grid, tablet_for, db_session):
    make_person(db_session, "carol", p.VOLUNTEER, [grid.other_grid], "陈玉珍")
    db_session.commit()
    alice, carol = tablet_for("alice"), tablet_for("carol")
    assert alice.sync().ok and carol.sync().ok
    zhang = grid.residents[0]
    alice.record_visit(zhang.id, "met", readings={"systolic": 182, "diastolic": 112})
    alice.add_note(zhang.id, "说头晕，已提醒按时吃药")
    assert alice.sync().ok  # these two reach the server before the move
    visit_id = alice.record_visit(zhang.id, "no_answer")  # offline: the move is not known yet
    move(db_session, zhang.id, grid.other_grid)

    report = alice.sync()
    assert report.ok and report.rejected == 0 and report.applied == 1
    assert report.digest_mismatches == []  # nothing was fetched again
    assert report.pulled == 1  # the departure, and nothing else
    assert alice.resident(zhang.id) is None
    assert zhang.id not in {r.id for r in alice.today_list()}
    assert alice.unsent_count() == 0 and alice.store.outbox() == []
    assert alice.rejected_ops() == []
    assert alice.store.local_digests() == alice.store.server_digests()
    assert db_session.scalar(select(func.count()).select_from(Visit).where(
        Visit.id == visit_id)) == 1
    assert db_session.get(Visit, visit_id).grid_id == grid.other_grid.id

    assert carol.sync().ok
    detail = carol.resident(zhang.id)
    assert detail is not None and detail.summary.grid_id == grid.other_grid.id
    assert len(detail.visits) == 2 and len(detail.notes) == 1
    assert carol.store.local_digests() == carol.store.server_digests()


def test_an_edit_made_before_the_move_is_kept_for_review_not_lost(grid, tablet_for,
                                                                   db_session):
    bob = tablet_for("bob")
    assert bob.sync().ok
    zhang = grid.residents[0]
    bob.edit_resident(zhang.id, {"phone": "13800000009"})
    move(db_session, zhang.id, grid.other_grid)
    report = bob.sync()
    assert report.ok and report.rejected == 0 and report.conflicts == 1
    assert bob.store.outbox() == [] and bob.resident(zhang.id) is None
    [conflict] = db_session.scalars(select(Conflict)).all()
    assert conflict.grid_id == grid.other_grid.id and conflict.lost_value == "13800000009"
    assert bob.store.local_digests() == bob.store.server_digests()


def test_a_departure_spares_the_records_of_other_residents_and_unsent_work(grid, tablet_for,
                                                                          db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang, wang = grid.residents[0], grid.residents[1]
    alice.record_visit(wang.id, "met")
    move(db_session, zhang.id, grid.other_grid)
    # pull first (the departure), then push: the visit to 王秀英 must survive the departure
    alice.engine.pull_all(SyncReport(started_at=""))
    assert alice.unsent_count() == 1 and len(alice.resident(wang.id).visits) == 1
    assert alice.sync().ok and alice.unsent_count() == 0
    assert len(alice.resident(wang.id).visits) == 1
    assert db_session.scalar(select(func.count()).select_from(CaseNote)) == 0
