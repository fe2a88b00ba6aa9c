"""Sign in with the server address, username, password and a name for this tablet."""
from __future__ import annotations

from kivy.properties import BooleanProperty, DictProperty, StringProperty

from ..presenters import signin as pr
from .base import AppScreen, service_errors


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
