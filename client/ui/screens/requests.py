"""The requests tab: open requests of my grids, mine, and those with a deadline; claim, add
progress or a note, mark done, record the resident's verdict; raise one for the grid; see the
moves that did not go through and why. Everything works offline (client/requests.py)."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import StringProperty

from ..i18n import _
from ..presenters import requests as pr
from ..widgets import Card
from .base import AppScreen


class RequestCard(Card):
    request_id = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    facts = StringProperty("")
    tone = StringProperty("info")
    flag = StringProperty("")


class OfferCard(Card):
    title = StringProperty("")
    __events__ = ("on_raise",)

    def on_raise(self, *_args) -> None:
        pass


class RefusedCard(Card):
    op_id = StringProperty("")
    title = StringProperty("")
    reason = StringProperty("")


def read_requests(service, which: str):
    """Worker side: the cards and the refused moves."""
    from client.requests import RequestDesk
    desk = RequestDesk(service)
    return ([pr.request_card(view) for view in desk.requests(which)],
            [pr.refused_entry(item) for item in desk.refused_moves()],
            [pr.offer_entry(item) for item in desk.offers()])


class RequestsScreen(AppScreen):
    LISTENS = {"on_synced": "synced"}
    which = StringProperty("open")
    heading = StringProperty("")
    error = StringProperty("")
    focus = StringProperty("")  # a request to show first (a task tapped on 我的履职)

    def load(self, which: str = "", focus: str = "", **_params) -> None:
        self.which = which or self.which
        self.focus = focus
        self.error = ""
        self.refresh()

    def synced(self, *_args) -> None:
        if self.is_current():
            self.refresh()

    def show_list(self, which: str) -> None:
        self.which, self.focus = which, ""
        self.refresh()

    def refresh(self) -> None:
        which = self.which
        self.app.local.submit(lambda: read_requests(self.app.service, which), self.show)

    def show(self, result) -> None:
        cards, refused, offers = result
        self.heading = _("{count} requests").format(count=len(cards))
        box = self.ids.cards
        box.clear_widgets()
        for item in refused:
            box.add_widget(Factory.RefusedCard(op_id=item["op_id"], title=item["title"],
                                               reason=item["reason"]))
        for offer in offers:
            box.add_widget(Factory.OfferCard(title=offer["title"], on_raise=lambda _w, o=offer:
                                             self.raise_offer(o)))
        focus = self.focus
        for card in sorted(cards, key=lambda c: c["request_id"] != focus) if focus else cards:
            widget = Factory.RequestCard(request_id=card["request_id"], title=card["title"],
                                         subtitle=card["subtitle"], facts=card["facts"],
                                         tone=card["tone"], flag=card["overdue"] or card["unsent"])
            for move, text in card["buttons"]:
                widget.ids.buttons.add_widget(Factory.CardButton(
                    text=text, on_release=lambda _b, m=move, rid=card["request_id"]:
                    self.move(rid, m)))
            box.add_widget(widget)
        if not cards and not refused:
            box.add_widget(Factory.Muted(text=_("No requests here.")))

    def move(self, request_id: str, move: str) -> None:
        text = self.ids.text.text.strip()
        if move in ("progress", "note") and not text:
            self.error = _("Write the progress or note in the box above first.")
            return
        self.error = ""

        def change(service):
            from client.requests import RequestDesk
            desk = RequestDesk(service)
            if move == "claim":
                return desk.claim(request_id, plan=text or None)
            if move == "progress":
                return desk.progress(request_id, text)
            if move == "note":
                return desk.note(request_id, text)
            if move == "done":
                return desk.finish(request_id, text or None)
            return desk.verdict(request_id, move.split(":", 1)[1], text or None)
        self.app.write(change, self._saved, self._failed)

    def raise_for_grid(self) -> None:
        text = self.ids.text.text.strip()
        if not text:
            self.error = _("Describe what is needed in the box above first.")
            return
        def change(service):
            from client.requests import RequestDesk
            return RequestDesk(service).raise_request("other", text, channel="walk")
        self.app.write(change, self._saved, self._failed)

    def raise_offer(self, offer: dict) -> None:
        """One tap: the request for a need ticked at a visit, prefilled."""
        def change(service):
            from client.requests import RequestDesk
            return RequestDesk(service).raise_request(
                offer["category"], offer["description"], resident_id=offer["resident_id"],
                channel="visit", visit_id=offer["visit_id"])
        self.app.write(change, self._saved, self._failed)

    def dismiss(self, op_id: str) -> None:
        self.app.write(lambda service: service.dismiss_rejected(op_id), self._saved,
                       self._failed)

    def _saved(self, _result) -> None:
        self.ids.text.text = ""
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        refusal = getattr(error, "refusal", None)
        self.error = pr.refusal_text(refusal.code, refusal.params) if refusal else \
            _("This could not be saved as it was; ask your community.")
