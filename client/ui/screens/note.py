"""Write a case note about a resident."""
from __future__ import annotations

from kivy.properties import StringProperty

from ..i18n import _
from ..presenters import common as pr
from .base import AppScreen, service_errors


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
