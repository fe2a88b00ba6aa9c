"""A resident's derived facts (last visit, last met, open follow-up) never depend on how the
pull was cut into pages."""
from client.service import FieldService
from client.transport import FlaskTransport
from testkit.factories import PASSWORD


def fresh_tablet(app, tmp_path, username: str, page_size: int) -> FieldService:
    service = FieldService(tmp_path / f"{username}-{page_size}",
                           transport_factory=lambda _url: FlaskTransport(app),
                           sleep=lambda _seconds: None, page_size=page_size)
    service.sign_in("http://in-process", username, PASSWORD, f"{username} 的平板")
    return service


def facts(service: FieldService) -> dict:
    return {r.name: (r.last_visit_at, r.follow_up_since, r.due.status)
            for r in service.today_list()}


def test_a_follow_up_survives_a_pull_cut_into_small_pages(app, grid, tablet_for):
    bob = tablet_for("bob")
    assert bob.sync().ok
    lone = bob.today_list("zlx")[0]
    bob.record_visit(lone.id, "no_answer")
    assert bob.sync().ok
    # An edit after the visit moves the resident to a later log position than its visit.
    bob.edit_resident(lone.id, {"phone": "13800000009"})
    assert bob.sync().ok

    whole = fresh_tablet(app, tmp_path=bob.data_dir.parent, username="alice", page_size=2000)
    paged = fresh_tablet(app, tmp_path=bob.data_dir.parent, username="alice", page_size=1)
    assert whole.sync().ok and paged.sync().ok
    assert whole.resident(lone.id).summary.follow_up_since is not None
    assert facts(paged) == facts(whole)
    whole.close()
    paged.close()


def test_care_categories_changed_on_the_server_recompute_the_follow_up(app, grid,
                                                                           tablet_for):
    alice, bob = tablet_for("alice"), tablet_for("bob")
    assert alice.sync().ok and bob.sync().ok
    together = alice.today_list("wxy")[0]  # empty nest: a "no answer" opens no follow-up
    alice.record_visit(together.id, "no_answer")
    assert alice.sync().ok
    assert alice.resident(together.id).summary.follow_up_since is None
    bob.edit_resident(together.id, {"care_categories": ["alone"]})
    assert bob.sync().ok and alice.sync().ok
    assert alice.resident(together.id).summary.follow_up_since is not None


def test_a_tablet_showing_other_facts_than_the_server_is_noticed_and_repaired(grid, tablet_for):
    alice = tablet_for("alice")
    assert alice.sync().ok
    lone = alice.today_list("zlx")[0]
    alice.record_visit(lone.id, "no_answer")
    assert alice.sync().ok and alice.engine.mismatched_grids() == []
    with alice.store.transaction() as db:  # the Today list now hides the open follow-up
        db.execute("UPDATE residents SET follow_up_since = NULL WHERE id = ?", (lone.id,))
    assert alice.engine.mismatched_grids() == [grid.grid.id]
    report = alice.sync()
    assert report.ok and report.digest_mismatches == [grid.grid.id]
    assert alice.resident(lone.id).summary.follow_up_since is not None


def test_a_server_keeping_other_facts_than_its_visits_say_is_noticed(grid, tablet_for,
                                                                      db_session):
    from server.models import Resident
    alice = tablet_for("alice")
    assert alice.sync().ok
    lone = alice.today_list("zlx")[0]
    alice.record_visit(lone.id, "no_answer")
    assert alice.sync().ok
    resident = db_session.get(Resident, lone.id)
    resident.follow_up_since = None
    db_session.commit()
    report = alice.sync()
    assert not report.ok and report.error_code == "digest_mismatch"
