"""Record a visit: what happened at the door, readings, mood, needs, services, checks."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.metrics import dp, sp
from kivy.properties import DictProperty, ObjectProperty, StringProperty
from kivy.uix.label import Label

from shared import protocol as p

from .. import presenters as pr, theme
from ..i18n import _
from .base import FRAME_WAIT, AppScreen, service_errors


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
        self._write(self.resident_id, self.resident_name, call)

    def _write(self, resident_id: str, name: str, call: dict) -> None:
        """Save, then the app shows the Today list already updated (the volunteer moves on).

        The write (a few milliseconds) runs on the worker while the UI thread waits for it at
        most FRAME_WAIT; the Today list puts the resident's row at its new place at once, from
        the fresh summary of that one resident, and reads the exact list again on the worker
        after the frame is drawn."""
        service = self.app.service

        def job():
            service.record_visit(resident_id, **call)
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
