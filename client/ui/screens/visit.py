"""Record a visit: how it was made, what happened at the door, the quick checklist, readings
(a dangerous one is said at once), mood, needs, services, advice, device checks."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, DictProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from shared import protocol as p
from shared.district_rules import DEFAULT_RULES

from .. import presenters as pr
from ..i18n import _
from .base import FRAME_WAIT, AppScreen, service_errors


class CheckRow(BoxLayout):
    """One of the resident's safety devices and how it was found (its look: visit.kv)."""
    caption = StringProperty("")
    device = StringProperty("")


class ChecklistRow(BoxLayout):
    """One item of the quick checklist: 无问题 unless 有情况, then what it is (visit.kv)."""
    caption = StringProperty("")
    item = StringProperty("")
    concern = BooleanProperty(False)


Factory.register("CheckRow", cls=CheckRow)
Factory.register("ChecklistRow", cls=ChecklistRow)


class VisitScreen(AppScreen):
    resident_id = StringProperty("")
    resident_name = StringProperty("")
    errors = DictProperty({})
    reading_errors = StringProperty("")
    save_error = StringProperty("")
    draft_notice = StringProperty("")
    danger_text = StringProperty("")  # a dangerous reading, said as it is typed
    family_text = StringProperty("")  # whom to call about it
    follow_up_offer = StringProperty("")
    follow_up_taken = BooleanProperty(False)
    form = ObjectProperty(pr.VisitForm(), rebind=True)
    DRAFT_DELAY = 0.5  # seconds of quiet before what was typed is kept as the draft
    #: Seconds of quiet before a reading is judged: a keyboard types 185 as 1, 18, 185.
    WARN_DELAY = 0.6

    def on_kv_post(self, _base) -> None:
        ids = self.ids
        self.check_chips: dict = {}
        self._restoring = False  # putting a draft back into the widgets: not a change
        self._leaving = False  # the volunteer answered the question on 返回
        self._keep_draft = Clock.create_trigger(lambda _dt: self._store_draft(),
                                                self.DRAFT_DELAY)
        self._judge = Clock.create_trigger(lambda _dt: self._warn(typed=True),
                                           self.WARN_DELAY)
        self.rules = DEFAULT_RULES  # the district's, once read (load)
        # Strong references: kv ids are weak, and these parts leave the tree while hidden.
        # Each optional part goes back right after its anchor.
        self.away_field = ids.away_reason.__self__

        def part(anchor, *names):
            return ids[anchor].__self__, tuple(ids[name].__self__ for name in names)
        self._optional = {"met": part("outcome_error", "met_box"),
                          "away": part("outcome_error", "away_caption", "away_reason"),
                          "emergency": part("outcome_error", "emergency_box"),
                          "measured": part("met_top", "measured_box"),
                          "danger": part("reading_errors", "danger_box"),
                          "devices": part("advice", "devices_box")}
        # The form is laid out in visit.kv; these are its parts the screen reads and resets.
        self.inputs = {name: ids[name].__self__ for name in pr.READING_ORDER}
        self.outcome_buttons = ids.outcomes.chips
        self.mood_chips, self.need_chips = ids.moods.chips, ids.needs.chips
        self.service_chips = ids.services.chips
        self.follow_up_chips = ids.follow_up.chips
        self.parts: dict = {}  # widgets made in code, by name (the UI tests reach them)
        self._build_checklist()

    def chose(self, question: str, code: str, _chosen: bool) -> None:
        """A chip tapped in one of the form's questions (visit.kv)."""
        if question == "mood":
            self.form.choose_mood(code)
        elif question in ("needs", "services"):
            self.form.toggle(question, code)
        elif question == "advice":
            self.form.checks.toggle_advice(code)
        elif question == "method":
            self.form.checks.choose_method(code)
            self._refresh()
        elif question == "follow_up":
            self.form.follow_up = code
            self._sync_follow_up()
        self.changed()

    def typed(self, name: str, text: str) -> None:
        self.form.readings[name] = text
        self._judge()  # as soon as the volunteer pauses, not at 保存
        self.changed()

    # ---- the quick checklist and the warning --------------------------------------------

    def _build_checklist(self) -> None:
        box = self.ids.checklist
        self.checklist_rows = {}
        for row_data in pr.checklist_rows(self.form.checks):
            item = row_data["item"]
            row = Factory.ChecklistRow(item=item, caption=row_data["label"])
            row.ids.chips.bind(on_choice=lambda _w, code, _on, item=item: self._mark(item, code))
            row.ids.concern.bind(text=lambda _w, text, item=item: self._describe(item, text))
            box.add_widget(row)
            self.checklist_rows[item] = row
            self.parts[f"{item}_concern"] = row.ids.chips.chips["concern"]
            self.parts[f"{item}_text"] = row.ids.concern

    def _mark(self, item: str, state: str) -> None:
        self.form.checks.mark(item, state == "concern")
        self._show_checklist()
        self.changed()

    def _describe(self, item: str, text: str) -> None:
        if not self._restoring:
            self.form.checks.write_concern(item, text)
            self.changed()

    def _show_checklist(self) -> None:
        concerns = self.form.checks.concerns
        for item, row in self.checklist_rows.items():
            row.concern = item in concerns
            row.ids.chips.show({"concern" if item in concerns else "fine"})
            if row.ids.concern.text != concerns.get(item, ""):
                row.ids.concern.text = concerns.get(item, "")

    def _warn(self, typed: bool = False) -> None:
        lines = self.form.warnings(self.rules)
        self.danger_text = "\n".join(lines)
        box = self._optional["danger"][1][0]
        appears = bool(lines) and box.parent is None
        self._show("danger", bool(lines))
        if appears and typed:  # brought into sight, where the volunteer is looking
            Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(box, animate=False))

    def follow_up_tomorrow(self) -> None:
        """The warning's one tap: come back tomorrow."""
        self.form.propose_follow_up()
        self._sync_follow_up()
        self.changed()

    def _refresh(self) -> None:
        """Show the parts the outcome and the method call for."""
        form = self.form
        self._show("met", form.met)
        self._show("away", form.outcome == p.AWAY)
        self._show("emergency", form.outcome == p.EMERGENCY)
        self._show("measured", form.checks.measures)
        self._show("devices", form.checks.measures)
        self._warn()
        self._sync_follow_up()

    # ---- the draft (client/drafts.py): what was typed survives the app being killed ------

    def changed(self) -> None:
        """Something was typed or tapped: keep it as the draft once the volunteer pauses."""
        if not self._restoring:
            self._keep_draft()

    def _store_draft(self) -> None:
        service, resident_id = self.app.service, self.resident_id
        if not resident_id or service is None:
            return
        if self.form.is_blank():
            self.app.local.submit(lambda: service.discard_draft(resident_id))
        else:
            draft = self.form.to_draft()
            self.app.local.submit(lambda: service.save_draft(resident_id, draft))

    def _read_draft(self, resident_id: str) -> None:
        service = self.app.service
        self.app.local.submit(lambda: (resident_id, service.draft(resident_id)),
                              self._restore)

    def _restore(self, found) -> None:
        """Put a kept draft back into the form (after a kill, a lock or 返回)."""
        resident_id, draft = found
        if not draft or resident_id != self.resident_id:
            return
        self._restoring = True
        try:
            form = self.form = pr.VisitForm.from_draft(draft, self.form.safety_devices)
            for code, button in self.outcome_buttons.items():
                button.state = "down" if code == form.outcome else "normal"
            for name, field in self.inputs.items():
                field.text = form.readings.get(name, "")
            self._show_chosen()
            for (device, result), chip in self.check_chips.items():
                chip.state = "down" if form.safety_checks.get(device) == result else "normal"
            self.ids.note.text, self.away_field.text = form.note, form.away_reason
            self.ids.emergency_action.text = form.checks.emergency_action
            self._refresh()
        finally:
            self._restoring = False
        self.draft_notice = _("Restored what you filled in last time; it is not saved yet.")

    def may_leave(self, proceed) -> bool:
        """返回 on a half-filled form asks first; what was typed is kept as a draft."""
        if self._leaving or self.form.is_blank():
            return True
        self._keep_draft.cancel()
        self._store_draft()

        def keep():
            self._leaving = True
            proceed()

        def discard():
            self._reset_form()
            self._store_draft()  # blank: the draft goes
            keep()
        self.app.confirm(
            _("This visit is not saved yet"),
            _("What you filled in stays on this tablet as a draft and comes back when you "
              "record a visit to {name} again.").format(name=self.resident_name),
            [(_("Keep filling in"), "BigButton", None),
             (_("Keep the draft and go back"), "SecondButton", keep),
             (_("Throw it away and go back"), "DangerButton", discard)])
        return False

    def _show_chosen(self) -> None:
        """The chip sets as the form has them."""
        form = self.form
        for chips, chosen in ((self.ids.methods, {form.checks.method}),
                              (self.ids.moods, {form.mood}), (self.ids.needs, form.needs),
                              (self.ids.services, form.services),
                              (self.ids.advice, form.checks.advice)):
            chips.show(chosen)
        self._show_checklist()

    def load(self, resident_id: str = "", **_params) -> None:
        self.resident_id, self._leaving = resident_id, False
        service = self.app.service
        self.app.local.submit(lambda: service.district_rules, self._got_rules)
        detail = self.app.current_detail
        if detail is not None and detail.summary.id == resident_id:
            self._reset(detail)
        else:
            self.app.local.submit(lambda: self.app.service.resident(resident_id), self._reset)

    def _reset(self, detail) -> None:
        if detail is None:
            return
        self.resident_name = detail.summary.name
        record = detail.record
        contact, number = record.get("emergency_contact"), record.get("emergency_phone")
        self.family_text = _("Family: {contact} {number}").format(
            contact=contact or "", number=number).strip() if number else ""
        devices = list(detail.record.get("safety_devices") or [])
        self._build_checks(devices)
        self._reset_form(devices)
        self.ids.scroll.scroll_y = 1
        self._read_draft(detail.summary.id)

    def _reset_form(self, devices: list[str] | None = None) -> None:
        """An empty form (for the resident's devices)."""
        self._restoring = True
        devices = self.form.safety_devices if devices is None else devices
        self.form = pr.VisitForm(safety_devices=devices)
        self.errors, self.reading_errors, self.save_error = {}, "", ""
        self.draft_notice = ""
        for chip in self.check_chips.values():
            chip.state = "normal"
        for chip in self.outcome_buttons.values():
            chip.state = "normal"
        self._show_chosen()
        for field in self.inputs.values():
            field.text = ""
        self.ids.note.text = ""
        self.away_field.text = ""
        self.ids.emergency_action.text = ""
        self._refresh()
        self._restoring = False

    def _got_rules(self, rules) -> None:
        self.rules = rules
        self._warn()

    def _build_checks(self, devices: list[str]) -> None:
        box = self.ids.checks
        box.clear_widgets()
        self.check_chips = {}
        if not devices:
            box.add_widget(Factory.Muted(text=_("No safety devices on record.")))
            return
        for device in devices:
            row = Factory.CheckRow(caption=pr.label(pr.SAFETY_DEVICE_LABELS, device),
                                   device=device)
            row.ids.chips.bind(on_choice=lambda _w, code, _chosen, device=device: (
                self.form.check_device(device, code), self.changed()))
            for result, chip in row.ids.chips.chips.items():
                self.check_chips[(device, result)] = chip
            box.add_widget(row)

    def _show(self, part: str, visible: bool) -> None:
        """Add or take away an optional part of the form, right after its anchor."""
        anchor, widgets = self._optional[part]
        for widget in widgets:
            if widget.parent is not None and not visible:
                widget.parent.remove_widget(widget)
        if visible:
            parent = anchor.parent
            for widget in widgets:
                if widget.parent is None:
                    parent.add_widget(widget, index=parent.children.index(anchor))
                anchor = widget

    def choose_outcome(self, code: str, chosen: bool) -> None:
        if not chosen:  # tapped again: nothing chosen
            self.form.outcome = None
        else:
            self.form.choose_outcome(code)
        self.errors = {}
        self._refresh()
        self.changed()

    def _sync_follow_up(self) -> None:
        for code, chip in self.follow_up_chips.items():
            chip.state = "down" if code == self.form.follow_up else "normal"
        self.follow_up_taken = self.form.follow_up == pr.DANGER_FOLLOW_UP
        self.follow_up_offer = _("A visit tomorrow is set") if self.follow_up_taken else \
            _("Come back tomorrow")

    def save(self) -> None:
        errors = self.form.errors()
        self.errors = errors
        self.reading_errors = "\n".join(message for name, message in errors.items()
                                        if name not in pr.FORM_ERRORS)
        if errors:
            self.save_error = _("Check the red lines above.")
            self._scroll_to_error(errors)
            return
        self.save_error = ""
        call = self.form.to_call(pr.today_in_district())
        self._write(self.resident_id, self.resident_name, call)

    def _scroll_to_error(self, errors: dict) -> None:
        """Bring the first red line into sight (the form is longer than the screen)."""
        if "outcome" in errors:
            self.ids.scroll.scroll_y = 1
            return
        first = next((widget_id for name, widget_id in (
            ("emergency_action", "emergency_box"), ("checklist", "checklist_error"))
            if name in errors), "reading_errors")
        widget = self.ids[first].__self__
        Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(widget, animate=False))

    def _write(self, resident_id: str, name: str, call: dict) -> None:
        """Save, then the app shows the Today list already updated (the volunteer moves on).

        The write (a few milliseconds) runs on the worker while the UI thread waits for it at
        most FRAME_WAIT; the Today list puts the resident's row at its new place at once, from
        the fresh summary of that one resident, and reads the exact list again on the worker
        after the frame is drawn."""
        service = self.app.service
        self._keep_draft.cancel()  # saved: no draft to keep

        def job():
            service.record_visit(resident_id, **call)
            service.discard_draft(resident_id)
            detail = service.resident(resident_id)
            return service.unsent_count(), detail.summary if detail else None

        def done(outcome):
            unsent, summary = outcome
            self.app.visit_saved(summary, name, unsent)
        self.app.local.submit(job, done, self._failed).finish_within(FRAME_WAIT)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, service_errors().InvalidInput):
            messages = pr.invalid_input_messages(error.fields)
            self.reading_errors = "\n".join(messages.values())
            self.save_error = _("Check the red lines above.")
        else:
            self.save_error = _("Could not save: {error}").format(error=error)
