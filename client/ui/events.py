"""What happened in the app that screens may want to know, as Kivy events.

The App dispatches them; each screen binds the ones it cares about while it is in the screen
manager (``AppScreen.LISTENS``), so the App never reaches into a screen to update it.
"""
from kivy.event import EventDispatcher


class AppEvents(EventDispatcher):
    """``on_visit_saved(summary, name)``: a visit was written (``summary``: the resident's fresh
    ResidentSummary, or None); ``on_sync_progress(progress)``: a step of the running sync;
    ``on_synced(report, changed)``: a sync ended (``changed``: it moved any data);
    ``on_signed_out()``: the account left this tablet's screens."""

    __events__ = ("on_visit_saved", "on_sync_progress", "on_synced", "on_signed_out")

    def on_visit_saved(self, summary, name: str) -> None:
        pass

    def on_sync_progress(self, progress) -> None:
        pass

    def on_synced(self, report, changed: bool) -> None:
        pass

    def on_signed_out(self) -> None:
        pass
