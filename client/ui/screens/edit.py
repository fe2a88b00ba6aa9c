"""Change a resident's details that the volunteer's role may change."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import StringProperty

from .. import presenters as pr
from ..i18n import _
from .base import AppScreen, service_errors


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
                kind = Factory.NoteField if name in pr.LONG_TEXT_FIELDS else Factory.Field
                field = kind(text=self.form.values[name] or "")
                if name in pr.PHONE_FIELDS:
                    field.input_type = "tel"
                field.bind(text=lambda f, text, name=name: self.form.values.__setitem__(name,
                                                                                        text))
                box.add_widget(field)
                self.inputs[name] = field
            else:
                _labels, many = pr.CHOICE_FIELDS[name]
                chips = Factory.Chips()
                current = self.form.values[name]
                for code, text in pr.choices(name):
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
