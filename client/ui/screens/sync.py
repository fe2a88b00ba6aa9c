"""The sync: when it last worked, its progress, refused changes and conflicts."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import NumericProperty, StringProperty

from ..presenters import sync as pr
from ..widgets import Card
from .base import AppScreen


class RejectedEntry(Card):
    """A change the server refused (its look is in sync.kv)."""
    op_id = StringProperty("")
    head = StringProperty("")
    when = StringProperty("")
    reason = StringProperty("")
    advice = StringProperty("")


Factory.register("RejectedEntry", cls=RejectedEntry)


class SyncScreen(AppScreen):
    LISTENS = {"on_sync_progress": "show_progress", "on_synced": "synced"}
    last_success = StringProperty("")
    quarantined = StringProperty("")
    last_result = StringProperty("")
    progress_text = StringProperty("")
    progress = NumericProperty(0)
    rejected_count = NumericProperty(0)
    conflict_count = NumericProperty(0)

    def load(self, **_params) -> None:
        self.refresh()

    def refresh(self) -> None:
        def job():
            service = self.app.service
            return pr.sync_view(service.last_success(), service.last_sync(),
                                service.rejected_ops(), service.my_conflicts(),
                                service.quarantined_count(),
                                {grid["id"]: grid["name"] for grid in service.grids()})
        self.app.local.submit(job, self.show)

    def show(self, view: pr.SyncView) -> None:
        self.last_success, self.last_result = view.last_success, view.last_result
        self.quarantined = view.quarantined
        self.rejected_count, self.conflict_count = len(view.rejected), len(view.conflicts)
        self.ids.rejected.clear_widgets()
        for entry in view.rejected:
            self.ids.rejected.add_widget(Factory.RejectedEntry(**entry))
        self.ids.conflicts.clear_widgets()
        for entry in view.conflicts:
            self.ids.conflicts.add_widget(Factory.ConflictEntry(
                head=f"{entry['resident']} · {entry['head']}", body=entry["body"],
                status=entry["status"]))

    def synced(self, _events, _report, _changed: bool) -> None:
        self.progress_text = ""
        if self.is_current():
            self.refresh()

    def show_progress(self, _events, progress) -> None:
        self.progress_text = pr.progress_text(progress.phase, progress.done, progress.total)
        if progress.total:
            self.progress = min(1.0, progress.done / progress.total)
        else:
            self.progress = 0.5 if progress.phase == "pull" else 1.0

    def dismiss(self, op_id: str) -> None:
        self.app.write(lambda service: service.dismiss_rejected(op_id),
                       lambda _none: self.refresh())

    def resubmit(self, op_id: str) -> None:
        """Send a refused change again (a new change; the sync after a write sends it)."""
        self.app.write(lambda service: service.resubmit_rejected(op_id),
                       lambda _none: self.refresh())
