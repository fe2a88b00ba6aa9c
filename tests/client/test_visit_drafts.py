"""Never lose what was typed (issue 11, the screens 6): a half-filled visit form is kept in the
tablet's local store as a draft, comes back as it was, and goes when saved, discarded, or when
its grid leaves the tablet."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from client.ui import presenters as pr
from server.models import Assignment
from shared import protocol as p


def half_filled() -> pr.VisitForm:
    form = pr.VisitForm(safety_devices=["smoke_detector", "gas_alarm"])
    form.choose_outcome(p.MET)
    form.readings.update(systolic="185", diastolic="100", pulse="")
    form.choose_mood("low")
    form.toggle("needs", "medicine")
    form.check_device("gas_alarm", "faulty")
    form.note = "头晕，女儿晚上来"
    form.follow_up = "tomorrow"
    # issue 12's parts: an exception on the checklist (one still unwritten), advice given
    form.checks.mark("family", True)
    form.checks.write_concern("family", "儿子一个月没来")
    form.checks.mark("home_safety", True)
    form.checks.toggle_advice("anti_fraud")
    return form


def test_a_draft_brings_back_every_part_of_the_form():
    form = half_filled()
    back = pr.VisitForm.from_draft(form.to_draft(), ["smoke_detector", "gas_alarm"])
    assert back == pr.VisitForm(
        safety_devices=["smoke_detector", "gas_alarm"], outcome=p.MET,
        readings={"systolic": "185", "diastolic": "100"}, mood="low", needs={"medicine"},
        services=set(), safety_checks={"gas_alarm": "faulty"}, note="头晕，女儿晚上来",
        follow_up="tomorrow", checks=pr.VisitChecks(
            concerns={"family": "儿子一个月没来", "home_safety": ""}, advice={"anti_fraud"}))
    assert back.to_call(date(2026, 12, 1)) == form.to_call(date(2026, 12, 1))


def test_an_empty_form_is_blank_and_a_tap_is_not():
    form = pr.VisitForm(safety_devices=["gas_alarm"])
    assert form.is_blank()
    form.readings["pulse"] = "  "
    assert form.is_blank()  # spaces only: nothing typed
    form.choose_mood("ok")
    assert not form.is_blank()


def test_a_draft_the_app_no_longer_understands_loses_only_the_unknown_parts():
    draft = {"outcome": "abducted", "mood": "good", "needs": ["medicine", "jetpack"],
             "readings": {"systolic": 120, "glucose": "5", "pulse": "70"},
             "safety_checks": {"gas_alarm": "ok", "robot": "ok", "smoke_detector": "on fire"},
             "follow_up": "next year", "note": None}
    form = pr.VisitForm.from_draft(draft, ["gas_alarm", "smoke_detector"])
    assert form.outcome is None and form.mood == "good" and form.needs == {"medicine"}
    assert form.readings == {"pulse": "70"} and form.safety_checks == {"gas_alarm": "ok"}
    assert form.follow_up == "none" and form.note == ""


def test_the_store_keeps_replaces_and_discards_a_draft(grid, tablet_for):
    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang = grid.residents[0].id
    assert alice.draft(zhang) is None
    alice.save_draft(zhang, half_filled().to_draft())
    alice.save_draft(zhang, {**half_filled().to_draft(), "note": "改过"})
    assert alice.draft(zhang)["note"] == "改过"
    alice.discard_draft(zhang)
    assert alice.draft(zhang) is None


def test_a_draft_survives_closing_the_store(grid, tablet_for, app, tmp_path):
    from client.service import FieldService
    from client.transport import FlaskTransport

    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang = grid.residents[0].id
    alice.save_draft(zhang, half_filled().to_draft())
    alice.close()
    reopened = FieldService(tmp_path / "alice", transport_factory=lambda _url:
                            FlaskTransport(app))
    try:
        assert reopened.draft(zhang) == half_filled().to_draft()
    finally:
        reopened.close()


def test_a_draft_leaves_with_its_grid(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    assert alice.sync().ok
    zhang = grid.residents[0].id
    alice.save_draft(zhang, half_filled().to_draft())
    for assignment in db_session.scalars(select(Assignment)):
        assignment.ends_on = date.today() - timedelta(days=60)
    db_session.commit()
    assert alice.sync().ok
    assert alice.resident(zhang) is None and alice.draft(zhang) is None
