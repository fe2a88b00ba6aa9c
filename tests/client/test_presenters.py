"""The app's presenters, catalogs and background sync logic, without a window (no Kivy here)."""
from __future__ import annotations

import gettext
import sys
from datetime import date, datetime, timezone

import pytest

from client.sync import SyncReport
from client.ui import i18n
from client.ui import presenters as pr
from client.ui.background import AutoSync, Worker
from client.service import DeviceWiped, ResidentSummary
from shared import protocol as p
from shared.due import DueStatus


pytestmark = pytest.mark.usefixtures("chinese")  # tests/client/conftest.py


def summary(**changes) -> ResidentSummary:
    values = dict(id="r1", name="张利霞", address="长庆路12号院", sex="F", age=84, grid_id=1,
                  grid_name="网格1", care_categories=[p.ALONE], status="active",
                  due=DueStatus("overdue", date(2024, 3, 1), 5), last_visit_at=None,
                  follow_up_since=None, unsent=0)
    values.update(changes)
    return ResidentSummary(**values)


def test_no_kivy_in_presenters():
    import subprocess

    code = ("import sys, client.ui.presenters, client.ui.background, client.ui.i18n; "
            "print(any(name.split('.')[0] == 'kivy' for name in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_today_row_shows_overdue_days_and_unsent():
    row = pr.today_row(summary(unsent=2))
    assert row["title"] == "张利霞  84岁  独居、高龄"  # 高龄 from the age
    assert row["badge"] == "已超期 5 天" and row["tone"] == "alert"
    assert row["unsent_text"] == "2 条待上传"


def test_open_follow_up_is_pinned_text():
    row = pr.today_row(summary(follow_up_since=datetime(2024, 3, 2, tzinfo=timezone.utc)))
    assert row["badge"] == "待回访：没人开门"


def test_english_labels():
    i18n.set_language("en")
    row = pr.today_row(summary(due=DueStatus("due_today", date(2026, 11, 30), 0)))
    assert row["badge"] == "Due today"
    assert row["title"] == "张利霞  84 yrs  Living alone, Aged 80+"


def test_connection_state_text():
    assert pr.ConnectionState(online=False, unsent=3).text() == "离线 · 3 条待上传"
    assert pr.ConnectionState(online=True).text() == "在线 · 全部已上传"
    assert pr.ConnectionState(online=True, syncing=True, unsent=1).text() == "正在上传… · 1 条待上传"
    assert pr.ConnectionState(online=False, unsent=3).tone() == "calm"


def test_routine_visit_is_just_the_outcome():
    form = pr.VisitForm()
    assert form.errors() == {"outcome": "请先选择上门情况。"}
    form.choose_outcome(p.MET)
    assert form.errors() == {}
    call = form.to_call(date(2024, 3, 5))
    assert call == {"outcome": "met", "note": None, "follow_up_on": None, "readings": None,
                    "mood": None, "needs": [], "services": [], "safety_checks": None,
                    "method": "door", "checklist": {}, "advice": []}  # 上门, 无问题


def test_full_visit_becomes_one_call():
    form = pr.VisitForm(safety_devices=["fall_alarm"])
    form.choose_outcome(p.MET)
    form.readings.update(systolic="135", diastolic="85", pulse="72", temperature="36.6")
    form.choose_mood("good")
    form.toggle("needs", "meals")
    form.toggle("services", "chat")
    form.check_device("fall_alarm", "faulty")
    form.note = "  电池快没电了 "
    form.follow_up = "3days"
    call = form.to_call(date(2024, 3, 5))
    assert call["readings"] == {"systolic": 135, "diastolic": 85, "pulse": 72,
                                "temperature": 36.6}
    assert call["needs"] == ["meals"] and call["services"] == ["chat"]
    assert call["safety_checks"] == {"fall_alarm": "faulty"}
    assert call["note"] == "电池快没电了" and call["follow_up_on"] == date(2024, 3, 8)


def test_readings_are_checked_against_the_schema_ranges():
    form = pr.VisitForm()
    form.choose_outcome(p.MET)
    form.readings.update(systolic="300", diastolic="80", temperature="abc")
    errors = form.errors()
    assert errors["systolic"] == "收缩压（高压）应在 50 到 260 之间。"
    assert errors["temperature"] == "请填数字。"
    form.readings.update(systolic="120", diastolic="", temperature="")
    assert form.errors() == {"diastolic": "血压的高压和低压要都填，或者都不填。"}


def test_no_answer_suggests_coming_back_tomorrow():
    form = pr.VisitForm()
    form.choose_outcome(p.NO_ANSWER)
    assert form.follow_up_date(date(2024, 3, 5)) == date(2024, 3, 6)
    assert "readings" not in form.to_call(date(2024, 3, 5))


def test_edit_form_sends_only_real_changes():
    record = {"phone": "138", "care_categories": ["disabled"], "ability_level": "moderate",
              "ability_assessed_on": None, "ability_assessor": None,
              "safety_devices": [], "status": "active", "care_notes": None,
              "emergency_contact": None, "emergency_phone": None}
    form = pr.EditForm(record, p.FIELD_EDITABLE_RESIDENT_FIELDS)
    assert "name" not in form.fields() and "risk_tier" not in form.fields()
    assert form.changes() == {}
    form.values["phone"] = " 13911112222 "
    form.toggle("care_categories", "alone")
    form.toggle("ability_level", "severe")
    form.values["ability_assessed_on"] = "2026-11-20"
    assert form.changes() == {"phone": "13911112222",
                              "care_categories": ["alone", "disabled"],
                              "ability_level": "severe", "ability_assessed_on": "2026-11-20"}


def test_rejected_change_says_why_and_what_to_do():
    entry = pr.rejected_entry({"op_id": "o1", "entity": "resident", "resident_name": "刘德华",
                               "reason_code": p.REJ_OUT_OF_SCOPE, "reason": "not assigned",
                               "made_at": "2024-03-05T08:00:00+00:00",
                               "data": {"phone": "139"}})
    assert entry["head"] == "刘德华 · 修改资料：联系电话"
    assert entry["reason"] == "你已不再负责这个网格，这条修改没有保存。"  # never the server's words
    assert "负责区域" in entry["advice"]


def test_sign_in_messages():
    assert "密码" in pr.sign_in_message("bad_credentials")
    assert "连不上" in pr.sign_in_message("unreachable")
    assert "停用" in pr.sign_in_message("device_revoked")
    assert "更新" in pr.sign_in_message("upgrade_required")
    assert pr.check_sign_in("", "", "", "") .keys() == {"server_url", "username", "password",
                                                         "device_name"}
    assert pr.normalise_server_url("10.0.0.2:8000/") == "http://10.0.0.2:8000"


def test_sync_view_reports_offline():
    report = SyncReport(started_at="x", ok=False, error="no route", error_code="offline")
    view = pr.sync_view(None, report, [], [])
    assert view.last_result == "没有信号：会自动再试。"
    assert view.last_success == "上次更新成功：从未"


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_string_is_translated(language):
    from babel.messages.pofile import read_po

    po = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "knockdoor.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    translated = {message.id: message.string for message in catalog if message.id}
    used = i18n.extract_messages()
    missing = sorted(set(used) - {k for k, v in translated.items() if v})
    assert missing == [], f"untranslated in {language}: {missing}"
    # the compiled catalog the app loads is up to date with the .po
    mo = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    assert all(mo.gettext(key) == value for key, value in translated.items() if value)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_catalog_holds_only_strings_the_app_uses(language):
    """Words of coded values come from the one vocabulary (shared/vocabulary.py); a msgid the
    app no longer passes through ``_`` or ``N_`` is a second, stale copy of a word."""
    from babel.messages.pofile import read_po

    po = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "knockdoor.po"
    with po.open("rb") as handle:
        kept = {message.id for message in read_po(handle) if message.id}
    assert sorted(kept - set(i18n.extract_messages())) == []


# ---- background sync logic ----------------------------------------------------------------


class FakeService:
    def __init__(self):
        self.reachable = False
        self.syncs = 0
        self.unsent = 1
        self.wipe = False

    def probe(self):
        return self.reachable

    def sync(self, progress=None):
        self.syncs += 1
        if self.wipe:
            raise DeviceWiped("revoked")
        if not self.reachable:
            return SyncReport(started_at="x", ok=False, error_code="offline")
        self.unsent = 0
        return SyncReport(started_at="x", ok=True, pushed=1)

    def unsent_count(self):
        return self.unsent


class Inline:
    """A worker that runs jobs at once, on the caller's thread."""

    def submit(self, job, on_done=None, on_error=None):
        try:
            result = job()
        except BaseException as error:  # noqa: BLE001
            if on_error:
                on_error(error)
            return
        if on_done:
            on_done(result)


class Clock:
    def __init__(self):
        self.pending = []

    def schedule(self, delay, fn):
        entry = [delay, fn, True]
        self.pending.append(entry)
        return lambda: entry.__setitem__(2, False)

    def run_next(self):
        live = [entry for entry in self.pending if entry[2]]
        self.pending = []
        for entry in live:
            if entry[2]:  # not cancelled by an earlier one
                entry[1]()
        return [delay for delay, _fn, _live in live]


class Listener:
    def __init__(self):
        self.reports, self.wiped = [], False

    def on_connection(self, state):
        self.state = (state.online, state.syncing, state.unsent)

    def on_progress(self, progress):
        pass

    def on_synced(self, report):
        self.reports.append(report)

    def on_wiped(self):
        self.wiped = True

    def on_upgrade_required(self, message):
        pass


def make_autosync(service):
    clock, listener = Clock(), Listener()
    auto = AutoSync(service, Inline(), clock.schedule, listener, lambda fn: fn())
    return auto, clock, listener


def test_probes_with_backoff_then_syncs_when_the_signal_returns():
    service = FakeService()
    auto, clock, listener = make_autosync(service)
    auto.start()
    assert listener.state == (False, False, 0)
    delays = [clock.run_next()[0] for _ in range(3)]
    assert delays == [2, 4, 8]  # backing off while there is no signal
    assert service.syncs == 0
    service.reachable = True
    clock.run_next()
    assert service.syncs == 1 and listener.reports[-1].ok
    assert listener.state == (True, False, 0)


def test_save_while_online_syncs_shortly_after():
    service = FakeService()
    service.reachable = True
    auto, clock, listener = make_autosync(service)
    auto.start()
    assert service.syncs == 1  # first probe found the server: sync at once
    service.unsent = 1
    auto.visit_saved()
    assert [entry[0] for entry in clock.pending if entry[2]][-1] == AutoSync.AFTER_SAVE_DELAY
    clock.run_next()
    assert service.syncs == 2


def test_resume_syncs_and_a_wiped_device_is_reported():
    service = FakeService()
    service.reachable = True
    auto, clock, listener = make_autosync(service)
    auto.start()
    service.wipe = True
    auto.resumed()
    assert listener.wiped


def test_worker_delivers_results_and_errors():
    delivered = []
    worker = Worker("test", lambda fn: fn())
    results, errors = [], []
    worker.submit(lambda: 41 + 1, results.append)
    worker.submit(lambda: 1 / 0, None, errors.append)
    worker.stop()
    assert results == [42] and isinstance(errors[0], ZeroDivisionError)
    assert delivered == []


def test_resident_heading_comes_from_the_summary_alone():
    title, subtitle, badge, tone = pr.resident_heading(summary())
    assert title == "张利霞  女  84岁"
    assert subtitle == "长庆路12号院 · 网格1"
    assert (badge, tone) == ("已超期 5 天", "alert")


def test_today_sort_key_pins_follow_ups_then_orders_by_due_then_name():
    pinned = summary(id="a", name="王秀英", due=DueStatus("not_due", date(2024, 4, 1), 0),
                     follow_up_since=datetime(2024, 3, 2, tzinfo=timezone.utc))
    overdue_long = summary(id="b", name="李桂兰", due=DueStatus("overdue", date(2024, 2, 1), 30))
    overdue_short = summary(id="c", name="陈玉珍")
    just_met = summary(id="d", name="刘德华", due=DueStatus("not_due", date(2024, 4, 1), 0))
    ordered = sorted([just_met, overdue_short, pinned, overdue_long], key=pr.today_sort_key)
    assert [s.id for s in ordered] == ["a", "b", "c", "d"]


def test_a_job_can_be_finished_early_and_only_once():
    import threading

    delivered, results = [], []
    worker = Worker("test", delivered.append)
    gate = threading.Event()
    slow = worker.submit(lambda: gate.wait(5) and "slow", results.append)
    assert slow.finish_within(0.01) is False and results == []  # not run yet: later, by Clock
    gate.set()
    quick = worker.submit(lambda: "quick", results.append)
    assert quick.finish_within(2.0) is True and results[-1] == "quick"
    worker.stop()
    for finish in delivered:  # the worker's own deliveries, as Clock would run them
        finish()
    assert results == ["quick", "slow"]  # "quick" ran once, not again on delivery
