"""Language, text size, the account, and signing out."""
from __future__ import annotations

import logging

from kivy.factory import Factory

from ..i18n import _
from ..presenters import settings as pr
from .base import AppScreen, service_errors

log = logging.getLogger(__name__)


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
