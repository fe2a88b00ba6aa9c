"""The App: screens, navigation, background workers and the sync that runs by itself.

Screens stay thin: they collect taps, hand the work to a worker (database or network), and put
the presenters' strings into their widgets when the result comes back through ``Clock``.
"""
from __future__ import annotations

import bisect
import dataclasses
import json
import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import (BooleanProperty, DictProperty, NumericProperty, ObjectProperty,
                             StringProperty)
from kivy.metrics import dp, sp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.popup import Popup
from kivy.uix.recycleview.views import RecycleDataViewBehavior
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager
from kivy.utils import platform

from shared import protocol as p

from . import i18n, presenters as pr, theme, widgets  # noqa: F401 - widgets registers classes
from .background import AutoSync, SyncListener, Worker, open_tablet, read_today
from .fonts import register_default_font
from .i18n import _

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).resolve().parent / "kv"
SCREEN_FILES = ("signin", "pin", "today", "resident", "visit", "note", "edit", "sync",
                "settings")
#: How often the app asks the client core whether it must lock (PIN, stale tablet).
GATE_CHECK_SECONDS = 5
PREFS_FILE = "ui-settings.json"
#: The UI thread waits at most this long for a quick local read or write (a resident's detail,
#: saving a visit) so the very next frame already shows the result; past it, the result comes
#: through Clock as usual. The disk work itself always stays on the worker.
FRAME_WAIT = 0.04


def service_errors():
    """The service's exception classes, imported when first needed (the client core pulls in
    pypinyin and requests: kept off the start-up path of the UI thread)."""
    from client import service

    return service


def on_ui(fn) -> None:
    """Run ``fn`` on the UI thread at the next frame (the workers' way back)."""
    Clock.schedule_once(lambda _dt: fn(), 0)


def schedule(delay: float, fn):
    event = Clock.schedule_once(lambda _dt: fn(), delay)
    return event.cancel


def load_kv() -> None:
    for name in ("widgets",) + SCREEN_FILES:
        path = str(KV_DIR / f"{name}.kv")
        Builder.unload_file(path)
        Builder.load_file(path)


# ---- screens -------------------------------------------------------------------------------


class AppScreen(Screen):
    """A screen that (re)loads its data when opened."""

    @property
    def app(self) -> "KnockdoorApp":
        return App.get_running_app()

    def load(self, **params) -> None:
        pass

    def refresh(self) -> None:
        """Pulled data may have changed what this screen shows."""


class StartScreen(AppScreen):
    pass


class SignInScreen(AppScreen):
    errors = DictProperty({})
    message = StringProperty("")
    busy = BooleanProperty(False)

    def load(self, message_code: str | None = None, **_params) -> None:
        self.message = pr.sign_in_message(message_code) if message_code else ""
        self.errors = {}
        self.ids.password.text = ""
        self.app.local.submit(self.app.service.remembered_sign_in, self._remembered)

    def _remembered(self, remembered: dict) -> None:
        for name in ("server_url", "username", "device_name"):
            if remembered.get(name) and not self.ids[name].text:
                self.ids[name].text = remembered[name]

    def sign_in(self) -> None:
        values = {name: self.ids[name].text for name in
                  ("server_url", "username", "password", "device_name")}
        self.errors = pr.check_sign_in(**values)
        if self.errors:
            return
        self.busy, self.message = True, ""
        server_url = pr.normalise_server_url(values["server_url"])
        self.app.network.submit(
            lambda: self.app.service.sign_in(server_url, values["username"].strip(),
                                             values["password"],
                                             values["device_name"].strip()),
            self._signed_in, self._failed)

    def _signed_in(self, _account) -> None:
        self.busy = False
        self.ids.password.text = ""
        self.app.open_screen("pin", remember=False, mode="set")

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        code = error.code if isinstance(error, service_errors().SignInError) else "server_error"
        self.message = pr.sign_in_message(code)


class PinScreen(AppScreen):
    """Set the unlock code after a sign-in, or unlock after idle time (client.lock)."""

    mode = StringProperty("unlock")  # "set" | "unlock"
    message = StringProperty("")
    greeting = StringProperty("")
    busy = BooleanProperty(False)

    def load(self, mode: str = "unlock", **_params) -> None:
        self.mode, self.message, self.busy = mode, "", False
        self.ids.pin.text = self.ids.pin_again.text = ""
        account = self.app.service.account if self.app.service else None
        self.greeting = _("{name}, enter your unlock code.").format(
            name=account.display_name) if account else ""

    def submit(self) -> None:
        pin, again = self.ids.pin.text.strip(), self.ids.pin_again.text.strip()
        if self.mode == "set":
            self.message = pr.check_new_pin(pin, again)
            if self.message:
                return
            self.busy = True
            self.app.local.submit(lambda: self.app.service.set_pin(pin),
                                  lambda _none: self.app.unlocked())
            return
        self.busy = True
        service = self.app.service
        self.app.local.submit(lambda: (service.unlock(pin), service.lock.attempts_left(),
                                       service.gate()), self._checked)

    def forgot(self) -> None:
        """An online sign-in instead of the code; the unsent work stays."""
        self.busy = True
        self.app.local.submit(self.app.service.forget_pin,
                              lambda _none: self.app.signed_out())

    def _checked(self, outcome) -> None:
        unlocked, attempts_left, gate = outcome
        self.busy = False
        self.ids.pin.text = ""
        if unlocked:
            self.app.unlocked()
        elif gate == "sign_in":
            self.app.signed_out(message_code="pin_attempts")
        else:
            self.message = pr.wrong_pin_message(attempts_left)


class ResidentRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """A Today row. RecycleView makes only as many as fit on the screen and refills them."""
    created = 0  # how many row widgets exist in this process (the benchmark reports it)
    resident_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    badge = StringProperty("")
    tone = StringProperty("muted")
    unsent_text = StringProperty("")

    def __init__(self, **kwargs) -> None:
        type(self).created += 1
        super().__init__(**kwargs)

    def on_release(self) -> None:
        App.get_running_app().open_resident(self.resident_id)


class TodayScreen(AppScreen):
    heading = StringProperty("")
    empty_text = StringProperty("")
    notice = StringProperty("")

    NOTICE_SECONDS = 6

    def on_kv_post(self, _base) -> None:
        self._search = Clock.create_trigger(lambda _dt: self.refresh(), 0.2)
        self._clear_notice = Clock.create_trigger(lambda _dt: setattr(self, "notice", ""),
                                                  self.NOTICE_SECONDS)

    def on_notice(self, _screen, text: str) -> None:
        if text:
            self._clear_notice()

    summaries: list = []  # the ResidentSummary behind each row, in the same order

    def load(self, **_params) -> None:
        self.refresh()

    def search_changed(self, _text: str) -> None:
        self._search()

    def refresh(self) -> None:
        query = self.ids.search.text
        self.app.local.submit(lambda: self.rows_for(query), self.show)

    def rows_for(self, query: str) -> tuple[str, list, list[dict]]:
        return read_today(self.app.service, query)

    def summary(self, resident_id: str):
        for summary in self.summaries:
            if summary.id == resident_id:
                return summary
        return None

    def place(self, summary) -> None:
        """Put one resident's fresh summary (just visited) at its place in the list at once,
        without waiting for the whole list to be read again."""
        rows = list(self.ids.rows.data)
        summaries = list(self.summaries)
        old = next((i for i, s in enumerate(summaries) if s.id == summary.id), None)
        if old is None:
            return  # not in this (searched) list
        # how well it matched the search is the list's business, not the fresh summary's
        summary = dataclasses.replace(summary, match=summaries[old].match)
        del summaries[old], rows[old]
        keys = [pr.today_sort_key(s) for s in summaries]
        index = bisect.bisect_right(keys, pr.today_sort_key(summary))
        summaries.insert(index, summary)
        rows.insert(index, pr.today_row(summary))
        self.summaries = summaries
        self.ids.rows.data = rows
        self.heading = pr.today_heading(rows, self.ids.search.text)

    def show(self, result: tuple[str, list, list[dict]]) -> None:
        query, summaries, rows = result
        if query != self.ids.search.text:
            return  # the volunteer typed on; the next refresh is already queued
        self.summaries = summaries
        if rows != self.ids.rows.data:  # the same list again: keep the rows as drawn
            self.ids.rows.data = rows
        self.heading = pr.today_heading(rows, query)
        if rows:
            self.empty_text = ""
        elif query.strip():
            self.empty_text = _("Nobody matches. Try the pinyin initials, e.g. zlx.")
        else:
            self.empty_text = _("No residents on this tablet yet. They arrive with the first "
                                "sync.")


class ResidentScreen(AppScreen):
    """Opens at once: the heading comes from the Today row's summary on the tap, the detail is
    read on the worker (well under a millisecond) and usually fills the same frame. Its widgets
    are made once and reused: opening another resident only changes their text."""
    resident_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    badge = StringProperty("")
    tone = StringProperty("muted")
    phone = StringProperty("", allownone=True)
    has_conflicts = BooleanProperty(False)
    timeline_empty = StringProperty("")
    detail_ready = BooleanProperty(False)  # the facts and timeline below belong to resident_id
    shown_id = StringProperty("")  # whose detail is on screen (the benchmark waits for it)
    timeline_complete = BooleanProperty(False)  # every entry filled, below the fold too
    TIMELINE_LIMIT = 40  # older entries are on the server; a stairwell needs the recent ones
    FIRST_ENTRIES = 6  # filled before the first frame: more than fit above the fold
    CHUNK = 8  # then this many per frame

    def on_kv_post(self, _base) -> None:
        self._pools: dict[str, list] = {"facts": [], "conflicts": [], "timeline": []}
        self._rest: list[dict] = []
        self._fill_rest = Clock.create_trigger(lambda _dt: self._fill_more(), 0)

    def load(self, resident_id: str = "", summary=None, **_params) -> None:
        if resident_id and resident_id != self.resident_id:
            self.resident_id = resident_id
            self.detail_ready, self.shown_id, self.phone = False, "", ""
            self._rest = []
            if summary is not None and summary.id == resident_id:
                self.title, self.subtitle, self.badge, self.tone = pr.resident_heading(summary)
            else:
                self.title = self.subtitle = self.badge = ""
            self.ids.scroll.scroll_y = 1
        self.refresh(wait=FRAME_WAIT)

    def refresh(self, wait: float = 0) -> None:
        resident_id = self.resident_id
        if not resident_id:
            return

        def job():
            detail = self.app.service.resident(resident_id)
            return detail, (pr.resident_view(detail) if detail else None)
        submitted = self.app.local.submit(job, self.show)
        if wait:
            submitted.finish_within(wait)

    def show(self, result) -> None:
        detail, view = result
        if detail is None:  # evicted by a sync (assignment ended): nothing to show here
            if self.manager and self.manager.current == self.name:
                self.app.go_home()
            return
        if detail.summary.id != self.resident_id:
            return
        self.app.current_detail = detail
        self.title, self.subtitle = view.title, view.subtitle
        self.badge, self.tone, self.phone = view.badge, view.tone, view.phone or ""
        self._reuse("facts", [{"name": name, "value": value} for name, value in view.facts],
                    Factory.FactRow)
        self._reuse("conflicts", view.conflicts, Factory.ConflictEntry)
        self.has_conflicts = bool(view.conflicts)
        timeline = view.timeline[:self.TIMELINE_LIMIT]
        self._reuse("timeline", timeline[:self.FIRST_ENTRIES], Factory.TimelineEntry)
        self._rest = timeline[self.FIRST_ENTRIES:]
        self.timeline_complete = not self._rest
        if self._rest:
            self._fill_rest()
        self.timeline_empty = "" if view.timeline else _("No visits yet.")
        self.detail_ready, self.shown_id = True, self.resident_id

    def _fill_more(self) -> None:
        """The entries below the fold, a few per frame (none of them is on screen yet)."""
        if not self._rest:
            return
        shown = len(self.ids.timeline.children)
        chunk, self._rest = self._rest[:self.CHUNK], self._rest[self.CHUNK:]
        self._reuse("timeline", chunk, Factory.TimelineEntry, start=shown)
        if self._rest:
            self._fill_rest()
        else:
            self.timeline_complete = True

    def _reuse(self, name: str, items: list[dict], make, start: int = 0) -> None:
        """Show ``items`` in the container ``name`` from position ``start`` on, reusing the
        widgets made for earlier residents (only their text changes)."""
        container, pool = self.ids[name], self._pools[name]
        keys = ("name", "value") if name == "facts" else \
            ("head", "body", "status") if name == "conflicts" else \
            ("head", "body", "by", "state", "voided")
        while len(pool) < start + len(items):
            pool.append(make())
        for widget, item in zip(pool[start:], items):
            for key in keys:
                setattr(widget, key, item[key])
        wanted = pool[:start + len(items)]
        showing = container.children[::-1]  # top to bottom
        if showing == wanted:
            return
        for widget in showing[len(wanted):]:
            container.remove_widget(widget)
        for widget in wanted[len(container.children):]:
            container.add_widget(widget, index=0)  # index 0: at the bottom


class VisitScreen(AppScreen):
    resident_id = StringProperty("")
    resident_name = StringProperty("")
    errors = DictProperty({})
    reading_errors = StringProperty("")
    save_error = StringProperty("")
    form = ObjectProperty(pr.VisitForm(), rebind=True)

    def on_kv_post(self, _base) -> None:
        ids = self.ids
        # Strong references: kv ids are weak, and these parts leave the tree while hidden.
        self.away_field = ids.away_reason.__self__
        self._optional = {"met": ids.met_box.__self__,
                          "away": (ids.away_caption.__self__, self.away_field)}
        self.outcome_buttons = {}
        for code in p.OUTCOMES:
            button = Factory.OutcomeButton(text=pr.label(pr.OUTCOME_LABELS, code),
                                           group="outcome", code=code)
            button.bind(on_release=lambda b: self.choose_outcome(b.code, b.state == "down"))
            ids.outcomes.add_widget(button)
            self.outcome_buttons[code] = button
        self.inputs = {}
        for row_id, names in (("bp", ("systolic", "diastolic")), ("pulse", ("pulse",)),
                              ("blood_sugar", ("blood_sugar",)),
                              ("temperature", ("temperature",))):
            box = ids[row_id].ids.inputs
            for index, name in enumerate(names):
                if index:
                    box.add_widget(Factory.Txt(text="/", size_hint=(None, 1), width=20,
                                               halign="center"))
                field = Factory.NumberField(hint_text=_("upper") if name == "systolic" else
                                            _("lower") if name == "diastolic" else "")
                if name in ("systolic", "diastolic", "pulse"):
                    field.input_filter = "int"
                field.bind(text=lambda f, text, name=name: self._typed(name, text))
                box.add_widget(field)
                self.inputs[name] = field
        self.mood_chips = self._chips(ids.moods, pr.MOOD_LABELS, "mood",
                                      lambda code: self.form.choose_mood(code))
        self.need_chips = self._chips(ids.needs, pr.NEED_LABELS, None,
                                      lambda code: self.form.toggle("needs", code))
        self.service_chips = self._chips(ids.services, pr.SERVICE_LABELS, None,
                                         lambda code: self.form.toggle("services", code))
        self.follow_up_chips = {}
        for code, text, _days in pr.FOLLOW_UP_CHOICES:
            chip = Factory.Chip(text=_(text), group="follow_up", code=code,
                                allow_no_selection=False)
            chip.bind(on_release=lambda c: setattr(self.form, "follow_up", c.code))
            ids.follow_up.add_widget(chip)
            self.follow_up_chips[code] = chip

    @staticmethod
    def _chips(container, labels: dict, group: str | None, on_tap) -> dict:
        chips = {}
        for code, text in labels.items():
            chip = Factory.Chip(text=_(text), code=code, group=group)
            chip.bind(on_release=lambda c: on_tap(c.code))
            container.add_widget(chip)
            chips[code] = chip
        return chips

    def _typed(self, name: str, text: str) -> None:
        self.form.readings[name] = text

    def load(self, resident_id: str = "", **_params) -> None:
        self.resident_id = resident_id
        detail = self.app.current_detail
        if detail is not None and detail.summary.id == resident_id:
            self._reset(detail)
        else:
            self.app.local.submit(lambda: self.app.service.resident(resident_id), self._reset)

    def _reset(self, detail) -> None:
        if detail is None:
            return
        self.resident_name = detail.summary.name
        devices = list(detail.record.get("safety_devices") or [])
        self.form = pr.VisitForm(safety_devices=devices)
        self.errors, self.reading_errors, self.save_error = {}, "", ""
        for group in (self.outcome_buttons, self.mood_chips, self.need_chips,
                      self.service_chips):
            for chip in group.values():
                chip.state = "normal"
        for field in self.inputs.values():
            field.text = ""
        self.ids.note.text = ""
        self.away_field.text = ""
        self._sync_follow_up()
        self._build_checks(devices)
        self._show("met", False)
        self._show("away", False)
        self.ids.scroll.scroll_y = 1

    def _build_checks(self, devices: list[str]) -> None:
        box = self.ids.checks
        box.clear_widgets()
        self.check_chips = {}
        if not devices:
            box.add_widget(Factory.Muted(text=_("No safety devices on record.")))
            return
        for device in devices:
            row = Factory.Chips()
            caption = Label(text=pr.label(pr.SAFETY_DEVICE_LABELS, device), color=theme.INK,
                            font_size=sp(21) * self.app.font_scale, size_hint=(None, None),
                            width=dp(200), height=dp(64), halign="left", valign="middle")
            caption.text_size = caption.size
            row.add_widget(caption)
            for result, text in pr.CHECK_LABELS.items():
                chip = Factory.Chip(text=_(text), group=f"check-{device}", code=result)
                chip.bind(on_release=lambda c, device=device: self.form.check_device(
                    device, c.code))
                row.add_widget(chip)
                self.check_chips[(device, result)] = chip
            box.add_widget(row)

    def _show(self, part: str, visible: bool) -> None:
        """Add or take away an optional part of the form, right after the outcome buttons."""
        form = self.ids.form
        parts = self._optional[part]
        parts = parts if isinstance(parts, tuple) else (parts,)
        for widget in parts:
            if widget.parent is not None and not visible:
                widget.parent.remove_widget(widget)
        if visible:
            anchor = form.children.index(self.ids.outcomes) - 1  # the error text after it
            for widget in parts:
                if widget.parent is None:
                    form.add_widget(widget, index=anchor)
                    anchor = form.children.index(widget)

    def choose_outcome(self, code: str, chosen: bool) -> None:
        if not chosen:  # tapped again: nothing chosen
            self.form.outcome = None
        else:
            self.form.choose_outcome(code)
        self.errors = {}
        self._show("met", self.form.met)
        self._show("away", self.form.outcome == p.AWAY)
        self._sync_follow_up()

    def _sync_follow_up(self) -> None:
        for code, chip in self.follow_up_chips.items():
            chip.state = "down" if code == self.form.follow_up else "normal"

    def save(self) -> None:
        errors = self.form.errors()
        self.errors = errors
        self.reading_errors = "\n".join(message for name, message in errors.items()
                                        if name != "outcome")
        if errors:
            self.save_error = _("Check the red lines above.")
            if "outcome" in errors:
                self.ids.scroll.scroll_y = 1
            return
        self.save_error = ""
        call = self.form.to_call(pr.today_in_district())
        self.app.save_visit(self.resident_id, self.resident_name, call, self._failed)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, service_errors().InvalidInput):
            messages = pr.invalid_input_messages(error.fields)
            self.reading_errors = "\n".join(messages.values())
            self.save_error = _("Check the red lines above.")
        else:
            self.save_error = _("Could not save: {error}").format(error=error)


class NoteScreen(AppScreen):
    resident_id = StringProperty("")
    resident_name = StringProperty("")
    error = StringProperty("")

    def load(self, resident_id: str = "", **_params) -> None:
        self.resident_id, self.error = resident_id, ""
        self.ids.text.text = ""
        detail = self.app.current_detail
        self.resident_name = detail.summary.name if detail and \
            detail.summary.id == resident_id else ""

    def save(self) -> None:
        text = self.ids.text.text.strip()
        if not text:
            self.error = _("Write something first.")
            return
        resident_id = self.resident_id
        self.app.write(lambda service: service.add_note(resident_id, text), self._saved,
                       self._failed)

    def _saved(self, _note_id) -> None:
        self.app.go_back()

    def _failed(self, error: BaseException) -> None:
        self.error = "\n".join(pr.invalid_input_messages(error.fields).values()) \
            if isinstance(error, service_errors().InvalidInput) else str(error)


class EditScreen(AppScreen):
    resident_id = StringProperty("")
    resident_name = StringProperty("")
    error = StringProperty("")

    def load(self, resident_id: str = "", **_params) -> None:
        self.resident_id, self.error = resident_id, ""
        self.ids.fields.clear_widgets()

        def job():
            service = self.app.service
            detail = service.resident(resident_id)
            return detail, service.editable_fields()
        self.app.local.submit(job, self._build)

    def _build(self, result) -> None:
        detail, editable = result
        if detail is None:
            return
        self.resident_name = detail.summary.name
        self.form = pr.EditForm(detail.record, editable)
        self.inputs = {}
        box = self.ids.fields
        for name in self.form.fields():
            box.add_widget(Factory.Section(text=pr.label(pr.FIELD_LABELS, name)))
            if name in pr.TEXT_FIELDS:
                kind = Factory.NoteField if name == "care_notes" else Factory.Field
                field = kind(text=self.form.values[name] or "")
                if name.endswith("phone"):
                    field.input_type = "tel"
                field.bind(text=lambda f, text, name=name: self.form.values.__setitem__(name,
                                                                                        text))
                box.add_widget(field)
                self.inputs[name] = field
            else:
                labels, many = pr.CHOICE_FIELDS[name]
                chips = Factory.Chips()
                current = self.form.values[name]
                for code, text in labels.items():
                    chosen = code in current if many else code == current
                    chip = Factory.Chip(text=_(text), code=code, state="down" if chosen
                                        else "normal",
                                        group=None if many else f"edit-{name}",
                                        allow_no_selection=many)
                    chip.bind(on_release=lambda c, name=name: self.form.toggle(name, c.code))
                    chips.add_widget(chip)
                box.add_widget(chips)

    def save(self) -> None:
        changes = self.form.changes()
        if not changes:
            self.app.go_back()
            return
        resident_id = self.resident_id
        self.app.write(lambda service: service.edit_resident(resident_id, changes),
                       lambda _none: self.app.go_back(), self._failed)

    def _failed(self, error: BaseException) -> None:
        self.error = "\n".join(pr.invalid_input_messages(error.fields).values()) \
            if isinstance(error, service_errors().InvalidInput) else str(error)


class SyncScreen(AppScreen):
    last_success = StringProperty("")
    quarantined = StringProperty("")
    last_result = StringProperty("")
    progress_text = StringProperty("")
    progress = NumericProperty(0)
    rejected_count = NumericProperty(0)
    conflict_count = NumericProperty(0)

    def load(self, **_params) -> None:
        self.refresh()

    def refresh(self) -> None:
        def job():
            service = self.app.service
            return pr.sync_view(service.last_success(), service.last_sync(),
                                service.rejected_ops(), service.my_conflicts(),
                                service.quarantined_count())
        self.app.local.submit(job, self.show)

    def show(self, view: pr.SyncView) -> None:
        self.last_success, self.last_result = view.last_success, view.last_result
        self.quarantined = view.quarantined
        self.rejected_count, self.conflict_count = len(view.rejected), len(view.conflicts)
        self.ids.rejected.clear_widgets()
        for entry in view.rejected:
            self.ids.rejected.add_widget(Factory.RejectedEntry(**entry))
        self.ids.conflicts.clear_widgets()
        for entry in view.conflicts:
            self.ids.conflicts.add_widget(Factory.ConflictEntry(
                head=f"{entry['resident']} · {entry['head']}", body=entry["body"],
                status=entry["status"]))

    def show_progress(self, progress) -> None:
        self.progress_text = pr.progress_text(progress.phase, progress.done, progress.total)
        if progress.total:
            self.progress = min(1.0, progress.done / progress.total)
        else:
            self.progress = 0.5 if progress.phase == "pull" else 1.0

    def dismiss(self, op_id: str) -> None:
        self.app.write(lambda service: service.dismiss_rejected(op_id),
                       lambda _none: self.refresh())

    def resubmit(self, op_id: str) -> None:
        """Send a refused change again (a new change; the sync after a write sends it)."""
        self.app.write(lambda service: service.resubmit_rejected(op_id),
                       lambda _none: self.refresh())


class SettingsScreen(AppScreen):
    def on_kv_post(self, _base) -> None:
        for code, text, scale in pr.TEXT_SIZES:
            chip = Factory.Chip(text=_(text), code=code, group="text_size", size_hint=(1, 1),
                                allow_no_selection=False)
            chip.bind(on_release=lambda c, scale=scale: self.app.set_font_scale(scale))
            self.ids.sizes.add_widget(chip)

    def load(self, **_params) -> None:
        for chip in self.ids.sizes.children:
            scale = next(s for code, _t, s in pr.TEXT_SIZES if code == chip.code)
            chip.state = "down" if abs(scale - self.app.font_scale) < 0.01 else "normal"
        service = self.app.service
        self.app.local.submit(lambda: pr.account_lines(service.account, service.store.encrypted),
                              self._account)

    def _account(self, lines) -> None:
        box = self.ids.account
        box.clear_widgets()
        for name, value in lines:
            box.add_widget(Factory.FactRow(name=name, value=value))

    def sign_out(self, force: bool = False) -> None:
        self.app.local.submit(lambda: self.app.service.sign_out(force=force),
                              lambda _none: self.app.signed_out(), self._refused)

    def _refused(self, error: BaseException) -> None:
        if not isinstance(error, service_errors().UnsentChanges):
            log.error("sign out failed: %s", error)
            return
        self.app.confirm(
            _("Changes not sent yet"),
            _("{count} changes on this tablet have not reached the server. Signing out now "
              "deletes them for ever. Sync first when there is signal.").format(
                count=error.count),
            [(_("Sync first"), "BigButton", lambda: self.app.open_screen("sync")),
             (_("Sign out and delete them"), "DangerButton",
              lambda: self.sign_out(force=True))])


FIRST_SCREENS = ("start", "signin", "pin", "today")  # the rest are made after the first frame
SCREENS = {"start": StartScreen, "signin": SignInScreen, "pin": PinScreen, "today": TodayScreen,
           "resident": ResidentScreen, "visit": VisitScreen, "note": NoteScreen,
           "edit": EditScreen, "sync": SyncScreen, "settings": SettingsScreen}


# ---- the app ---------------------------------------------------------------------------


class KnockdoorApp(App, SyncListener):
    connection_text = StringProperty("")
    connection_tone = StringProperty("muted")
    syncing = BooleanProperty(False)
    font_scale = NumericProperty(1.0)
    language = StringProperty(i18n.DEFAULT_LANGUAGE)

    def __init__(self, data_dir: str, language: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.local: Worker | None = None
        self._opening = None  # the open_tablet job
        self.data_dir = Path(data_dir)
        self.prefs = self._read_prefs()
        self.language = i18n.set_language(language or self.prefs.get("language"))
        self.font_scale = float(self.prefs.get("font_scale", 1.0))
        self.service = None  # the FieldService, once the worker has opened it
        self.current_detail = None
        self.history: list[tuple[str, dict]] = []
        self.autosync: AutoSync | None = None
        self.ready = False  # the service is open and the first screen shown (tests wait)
        self.locked_from: tuple[str, dict] | None = None  # where the lock came down

    def _read_prefs(self) -> dict:
        try:
            return json.loads((self.data_dir / PREFS_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _save_prefs(self) -> None:
        prefs = {"language": self.language, "font_scale": self.font_scale}
        path = self.data_dir / PREFS_FILE
        self.local.submit(lambda: path.write_text(json.dumps(prefs)))

    # ---- building -----------------------------------------------------------------------

    def build(self):
        self.title = _("Knock-door visits")
        self.local = Worker("local", on_ui)
        self.network = Worker("network", on_ui)
        # The database first, on its worker, while the screens are made here.
        self._opening = self.local.submit(lambda: open_tablet(self.data_dir))
        register_default_font()
        Window.clearcolor = theme.PAPER
        Window.bind(on_keyboard=self._on_key)
        Window.softinput_mode = "below_target"
        load_kv()
        self.manager = ScreenManager(transition=NoTransition())
        self._add_screens(FIRST_SCREENS)
        self.manager.current = "start"
        self._update_connection_text()
        Clock.schedule_once(self._await_opening, 0)
        return self.manager

    def _add_screens(self, names=None) -> None:
        for name, cls in SCREENS.items():
            if (names is None or name in names) and not self.manager.has_screen(name):
                self.manager.add_widget(cls(name=name))

    def _build_remaining_screens(self, _dt=None) -> None:
        """The screens not needed at start, made one per frame once the first is drawn."""
        missing = [name for name in SCREENS if not self.manager.has_screen(name)]
        if missing:
            self._add_screens(missing[:1])
            Clock.schedule_once(self._build_remaining_screens, 0)

    def _await_opening(self, _dt) -> None:
        job = self._opening
        if not job.ran:
            Clock.schedule_once(self._await_opening, 0)
            return
        if job.error is not None:  # the local database cannot be opened: nothing can work
            raise job.error
        service, gate, reason, rows = job.result
        self.service = service
        if gate == "open":
            self.signed_in(rows)
        elif gate in ("pin", "set_pin"):
            self.open_screen("pin", remember=False, mode="set" if gate == "set_pin" else
                             "unlock")
            self._start_autosync()  # the work goes on behind the lock
        else:
            self.open_screen("signin", remember=False, message_code=reason)
        self.ready = True
        Window.bind(on_touch_down=self._touched)
        Clock.schedule_interval(self._check_gate, GATE_CHECK_SECONDS)
        Clock.schedule_once(self._build_remaining_screens, 0.3)

    # ---- the lock (client.lock: PIN after idle time, stale-tablet rule) -------------------

    def _touched(self, *_args) -> bool:
        if self.service is not None:
            self.service.touch()  # in memory only: fine on the UI thread
        return False

    def _check_gate(self, _dt=None) -> None:
        if self.service is None or self.manager.current in ("start", "signin", "pin"):
            return
        service = self.service
        self.local.submit(lambda: (service.gate(), service.sign_in_reason()), self._gated)

    def _gated(self, outcome) -> None:
        gate, reason = outcome
        if self.manager.current in ("signin", "pin"):
            return
        if gate in ("sign_in", "wiped"):
            self.signed_out(message_code=reason)
        elif gate in ("pin", "set_pin"):
            for window in list(Window.children):  # a dialog may show a resident's phone
                if isinstance(window, ModalView):
                    window.dismiss(animation=False)
            self.locked_from = (self.manager.current, getattr(self, "_params", {}))
            self.open_screen("pin", remember=False, mode="set" if gate == "set_pin" else
                             "unlock")

    def unlocked(self) -> None:
        """Back to where the volunteer was (or the Today list after a sign-in)."""
        where, self.locked_from = self.locked_from, None
        if where is None or where[0] in ("start", "signin", "pin"):
            self.signed_in()
            return
        name, params = where
        self._params = params
        screen = self.screen(name)
        if name == "resident":
            screen.load(**params)
        else:
            screen.refresh()  # a half-filled form stays as it was
        self.manager.current = name
        if self.autosync is None:
            self._start_autosync()

    def screen(self, name: str) -> AppScreen:
        if not self.manager.has_screen(name):
            self._add_screens([name])
        return self.manager.get_screen(name)

    def open_resident(self, resident_id: str) -> None:
        """A tap on a Today row: the row's summary gives the heading at once."""
        self.open_screen("resident", resident_id=resident_id,
                         summary=self.screen("today").summary(resident_id))

    # ---- navigation -----------------------------------------------------------------------

    def open_screen(self, name: str, remember: bool = True, **params) -> None:
        current = self.manager.current
        if remember and current not in ("start", "signin") and current != name:
            self.history.append((current, getattr(self, "_params", {})))
        self._params = params
        self.screen(name).load(**params)
        self.manager.current = name

    def go_back(self) -> bool:
        if not self.history:
            return False
        name, params = self.history.pop()
        self._params = params
        screen = self.screen(name)
        if name == "resident":
            screen.load(**params)
        else:
            screen.refresh()
        self.manager.current = name
        return True

    def go_home(self) -> None:
        self.history.clear()
        self._params = {}
        self.screen("today").refresh()
        self.manager.current = "today"

    def _on_key(self, _window, key, *_args) -> bool:
        if key == 27:  # Esc on a desktop, the back button on Android
            return self.go_back() or self.manager.current != "today"
        return False

    # ---- account -------------------------------------------------------------------------

    def signed_in(self, rows=None) -> None:
        """``rows``: the Today list already read with the database (at start-up)."""
        self.history.clear()
        if rows is None:
            self.open_screen("today", remember=False)
        else:
            self._params = {}
            self.screen("today").show(rows)
            self.manager.current = "today"
        self._start_autosync()

    def signed_out(self, message_code: str | None = None) -> None:
        if self.autosync:
            self.autosync.stop()
            self.autosync = None
        self.history.clear()
        self.current_detail = None
        self.screen("today").ids.rows.data = []
        self.screen("today").summaries = []
        self.syncing = False
        self.open_screen("signin", remember=False, message_code=message_code)
        self._update_connection_text()

    def _start_autosync(self) -> None:
        if self.autosync:
            self.autosync.stop()
        self.autosync = AutoSync(self.service, self.network, schedule, self, on_ui)
        self.local.submit(self.service.unsent_count, self.autosync.set_unsent)
        self.autosync.start()

    # ---- writes ----------------------------------------------------------------------------

    def write(self, change, on_done=None, on_error=None) -> None:
        """A local change on the database worker; then the unsent count and the sync."""
        def job():
            result = change(self.service)
            return result, self.service.unsent_count()

        def done(outcome):
            result, unsent = outcome
            if self.autosync:
                self.autosync.set_unsent(unsent)
                self.autosync.visit_saved()
            if on_done:
                on_done(result)
        self.local.submit(job, done, on_error)

    def save_visit(self, resident_id: str, name: str, call: dict, on_error) -> None:
        """Save, then show the Today list already updated (the volunteer moves on).

        The write (a few milliseconds) runs on the worker while the UI thread waits for it at
        most FRAME_WAIT; the resident's row moves to its new place at once, from the fresh
        summary of that one resident, and the exact list, read again on the worker after the
        frame is drawn, replaces it."""
        today = self.screen("today")

        def job():
            self.service.record_visit(resident_id, **call)
            detail = self.service.resident(resident_id)
            return self.service.unsent_count(), detail.summary if detail else None

        def done(outcome):
            unsent, summary = outcome
            if summary is not None:
                today.place(summary)
            today.notice = _("Saved: visit to {name}.").format(name=name)
            self.history.clear()
            self._params = {}
            self.manager.current = "today"
            self.current_detail = None
            if self.autosync:
                self.autosync.set_unsent(unsent)
                self.autosync.visit_saved()
            self.last_saved_at = Clock.get_boottime()
            Clock.schedule_once(lambda _dt: today.refresh(), 0)  # after this frame is drawn
        self.local.submit(job, done, on_error).finish_within(FRAME_WAIT)

    # ---- sync ------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.autosync:
            self.autosync.request_sync()

    def on_connection(self, state) -> None:
        self.syncing = state.syncing
        self._update_connection_text(state)

    def _update_connection_text(self, state=None) -> None:
        state = state or (self.autosync.state if self.autosync else pr.ConnectionState())
        self.connection_text = state.text()
        self.connection_tone = state.tone()

    def on_progress(self, progress) -> None:
        self.screen("sync").show_progress(progress)

    def on_synced(self, report) -> None:
        sync_screen = self.screen("sync")
        sync_screen.progress_text = ""
        changed = report.pulled or report.pushed or report.rejected or report.evicted_grids
        if changed or self.manager.current == "sync":
            current = self.manager.current
            self.screen("today").refresh()
            if current in ("resident", "sync", "settings"):
                self.screen(current).refresh()

    def on_wiped(self) -> None:
        self.signed_out(message_code="wiped")

    def on_sign_in_required(self, code: str) -> None:
        """Refused, not revoked: back to sign-in; everything unsent stays for afterwards."""
        self.signed_out(message_code=code)

    def on_upgrade_required(self, side: str) -> None:
        if side == "server":
            self.confirm(_("Cannot send for now"), pr.sign_in_message("server_upgrade_required"),
                         [(_("OK"), "BigButton", None)])
            return
        self.confirm(_("Please update the app"), pr.sign_in_message("upgrade_required"),
                     [(_("OK"), "BigButton", None)])

    def on_resume(self) -> None:
        self._check_gate()
        if self.autosync:
            self.autosync.resumed()

    def on_pause(self) -> bool:
        return True  # keep running in the background on Android; nothing is lost either way

    def on_stop(self) -> None:
        if self.autosync:
            self.autosync.stop()

    # ---- settings --------------------------------------------------------------------------

    def switch_language(self, language: str) -> None:
        if language == self.language:
            return
        self.language = i18n.set_language(language)
        self.title = _("Knock-door visits")
        # Screens take their words when built: build them again in the new language.
        current, params, history = self.manager.current, getattr(self, "_params", {}), \
            list(self.history)
        detail = self.current_detail
        load_kv()
        self.manager.clear_widgets()
        self._add_screens()
        self._update_connection_text()
        self.current_detail = detail
        self.history = history
        self._params = params
        self.screen(current).load(**params)
        self.manager.current = current
        self._save_prefs()

    def set_font_scale(self, scale: float) -> None:
        self.font_scale = scale
        self._save_prefs()

    def call(self, number: str | None) -> None:
        if not number:
            return
        if platform == "android":
            try:
                from jnius import autoclass
                Intent = autoclass("android.content.Intent")
                Uri = autoclass("android.net.Uri")
                activity = autoclass("org.kivy.android.PythonActivity").mActivity
                activity.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse(f"tel:{number}")))
                return
            except Exception:  # noqa: BLE001 - fall back to showing the number
                log.exception("could not open the dialer")
        self.confirm(_("Call"), _("Phone number: {number}").format(number=number),
                     [(_("OK"), "BigButton", None)])

    def confirm(self, title: str, message: str, choices) -> Popup:
        """A question with big answer buttons; ``choices``: (text, button class, action)."""
        body = BoxLayout(orientation="vertical", spacing=12, padding=12)
        body.add_widget(Factory.Txt(text=message, color=(1, 1, 1, 1)))
        popup = Popup(title=title, content=body, size_hint=(0.9, None), height=620,
                      auto_dismiss=False, title_size=30)
        for text, kind, action in choices:
            button = getattr(Factory, kind)(text=text)

            def chosen(_button, action=action):
                popup.dismiss()
                if action:
                    action()
            button.bind(on_release=chosen)
            body.add_widget(button)
        body.add_widget(Factory.Widget())
        popup.open()
        return popup
