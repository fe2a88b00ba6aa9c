"""Dialogs the App opens for any screen: a question with big answer buttons, and the dialer."""
from __future__ import annotations

import logging

from kivy.factory import Factory
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.popup import Popup
from kivy.utils import platform

from .i18n import _

log = logging.getLogger(__name__)


def confirm(title: str, message: str, choices) -> Popup:
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


def dial(number: str | None, ask=confirm) -> None:
    """The phone's dialer with ``number`` on Android; elsewhere the number, shown."""
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
    ask(_("Call"), _("Phone number: {number}").format(number=number),
        [(_("OK"), "BigButton", None)])
