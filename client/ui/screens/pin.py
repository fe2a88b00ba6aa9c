"""Set the unlock code after a sign-in, or unlock after idle time (client.lock)."""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from ..i18n import _
from ..presenters import pin as pr
from .base import AppScreen


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
