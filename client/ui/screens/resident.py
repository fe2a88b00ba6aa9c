"""One resident: the facts at the door, open conflicts, and the timeline of visits and notes."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from ..i18n import _
from ..presenters import resident as pr
from .base import FRAME_WAIT, AppScreen


class ResidentScreen(AppScreen):
    """Opens at once: the heading comes from the Today row's summary on the tap, the detail is
    read on the worker (well under a millisecond) and usually fills the same frame. Its widgets
    are made once and reused: opening another resident only changes their text."""
    resident_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    badge = StringProperty("")
    tone = StringProperty("muted")
    phone = StringProperty("", allownone=True)
    has_conflicts = BooleanProperty(False)
    timeline_empty = StringProperty("")
    detail_ready = BooleanProperty(False)  # the facts and timeline below belong to resident_id
    shown_id = StringProperty("")  # whose detail is on screen (the benchmark waits for it)
    timeline_complete = BooleanProperty(False)  # every entry filled, below the fold too
    TIMELINE_LIMIT = 40  # older entries are on the server; a stairwell needs the recent ones
    FIRST_ENTRIES = 6  # filled before the first frame: more than fit above the fold
    CHUNK = 8  # then this many per frame
    LISTENS = {"on_synced": "synced"}

    def on_kv_post(self, _base) -> None:
        self._pools: dict[str, list] = {"facts": [], "conflicts": [], "timeline": []}
        self._rest: list[dict] = []
        self._fill_rest = Clock.create_trigger(lambda _dt: self._fill_more(), 0)

    def load(self, resident_id: str = "", summary=None, **_params) -> None:
        if resident_id and resident_id != self.resident_id:
            self.resident_id = resident_id
            self.detail_ready, self.shown_id, self.phone = False, "", ""
            self._rest = []
            if summary is not None and summary.id == resident_id:
                self.title, self.subtitle, self.badge, self.tone = pr.resident_heading(summary)
            else:
                self.title = self.subtitle = self.badge = ""
            self.ids.scroll.scroll_y = 1
        self.refresh(wait=FRAME_WAIT)

    def refresh(self, wait: float = 0) -> None:
        resident_id = self.resident_id
        if not resident_id:
            return

        def job():
            detail = self.app.service.resident(resident_id)
            return detail, (pr.resident_view(detail) if detail else None)
        submitted = self.app.local.submit(job, self.show)
        if wait:
            submitted.finish_within(wait)

    def show(self, result) -> None:
        detail, view = result
        if detail is None:  # evicted by a sync (assignment ended): nothing to show here
            if self.manager and self.manager.current == self.name:
                self.app.go_home()
            return
        if detail.summary.id != self.resident_id:
            return
        self.app.current_detail = detail
        self.title, self.subtitle = view.title, view.subtitle
        self.badge, self.tone, self.phone = view.badge, view.tone, view.phone or ""
        self._reuse("facts", [{"name": name, "value": value} for name, value in view.facts],
                    Factory.FactRow)
        self._reuse("conflicts", view.conflicts, Factory.ConflictEntry)
        self.has_conflicts = bool(view.conflicts)
        timeline = view.timeline[:self.TIMELINE_LIMIT]
        self._reuse("timeline", timeline[:self.FIRST_ENTRIES], Factory.TimelineEntry)
        self._rest = timeline[self.FIRST_ENTRIES:]
        self.timeline_complete = not self._rest
        if self._rest:
            self._fill_rest()
        self.timeline_empty = "" if view.timeline else _("No visits yet.")
        self.detail_ready, self.shown_id = True, self.resident_id

    def synced(self, _events, _report, changed: bool) -> None:
        if changed and self.is_current():
            self.refresh()

    def _fill_more(self) -> None:
        """The entries below the fold, a few per frame (none of them is on screen yet)."""
        if not self._rest:
            return
        shown = len(self.ids.timeline.children)
        chunk, self._rest = self._rest[:self.CHUNK], self._rest[self.CHUNK:]
        self._reuse("timeline", chunk, Factory.TimelineEntry, start=shown)
        if self._rest:
            self._fill_rest()
        else:
            self.timeline_complete = True

    def _reuse(self, name: str, items: list[dict], make, start: int = 0) -> None:
        """Show ``items`` in the container ``name`` from position ``start`` on, reusing the
        widgets made for earlier residents (only their text changes)."""
        container, pool = self.ids[name], self._pools[name]
        keys = ("name", "value") if name == "facts" else \
            ("head", "body", "status") if name == "conflicts" else \
            ("head", "body", "by", "state", "voided")
        while len(pool) < start + len(items):
            pool.append(make())
        for widget, item in zip(pool[start:], items):
            for key in keys:
                setattr(widget, key, item[key])
        wanted = pool[:start + len(items)]
        showing = container.children[::-1]  # top to bottom
        if showing == wanted:
            return
        for widget in showing[len(wanted):]:
            container.remove_widget(widget)
        for widget in wanted[len(container.children):]:
            container.add_widget(widget, index=0)  # index 0: at the bottom
