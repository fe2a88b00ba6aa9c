"""Sign in with the server address, username, password and a name for this tablet."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, StringProperty

from shared.provisioning import looks_like_payload

from ..presenters import signin as pr
from .base import AppScreen, service_errors


class SignInScreen(AppScreen):
    errors = DictProperty({})
    message = StringProperty("")
    notice = StringProperty("")  # good news (a sign-in code read), not a problem
    busy = BooleanProperty(False)
    can_scan = BooleanProperty(False)  # a camera and a QR decoder on this device

    def load(self, message_code: str | None = None, code: str | None = None,
             **_params) -> None:
        """``code``: a sign-in code just scanned (screens/scan.py)."""
        from .scan import camera_available

        self.can_scan = camera_available()
        self._scanned = code
        self.code = None  # a sign-in sheet's one-time code read, sent instead of a password
        self.message = pr.sign_in_message(message_code) if message_code else ""
        self.notice = ""
        self.errors = {}
        self.ids.password.text = ""
        self.app.local.submit(self.app.service.remembered_sign_in, self._remembered)

    def _remembered(self, remembered: dict) -> None:
        for name in ("server_url", "username", "device_name"):
            if remembered.get(name) and not self.ids[name].text:
                self.ids[name].text = remembered[name]
        offered = self._scanned or self.app.offered_server  # scanned, or `--server`
        if offered and looks_like_payload(offered):
            self.provision(offered)
        elif offered:
            self.ids.server_url.text = pr.normalise_server_url(offered)

    def server_typed(self, text: str) -> None:
        """A sign-in code pasted (or put there by a scanner) fills in the form."""
        if looks_like_payload(text):
            Clock.schedule_once(lambda _dt: self.provision(text), 0)

    def provision(self, text: str) -> None:
        values, code, said = pr.read_provisioning(text)
        if values is None:
            self.message, self.notice = said, ""
            return
        self.code = code
        for name, value in values.items():
            self.ids[name].text = value
        self.message, self.notice, self.errors = "", said, {}

    def sign_in(self) -> None:
        values = {name: self.ids[name].text for name in
                  ("server_url", "username", "password", "device_name")}
        code = self.code
        self.errors = pr.check_sign_in(**values, code=code)
        if self.errors:
            return
        self.busy, self.message, self.notice = True, "", ""
        server_url = pr.normalise_server_url(values["server_url"])
        self.app.network.submit(
            lambda: self.app.service.sign_in(server_url, values["username"].strip(),
                                             values["password"],
                                             values["device_name"].strip(), code=code),
            self._signed_in, self._failed)

    def _signed_in(self, _account) -> None:
        self.busy, self.code = False, None
        self.ids.password.text = ""
        self.app.open_screen("pin", remember=False, mode="set")

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        code = error.code if isinstance(error, service_errors().SignInError) else "server_error"
        self.message = pr.sign_in_message(code)
