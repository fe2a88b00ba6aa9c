"""What every screen shares: the app it belongs to, loading on open, and the app's events."""
from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen

#: The UI thread waits at most this long for a quick local read or write (a resident's detail,
#: saving a visit) so the very next frame already shows the result; past it, the result comes
#: through Clock as usual. The disk work itself always stays on the worker.
FRAME_WAIT = 0.04


def service_errors():
    """The service's exception classes, imported when first needed (the client core pulls in
    pypinyin and requests: kept off the start-up path of the UI thread)."""
    from client import service

    return service


class AppScreen(Screen):
    """A screen that (re)loads its data when opened.

    ``LISTENS`` maps an event of ``app.events`` (client/ui/events.py) to the name of this
    screen's handler; they are bound while the screen is in the manager, and unbound when the
    manager lets it go (a change of language builds every screen again)."""

    LISTENS: dict[str, str] = {}

    @property
    def app(self):
        return App.get_running_app()

    def on_manager(self, _screen, manager) -> None:
        if not self.LISTENS:
            return
        handlers = {event: getattr(self, method) for event, method in self.LISTENS.items()}
        if manager is not None:
            self.app.events.bind(**handlers)
        else:
            self.app.events.unbind(**handlers)

    def load(self, **params) -> None:
        pass

    def refresh(self) -> None:
        """Pulled data may have changed what this screen shows."""

    def may_leave(self, proceed) -> bool:
        """Asked before 返回 takes the volunteer away: False when the screen asks first (it
        calls ``proceed`` once answered)."""
        return True

    def is_current(self) -> bool:
        return self.manager is not None and self.manager.current == self.name
