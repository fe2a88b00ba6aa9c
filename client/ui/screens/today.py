"""The Today list: who to visit, searchable by name or pinyin initials."""
from __future__ import annotations

import bisect
import dataclasses

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview.views import RecycleDataViewBehavior

from ..background import read_today
from ..i18n import _
from ..presenters import today as pr
from ..presenters.campaigns import campaign_text
from .base import AppScreen


class ResidentRow(RecycleDataViewBehavior, ButtonBehavior, BoxLayout):
    """A Today row. RecycleView makes only as many as fit on the screen and refills them."""
    created = 0  # how many row widgets exist in this process (the benchmark reports it)
    resident_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    badge = StringProperty("")
    tone = StringProperty("muted")
    unsent_text = StringProperty("")
    header = StringProperty("")  # the group's header, on the group's first row only
    group = StringProperty("")
    header_height = NumericProperty(0)  # set by the layout (today.kv)

    def __init__(self, **kwargs) -> None:
        type(self).created += 1
        super().__init__(**kwargs)

    def on_release(self) -> None:
        App.get_running_app().screen("today").open_resident(self.resident_id)


class TodayScreen(AppScreen):
    LISTENS = {"on_visit_saved": "visit_saved", "on_synced": "synced",
               "on_signed_out": "signed_out"}
    heading = StringProperty("")
    empty_text = StringProperty("")
    notice = StringProperty("")
    #: Open campaigns (issue 12): who is to be visited within 24 hours, above the list.
    campaign = StringProperty("")

    NOTICE_SECONDS = 6

    def on_kv_post(self, _base) -> None:
        self._search = Clock.create_trigger(lambda _dt: self.refresh(), 0.2)
        self._clear_notice = Clock.create_trigger(lambda _dt: setattr(self, "notice", ""),
                                                  self.NOTICE_SECONDS)

    def on_notice(self, _screen, text: str) -> None:
        if text:
            self._clear_notice()

    summaries: list = []  # the ResidentSummary behind each row, in the same order

    def load(self, rows=None, **_params) -> None:
        """``rows``: the list already read with the database (at start-up)."""
        if rows is None:
            self.refresh()
        else:
            self.show(rows)
            self.refresh_campaigns()

    def open_resident(self, resident_id: str) -> None:
        """A tap on a row: the row's summary gives the Resident screen its heading at once."""
        self.app.open_screen("resident", resident_id=resident_id,
                             summary=self.summary(resident_id))

    def search_changed(self, _text: str) -> None:
        self._search()

    def refresh(self) -> None:
        query = self.ids.search.text
        self.app.local.submit(lambda: self.rows_for(query), self.show)
        self.refresh_campaigns()

    def refresh_campaigns(self) -> None:
        """Read the open campaigns off the UI thread, then show them above the list."""
        service = self.app.service
        self.app.local.submit(lambda: campaign_text(service.campaigns_today()),
                              lambda text: setattr(self, "campaign", text))

    def rows_for(self, query: str) -> tuple[str, list, list[dict]]:
        return read_today(self.app.service, query)

    def summary(self, resident_id: str):
        for summary in self.summaries:
            if summary.id == resident_id:
                return summary
        return None

    def place(self, summary) -> None:
        """Put one resident's fresh summary (just visited) at its place in the list at once,
        without waiting for the whole list to be read again."""
        rows = list(self.ids.rows.data)
        summaries = list(self.summaries)
        old = next((i for i, s in enumerate(summaries) if s.id == summary.id), None)
        if old is None:
            return  # not in this (searched) list
        # how well it matched the search is the list's business, not the fresh summary's
        summary = dataclasses.replace(summary, match=summaries[old].match)
        del summaries[old], rows[old]
        keys = [pr.today_sort_key(s) for s in summaries]
        index = bisect.bisect_right(keys, pr.today_sort_key(summary))
        summaries.insert(index, summary)
        rows.insert(index, pr.today_row(summary))
        if not self.ids.search.text.strip():
            rows = pr.group_rows(rows)
        self.summaries = summaries
        self.ids.rows.data = self._sized(rows)
        self.heading = pr.today_heading(rows, self.ids.search.text)

    def show(self, result: tuple[str, list, list[dict]]) -> None:
        query, summaries, rows = result
        if query != self.ids.search.text:
            return  # the volunteer typed on; the next refresh is already queued
        self.summaries = summaries
        rows = self._sized(rows)
        if rows != self.ids.rows.data:  # the same list again: keep the rows as drawn
            self.ids.rows.data = rows
        self.heading = pr.today_heading(rows, query)
        if rows:
            self.empty_text = ""
        elif query.strip():
            self.empty_text = _("Nobody matches. Try the pinyin initials, e.g. zlx.")
        else:
            self.empty_text = _("No residents on this tablet yet. They arrive with the first "
                                "sync.")

    def _sized(self, rows: list[dict]) -> list[dict]:
        """A row with a group header is taller by the header (RecycleView reads a row's height
        from its data; the others take the layout's default)."""
        scale = self.app.font_scale
        for row in rows:
            if row.get("header"):
                row["height"] = (dp(118) + dp(52)) * scale
            elif "height" in row:
                del row["height"]
        return rows

    def visit_saved(self, _events, summary, name: str) -> None:
        """The saved resident moves to its place at once; the exact list is read again after
        the frame is drawn."""
        if summary is not None:
            self.place(summary)
        self.notice = _("Saved: visit to {name}.").format(name=name)
        Clock.schedule_once(lambda _dt: self.refresh(), 0)

    def synced(self, _events, _report, changed: bool) -> None:
        if changed or self.app.manager.current == "sync":
            self.refresh()

    def signed_out(self, _events) -> None:
        self.ids.rows.data = []
        self.summaries = []
