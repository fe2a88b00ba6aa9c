"""The programme's model on the tablet: the visit's method, quick checklist and advice, the
warning a dangerous reading gives at once, 关爱类别 with 高龄 computed, and the district's rules
arriving with every pull."""
from __future__ import annotations

from datetime import date

import pytest

from client.ui import i18n
from client.ui import presenters as pr
from client.ui.visit_checks import checklist_rows
from shared import protocol as p
from shared.district_rules import rules_from_dict

TODAY = date(2026, 11, 25)


pytestmark = pytest.mark.usefixtures("chinese")  # tests/client/conftest.py


def test_a_routine_met_all_well_visit_needs_only_the_outcome():
    """Open the resident, 记录走访, 见到本人, 保存: the checklist says "no problem" untouched."""
    form = pr.VisitForm()
    form.choose_outcome(p.MET)  # the one tap on the form itself
    assert form.errors() == {}
    call = form.to_call(TODAY)
    assert call["method"] == p.DOOR and call["checklist"] == {} and call["advice"] == []
    assert [row["state"] for row in checklist_rows(form.checks)] == ["无问题"] * 5
    assert [row["label"] for row in checklist_rows(form.checks)] == [
        "身体状况", "生活与待遇", "家人照应", "居家安全（水电气暖）", "服务需求"]


def test_only_exceptions_carry_input():
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.checks.note_concern("home_safety", " 插座发烫 ")
    form.checks.note_concern("family", "")
    form.checks.toggle_advice("anti_fraud")
    call = form.to_call(TODAY)
    assert call["checklist"] == {"home_safety": "插座发烫"} and call["advice"] == ["anti_fraud"]
    assert [row["state"] for row in checklist_rows(form.checks)][3] == "有情况"
    form.checks.note_concern("home_safety", "  ")  # cleared: back to "no problem"
    assert form.to_call(TODAY)["checklist"] == {}


def test_a_phone_call_takes_no_readings_and_checks_no_devices():
    form = pr.VisitForm(safety_devices=["fall_alarm"])
    form.choose_outcome(p.MET)
    form.checks.choose_method("phone")
    form.readings = {"systolic": "135", "diastolic": "85"}
    form.check_device("fall_alarm", "ok")
    call = form.to_call(TODAY)
    assert call["method"] == "phone" and call["readings"] is None
    assert call["safety_checks"] is None


def test_an_emergency_needs_what_was_done():
    form = pr.VisitForm()
    form.choose_outcome(p.EMERGENCY)
    assert "emergency_action" in form.errors()
    form.checks.emergency_action = "已拨打120，通知了女儿"
    assert form.errors() == {}
    assert form.to_call(TODAY)["emergency_action"] == "已拨打120，通知了女儿"


def test_185_over_110_warns_at_once_and_proposes_a_visit_tomorrow():
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.readings = {"systolic": "185", "diastolic": "110", "pulse": "80"}
    warnings = form.warnings()
    assert warnings[0] == "收缩压 185 mmHg，偏高（警戒值 180）。"
    assert warnings[1] == "舒张压 110 mmHg，偏高（警戒值 110）。"
    assert "120" in warnings[-1] and "休息" in warnings[-1]
    assert form.follow_up == "none"  # proposed: one tap takes it
    form.propose_follow_up()
    assert form.follow_up == "tomorrow"
    assert form.follow_up_date(TODAY) == date(2026, 11, 26)
    form.readings = {"systolic": "135", "diastolic": "85"}
    assert form.warnings() == []


def test_no_warning_over_the_phone_nor_before_the_door_opens():
    form = pr.VisitForm()
    form.readings = {"systolic": "185", "diastolic": "110"}
    assert form.warnings() == []  # no outcome yet
    form.choose_outcome(p.MET)
    assert len(form.warnings()) == 3
    form.checks.choose_method(p.VisitMethod.PHONE.value)
    assert form.warnings() == []  # nothing is measured over the phone


def test_a_concern_marked_but_not_written_is_asked_for():
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.checks.mark("family", True)
    assert [row["state"] for row in checklist_rows(form.checks)][2] == "有情况"
    assert form.errors() == {"checklist": "请写明家人照应有什么情况，或点“无问题”。"}
    form.checks.write_concern("family", "儿子半年没来")
    assert form.errors() == {}
    assert form.to_call(TODAY)["checklist"] == {"family": "儿子半年没来"}
    form.checks.mark("family", False)  # 无问题 again: what was written goes
    assert form.to_call(TODAY)["checklist"] == {} and form.checks.concerns == {}


def test_nobody_at_the_door_sends_no_checklist_nor_advice():
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.checks.mark("health", True)
    form.checks.toggle_advice("anti_fraud")
    form.choose_outcome(p.NO_ANSWER)
    assert form.errors() == {}
    call = form.to_call(TODAY)
    assert call["checklist"] == {} and call["advice"] == []


def test_the_new_parts_survive_as_a_draft():
    form = pr.VisitForm()
    form.choose_outcome(p.EMERGENCY)
    form.checks.choose_method(p.VisitMethod.VIDEO.value)
    form.checks.mark("home_safety", True)
    form.checks.write_concern("home_safety", "燃气灶没关")
    form.checks.toggle_advice("policy")
    form.checks.emergency_action = "关了燃气阀"
    assert not form.is_blank()
    back = pr.VisitForm.from_draft(form.to_draft(), [])
    assert back.to_call(TODAY) == form.to_call(TODAY)
    assert back.checks.method == "video" and back.checks.advice == {"policy"}
    # a draft from an older or newer app: unknown codes are left out, nothing crashes
    odd = pr.VisitForm.from_draft({"method": "pigeon", "checklist": {"x": "y", "health": 3},
                                   "advice": "anti_fraud", "emergency_action": ["?"]}, [])
    assert odd.checks == pr.VisitChecks()


def test_the_warning_in_english_and_with_the_districts_limits():
    i18n.set_language("en")
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.readings = {"pulse": "45"}
    assert form.warnings()[0] == "Pulse 45 beats/min is too low (limit 50)."
    lenient = rules_from_dict({"thresholds": {"pulse_low": 40}})
    assert form.warnings(lenient) == []


def test_categories_read_as_the_programmes_words_with_80_plus_computed(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    rows = {r.name: r for r in alice.today_list()}
    # 李桂兰, born 1938, lives alone: 高龄 is shown though it was never stored
    assert rows["李桂兰"].care_categories == ["alone", "aged_80_plus"]
    assert pr.today_row(rows["李桂兰"])["title"].endswith("独居、高龄")
    assert rows["王秀英"].care_categories == ["empty_nest"]  # born 1950


def test_the_districts_rules_arrive_with_the_pull_and_decide_follow_ups(app, grid, tablet_for):
    from server.district import load_rules
    app.config["DISTRICT_RULES"] = load_rules({"follow_up_categories": ["empty_nest"],
                                               "follow_up_aged_80": False})
    alice = tablet_for("alice")
    assert alice.sync().ok
    assert alice.district_rules.follow_up_categories == ("empty_nest",)
    together = alice.today_list("wxy")[0]  # 王秀英, empty nest: followed up in this district
    alice.record_visit(together.id, "no_answer")
    assert alice.resident(together.id).summary.follow_up_since is not None
    assert alice.sync().ok and alice.engine.mismatched_grids() == []  # the server agrees


def test_the_ladder_offers_the_emergency_contacts_number(grid, tablet_for, db_session):
    alice = tablet_for("alice")
    alice.sync()
    lone = alice.today_list("zlx")[0]  # 张利霞, living alone
    alice.edit_resident(lone.id, {"emergency_contact": "王建国（儿子）",
                                  "emergency_phone": "13903931234"})
    alice.record_visit(lone.id, "no_answer")
    view = pr.resident_view(alice.resident(lone.id))
    assert view.facts[0] == ("下一步", "无人应门：请再来一次，或问问邻居。")
    alice.record_visit(lone.id, "no_answer")
    view = pr.resident_view(alice.resident(lone.id))
    assert "13903931234" in view.facts[0][1] and "王建国（儿子）" in view.facts[0][1]
    assert view.phone == "13903931234"  # the call button rings the contact
    alice.record_visit(lone.id, "met")
    assert pr.resident_view(alice.resident(lone.id)).next_step == ""


def test_the_account_line_takes_the_languages_brackets():
    """Found by the language walk's punctuation check: 王晓丽 (志愿者) had half-width brackets."""
    from types import SimpleNamespace
    account = SimpleNamespace(display_name="王晓丽", role="volunteer",
                              server_url="http://10.0.0.2:8000", device_name="一号网格平板")
    assert pr.account_lines(account)[0][1] == "王晓丽（志愿者）"
    i18n.set_language("en")
    assert pr.account_lines(account)[0][1] == "王晓丽 (Volunteer)"


def test_every_warning_is_drawn_by_the_bundled_font():
    """The tablet falls back on the bundled WenQuanYi Micro Hei, which has no ℃: a temperature
    warning read "体温 39.5 ，偏高" with its unit missing."""
    from PIL import ImageFont

    from client.ui.fonts import BUNDLED
    font = ImageFont.truetype(str(BUNDLED), 40)
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.readings = {"systolic": "200", "diastolic": "120", "pulse": "130",
                     "blood_sugar": "2.1", "temperature": "39.5"}
    said = {}
    for language in ("zh_CN", "en"):
        i18n.set_language(language)
        said[language] = lines = form.warnings()
        assert len(lines) == 6
        missing = {char for line in lines for char in line
                   if not char.isspace() and font.getmask(char).getbbox() is None}
        assert missing == set(), language
    assert said["zh_CN"][4] == "体温 39.5 °C，偏高（警戒值 39）。"
    assert said["en"][4] == "Temperature 39.5 °C is too high (limit 39)."
