"""The App: navigation between the screens, background workers, the lock, and the sync that
runs by itself.

Screens (client/ui/screens/) stay thin: they collect taps, hand the work to a worker (database or
network), and put the presenters' strings into their widgets when the result comes back through
``Clock``. The App never reaches into a screen to update it: it dispatches ``self.events``
(client/ui/events.py) and the screens that care listen.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.modalview import ModalView
from kivy.uix.popup import Popup
from kivy.uix.screenmanager import NoTransition, ScreenManager

from . import dialogs, i18n, theme, widgets  # noqa: F401 - widgets registers classes
from .background import AutoSync, SyncListener, Worker, open_tablet
from .events import AppEvents
from .fonts import register_default_font
from .i18n import _
from .presenters import sign_in_message
from .presenters.status import ConnectionState
from .screens import FIRST_SCREENS, SCREENS, load_kv
from .screens.base import AppScreen

log = logging.getLogger(__name__)
#: How often the app asks the client core whether it must lock (PIN, stale tablet).
GATE_CHECK_SECONDS = 5
PREFS_FILE = "ui-settings.json"


def on_ui(fn) -> None:
    """Run ``fn`` on the UI thread at the next frame (the workers' way back)."""
    Clock.schedule_once(lambda _dt: fn(), 0)


def schedule(delay: float, fn):
    event = Clock.schedule_once(lambda _dt: fn(), delay)
    return event.cancel


# ---- the app ---------------------------------------------------------------------------


class KnockdoorApp(App, SyncListener):
    connection_text = StringProperty("")
    connection_tone = StringProperty("muted")
    syncing = BooleanProperty(False)
    font_scale = NumericProperty(1.0)
    language = StringProperty(i18n.DEFAULT_LANGUAGE)

    def __init__(self, data_dir: str, language: str | None = None, server: str | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.offered_server = server  # filled in at sign-in (`knockdoor app --server URL`)
        self.local: Worker | None = None
        self._opening = None  # the open_tablet job
        self.data_dir = Path(data_dir)
        self.prefs = self._read_prefs()
        self.language = i18n.set_language(language or self.prefs.get("language"))
        self.font_scale = float(self.prefs.get("font_scale", 1.0))
        self.service = None  # the FieldService, once the worker has opened it
        self.current_detail = None
        self.events = AppEvents()  # what screens listen to (client/ui/events.py)
        self.history: list[tuple[str, dict]] = []
        self.autosync: AutoSync | None = None
        self.ready = False  # the service is open and the first screen shown (tests wait)
        self.locked_from: tuple[str, dict] | None = None  # where the lock came down

    def _read_prefs(self) -> dict:
        try:
            return json.loads((self.data_dir / PREFS_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _save_prefs(self) -> None:
        prefs = {"language": self.language, "font_scale": self.font_scale}
        path = self.data_dir / PREFS_FILE
        self.local.submit(lambda: path.write_text(json.dumps(prefs)))

    # ---- building -----------------------------------------------------------------------

    def build(self):
        self.title = _("Knock-door visits")
        self.local = Worker("local", on_ui)
        self.network = Worker("network", on_ui)
        # The database first, on its worker, while the screens are made here.
        self._opening = self.local.submit(lambda: open_tablet(self.data_dir))
        register_default_font()
        Window.clearcolor = theme.PAPER
        Window.bind(on_keyboard=self._on_key)
        Window.softinput_mode = "below_target"
        load_kv()
        self.manager = ScreenManager(transition=NoTransition())
        self._add_screens(FIRST_SCREENS)
        self.manager.current = "start"
        self._update_connection_text()
        Clock.schedule_once(self._await_opening, 0)
        return self.manager

    def _add_screens(self, names=None) -> None:
        for name, cls in SCREENS.items():
            if (names is None or name in names) and not self.manager.has_screen(name):
                self.manager.add_widget(cls(name=name))

    def _build_remaining_screens(self, _dt=None) -> None:
        """The screens not needed at start, made one per frame once the first is drawn."""
        missing = [name for name in SCREENS if not self.manager.has_screen(name)]
        if missing:
            self._add_screens(missing[:1])
            Clock.schedule_once(self._build_remaining_screens, 0)

    def _await_opening(self, _dt) -> None:
        job = self._opening
        if not job.ran:
            Clock.schedule_once(self._await_opening, 0)
            return
        if job.error is not None:  # the local database cannot be opened: nothing can work
            raise job.error
        service, gate, reason, rows = job.result
        self.service = service
        if gate == "open":
            self.signed_in(rows)
        elif gate in ("pin", "set_pin"):
            self.open_screen("pin", remember=False, mode="set" if gate == "set_pin" else
                             "unlock")
            self._start_autosync()  # the work goes on behind the lock
        else:
            self.open_screen("signin", remember=False, message_code=reason)
        self.ready = True
        Window.bind(on_touch_down=self._touched)
        Clock.schedule_interval(self._check_gate, GATE_CHECK_SECONDS)
        Clock.schedule_once(self._build_remaining_screens, 0.3)

    # ---- the lock (client.lock: PIN after idle time, stale-tablet rule) -------------------

    def _touched(self, *_args) -> bool:
        if self.service is not None:
            self.service.touch()  # in memory only: fine on the UI thread
        return False

    def _check_gate(self, _dt=None) -> None:
        if self.service is None or self.manager.current in ("start", "signin", "pin", "scan"):
            return
        service = self.service
        self.local.submit(lambda: (service.gate(), service.sign_in_reason()), self._gated)

    def _gated(self, outcome) -> None:
        gate, reason = outcome
        if self.manager.current in ("signin", "pin", "scan"):
            return
        if gate in ("sign_in", "wiped"):
            self.signed_out(message_code=reason)
        elif gate in ("pin", "set_pin"):
            for window in list(Window.children):  # a dialog may show a resident's phone
                if isinstance(window, ModalView):
                    window.dismiss(animation=False)
            self.locked_from = (self.manager.current, getattr(self, "_params", {}))
            self.open_screen("pin", remember=False, mode="set" if gate == "set_pin" else
                             "unlock")

    def unlocked(self) -> None:
        """Back to where the volunteer was (or the Today list after a sign-in)."""
        where, self.locked_from = self.locked_from, None
        if where is None or where[0] in ("start", "signin", "pin"):
            self.signed_in()
            return
        self._return_to(*where)
        if self.autosync is None:
            self._start_autosync()

    def screen(self, name: str) -> AppScreen:
        if not self.manager.has_screen(name):
            self._add_screens([name])
        return self.manager.get_screen(name)

    def open_resident(self, resident_id: str) -> None:
        """What a tap on a Today row does (the Today list knows the row's summary)."""
        self.screen("today").open_resident(resident_id)

    # ---- navigation -----------------------------------------------------------------------

    def open_screen(self, name: str, remember: bool = True, **params) -> None:
        current = self.manager.current
        if remember and current not in ("start", "signin") and current != name:
            self.history.append((current, getattr(self, "_params", {})))
        self._params = params
        self.screen(name).load(**params)
        self.manager.current = name

    def go_back(self) -> bool:
        if not self.history:
            return False
        if not self.screen(self.manager.current).may_leave(self.go_back):
            return True  # the screen asks first, and goes back itself once answered
        self._return_to(*self.history.pop())
        return True

    def _return_to(self, name: str, params: dict) -> None:
        """Show a screen the volunteer left: a resident's page is read again (it may have
        changed), any other screen refreshed as it was (a half-filled form stays)."""
        self._params = params
        screen = self.screen(name)
        if name == "resident":
            screen.load(**params)
        else:
            screen.refresh()
        self.manager.current = name

    def go_home(self) -> None:
        self.history.clear()
        self._params = {}
        self.screen("today").refresh()
        self.manager.current = "today"

    def _on_key(self, _window, key, *_args) -> bool:
        if key == 27:  # Esc on a desktop, the back button on Android
            return self.go_back() or self.manager.current != "today"
        return False

    # ---- account -------------------------------------------------------------------------

    def signed_in(self, rows=None) -> None:
        """``rows``: the Today list already read with the database (at start-up)."""
        self.history.clear()
        if rows is None:
            self.open_screen("today", remember=False)
        else:
            self._params = {}
            self.screen("today").load(rows=rows)
            self.manager.current = "today"
        self._start_autosync()

    def signed_out(self, message_code: str | None = None) -> None:
        if self.autosync:
            self.autosync.stop()
            self.autosync = None
        self.history.clear()
        self.current_detail = None
        self.events.dispatch("on_signed_out")
        self.syncing = False
        self.open_screen("signin", remember=False, message_code=message_code)
        self._update_connection_text()

    def _start_autosync(self) -> None:
        if self.autosync:
            self.autosync.stop()
        self.autosync = AutoSync(self.service, self.network, schedule, self, on_ui)
        self.local.submit(self.service.unsent_count, self.autosync.set_unsent)
        self.autosync.start()

    # ---- writes ----------------------------------------------------------------------------

    def write(self, change, on_done=None, on_error=None) -> None:
        """A local change on the database worker; then the unsent count and the sync."""
        def job():
            result = change(self.service)
            return result, self.service.unsent_count()

        def done(outcome):
            result, unsent = outcome
            if self.autosync:
                self.autosync.set_unsent(unsent)
                self.autosync.visit_saved()
            if on_done:
                on_done(result)
        self.local.submit(job, done, on_error)

    def visit_saved(self, summary, name: str, unsent: int) -> None:
        """A visit was written: the Today list (already updated) is where the volunteer goes
        next; the sync follows by itself."""
        self.events.dispatch("on_visit_saved", summary, name)
        self.history.clear()
        self._params = {}
        self.manager.current = "today"
        self.current_detail = None
        if self.autosync:
            self.autosync.set_unsent(unsent)
            self.autosync.visit_saved()
        self.last_saved_at = Clock.get_boottime()

    # ---- sync ------------------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.autosync:
            self.autosync.request_sync()

    def on_connection(self, state) -> None:
        self.syncing = state.syncing
        self._update_connection_text(state)

    def _update_connection_text(self, state=None) -> None:
        state = state or (self.autosync.state if self.autosync else ConnectionState())
        self.connection_text = state.text()
        self.connection_tone = state.tone()

    def on_progress(self, progress) -> None:
        self.events.dispatch("on_sync_progress", progress)

    def on_synced(self, report) -> None:
        changed = bool(report.pulled or report.pushed or report.rejected or
                       report.evicted_grids)
        self.events.dispatch("on_synced", report, changed)

    def on_wiped(self) -> None:
        self.signed_out(message_code="wiped")

    def on_sign_in_required(self, code: str) -> None:
        """Refused, not revoked: back to sign-in; everything unsent stays for afterwards."""
        self.signed_out(message_code=code)

    def on_upgrade_required(self, side: str) -> None:
        if side == "server":
            self.confirm(_("Cannot send for now"), sign_in_message("server_upgrade_required"),
                         [(_("OK"), "BigButton", None)])
            return
        self.confirm(_("Please update the app"), sign_in_message("upgrade_required"),
                     [(_("OK"), "BigButton", None)])

    def on_resume(self) -> None:
        self._check_gate()
        if self.autosync:
            self.autosync.resumed()

    def on_pause(self) -> bool:
        return True  # keep running in the background on Android; nothing is lost either way

    def on_stop(self) -> None:
        if self.autosync:
            self.autosync.stop()

    # ---- settings --------------------------------------------------------------------------

    def switch_language(self, language: str) -> None:
        if language == self.language:
            return
        self.language = i18n.set_language(language)
        self.title = _("Knock-door visits")
        # Screens take their words when built: build them again in the new language.
        current, params, history = self.manager.current, getattr(self, "_params", {}), \
            list(self.history)
        detail = self.current_detail
        load_kv()
        self.manager.clear_widgets()
        self._add_screens()
        self._update_connection_text()
        self.current_detail = detail
        self.history = history
        self._params = params
        self.screen(current).load(**params)
        self.manager.current = current
        self._save_prefs()

    def set_font_scale(self, scale: float) -> None:
        self.font_scale = scale
        self._save_prefs()

    def call(self, number: str | None) -> None:
        dialogs.dial(number, self.confirm)

    def confirm(self, title: str, message: str, choices) -> Popup:
        """A question with big answer buttons; ``choices``: (text, button class, action)."""
        return dialogs.confirm(title, message, choices)
