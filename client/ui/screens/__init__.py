"""The screens: each one's code (``<name>.py``) beside its layout (``<name>.kv``), by name.

``SCREENS`` is the one list of them; the App builds them from it and loads their layouts with
``load_kv`` (the shared widgets' ``widgets.kv`` first).
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from .duty import DutyScreen
from .edit import EditScreen
from .note import NoteScreen
from .pin import PinScreen
from .resident import ResidentScreen
from .scan import ScanScreen
from .settings import SettingsScreen
from .signin import SignInScreen
from .start import StartScreen
from .sync import SyncScreen
from .today import TodayScreen
from .visit import VisitScreen

HERE = Path(__file__).resolve().parent
WIDGETS_KV = HERE.parent / "widgets.kv"
FIRST_SCREENS = ("start", "signin", "pin", "today")  # the rest are made after the first frame
SCREENS = {"start": StartScreen, "signin": SignInScreen, "pin": PinScreen, "today": TodayScreen,
           "resident": ResidentScreen, "visit": VisitScreen, "note": NoteScreen,
           "edit": EditScreen, "sync": SyncScreen, "settings": SettingsScreen,
           "scan": ScanScreen, "duty": DutyScreen}


def load_kv() -> None:
    """(Re)load every layout: a change of language builds the screens again with fresh words."""
    for path in [WIDGETS_KV] + [HERE / f"{name}.kv" for name in SCREENS]:
        Builder.unload_file(str(path))
        Builder.load_file(str(path))
