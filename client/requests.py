"""The three lists on the tablet, with no Kivy in it: read requests, raise them, move them.

A request's copy comes from the server (the ``requests`` table, pulled like every record);
what the person sees is that copy with their own unsent moves on top, judged by the same rule
as the server's (shared/requests.py), so the screen offers only legal moves. A move that the
server refuses when it arrives (someone else claimed it first, it was reopened meanwhile) stays
in the outbox as refused, with the rule's code and parameters, until the person dismisses it
(:meth:`RequestDesk.refused_moves`). Everything works offline; sync is the app's usual one.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared import protocol as p
from shared import requests as r
from shared.clock import isoformat, parse_instant
from shared.district_day import district_today
from shared.requests import Actor, Move, Refusal, RequestState

from .service import FieldService, InvalidInput
from .store import OUTSTANDING, REJECTED

#: RequestState fields held as instants in a pulled copy.
_INSTANTS = ("owner_since", "handed_at", "done_at", "state_since")


class MoveNotAllowed(Exception):
    """The rule refuses this move here and now; ``refusal`` says why (code and parameters)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


@dataclass
class RequestView:
    id: str
    grid_id: int
    resident_id: str | None
    resident_name: str | None
    category: str
    description: str
    urgency: str
    state: RequestState
    raised_at: datetime | None
    raised_by_name: str | None
    plan: str | None
    timeline: list[dict] = field(default_factory=list)  # oldest first; "unsent" marks mine
    unsent: int = 0
    overdue: bool = False
    legal: list[str] = field(default_factory=list)  # the moves this person may make now
    #: The deadline was counted through a year the official holiday calendar does not cover
    #: yet (Monday to Friday); the server counts it again when the calendar is updated.
    due_provisional: bool = False


def _moment(text):
    return parse_instant(text) if text else None


def state_from_copy(copy: dict) -> RequestState:
    """The rule's view of a pulled request."""
    values = {name: _moment(copy.get(name)) for name in _INSTANTS}
    due = copy.get("due_on")
    return RequestState(state=copy["state"], owner_id=copy.get("owner_id"),
                        owner_name=copy.get("owner_name"), department_id=copy.get(
                            "department_id"), due_on=date.fromisoformat(due) if due else None,
                        verdict=copy.get("verdict"), claimed_at=None, **values)


class RequestDesk:
    """Requests for the signed-in person of ``service`` (a client.service.FieldService)."""

    def __init__(self, service: FieldService) -> None:
        self.service = service

    # ---- who ------------------------------------------------------------------------------

    def _actor(self) -> Actor:
        account = self.service.account
        if account is None:
            raise InvalidInput({"account": ["Not signed in."]})
        return Actor(account.person_id, account.role, account.display_name)

    # ---- reading ----------------------------------------------------------------------------

    def _rows(self, request_id: str | None = None):
        with self.service.store.reading() as db:
            where, args = ("WHERE id = ?", (request_id,)) if request_id else ("", ())
            copies = {row[0]: json.loads(row[1]) for row in db.execute(
                f"SELECT id, payload FROM requests {where}", args)}
            ops = [(json.loads(row[0]), row[1]) for row in db.execute(
                "SELECT op, state FROM outbox WHERE entity = ? AND state IN (?, ?) ORDER BY seq",
                (p.REQUEST_EVENT, *OUTSTANDING))]
            names = dict(db.execute("SELECT id, name FROM residents").fetchall())
        return copies, ops, names

    def _views(self, request_id: str | None = None) -> list[RequestView]:
        actor = self._actor() if self.service.account else None
        copies, ops, names = self._rows(request_id)
        views: dict[str, RequestView] = {}
        for copy in copies.values():
            views[copy["id"]] = RequestView(
                id=copy["id"], grid_id=copy["grid_id"], resident_id=copy.get("resident_id"),
                resident_name=names.get(copy.get("resident_id")), category=copy["category"],
                description=copy.get("description") or "", urgency=copy.get("urgency") or "normal",
                state=state_from_copy(copy), raised_at=_moment(copy.get("raised_at")),
                raised_by_name=copy.get("raised_by_name"), plan=copy.get("plan"),
                timeline=[dict(event) for event in copy.get("timeline") or ()],
                due_provisional=copy.get("due_provisional") is True)
        for op, _state in ops:
            data = op["data"]
            if request_id and data["request_id"] != request_id:
                continue
            view = views.get(data["request_id"])
            if view is not None and any(e.get("id") == op["entity_id"] for e in view.timeline):
                continue  # already in the server's copy
            move = Move(data["action"], {k: v for k, v in data.items()
                                         if k not in ("request_id", "action")})
            at = _moment(op["device_time"])
            if view is None:
                if move.action != r.RAISE:
                    continue  # a move on a request this tablet no longer holds
                view = views[data["request_id"]] = RequestView(
                    id=data["request_id"], grid_id=op["grid_id"],
                    resident_id=data.get("resident_id"),
                    resident_name=names.get(data.get("resident_id")),
                    category=data["category"], description=data.get("description") or "",
                    urgency=data.get("urgency") or "normal", state=RequestState(
                        r.RAISED, state_since=at), raised_at=at,
                    raised_by_name=actor.name if actor else None, plan=None)
            elif actor is not None and r.check(view.state, actor, move) is None:
                view.state = r.apply(view.state, actor, move, at)
                if move.action == r.CLAIM and move.data.get("plan"):
                    view.plan = move.data["plan"]
            view.unsent += 1
            view.timeline.append({"id": op["entity_id"], "action": move.action,
                                  "at": op["device_time"], "person_id": actor and
                                  actor.person_id, "person_name": actor and actor.name,
                                  "via": "tablet", "data": move.data, "unsent": True})
        today = district_today(self.service.clock(), self.service.district_zone)
        for view in views.values():
            view.overdue = r.is_overdue(view.state, today)
            if actor is not None:
                view.legal = r.legal_actions(view.state, actor, r.TABLET_ACTIONS)
        # Open before closed, overdue first, urgent first, then the newest.
        newest_first = sorted(views.values(), key=lambda v: isoformat(v.raised_at)
                              if v.raised_at else "", reverse=True)
        return sorted(newest_first, key=lambda v: (v.state.state in r.FINAL_STATES,
                                                   not v.overdue, v.urgency == "normal"))

    def request(self, request_id: str) -> RequestView | None:
        found = self._views(request_id)
        return found[0] if found else None

    def requests(self, which: str = "open") -> list[RequestView]:
        """``open``: not closed; ``mine``: open and held by me; ``due``: open with a due date,
        overdue ones first; ``all``."""
        views = self._views()
        me = self.service.account.person_id if self.service.account else None
        if which == "all":
            return views
        open_views = [v for v in views if v.state.state in r.OPEN_STATES]
        if which == "mine":
            return [v for v in open_views if v.state.owner_id == me]
        if which == "due":
            return sorted([v for v in open_views if v.state.due_on is not None],
                          key=lambda v: (not v.overdue, v.state.due_on))
        return open_views

    def open_counts_by_resident(self) -> dict[str, int]:
        """Residents with open requests, and how many: the Today list's badge."""
        counts: dict[str, int] = {}
        for view in self.requests("open"):
            if view.resident_id:
                counts[view.resident_id] = counts.get(view.resident_id, 0) + 1
        return counts

    def offers(self, days: int = 7) -> list[dict]:
        """Needs ticked at visits of the last ``days`` days with no request raised for them
        yet: the requests tab offers each with one tap, prefilled (:meth:`prefill_from_need`).
        """
        since = isoformat(self.service.clock() - timedelta(days=days))
        raised = {(v.resident_id, v.category) for v in self._views()
                  if v.state.state in r.OPEN_STATES}
        with self.service.store.reading() as db:
            rows = db.execute("SELECT v.id, v.resident_id, v.payload, r.name FROM visits v "
                              "JOIN residents r ON r.id = v.resident_id WHERE v.visited_at >= ?"
                              " ORDER BY v.visited_at DESC", (since,)).fetchall()
        found, seen = [], set()
        for visit_id, resident_id, payload, name in rows:
            for need in json.loads(payload).get("needs") or ():
                offer = self.prefill_from_need(resident_id, need, visit_id)
                key = (resident_id, offer["category"])
                if key in raised or key in seen:
                    continue
                seen.add(key)
                found.append({**offer, "resident_name": name})
        return found

    def refused_moves(self) -> list[dict]:
        """Moves the server refused, with the rule's code and parameters, until dismissed
        (client.service.FieldService.dismiss_rejected)."""
        return [{"op_id": row["op_id"], "request_id": row["op"]["data"]["request_id"],
                 "action": row["op"]["data"]["action"], "code": row["reason_code"],
                 "params": row.get("reason_params") or {}, "made_at": row["op"]["device_time"]}
                for row in self.service.store.outbox(REJECTED)
                if row["entity"] == p.REQUEST_EVENT]

    # ---- moves ------------------------------------------------------------------------------

    def _push_move(self, grid_id: int, request_id: str, action: str, data: dict,
                   resident_id: str | None = None) -> str:
        payload = {"request_id": request_id, "action": action,
                   **{k: v for k, v in data.items() if v not in (None, "")}}
        event_id = str(uuid.uuid4())
        op = self.service._op(p.REQUEST_EVENT, p.CREATE, event_id, grid_id, payload)
        self.service.store.add_op(op, None)
        return event_id

    def raise_request(self, category: str, description: str, *, resident_id: str | None = None,
                      grid_id: int | None = None, urgency: str = "normal",
                      location: str | None = None, channel: str = "walk",
                      visit_id: str | None = None) -> str:
        """Raise a request (about a resident, or about the grid: a broken street light).
        Returns its id."""
        actor = self._actor()
        refusal = r.check(None, actor, Move(r.RAISE, {"category": category}))
        if refusal:
            raise MoveNotAllowed(refusal)
        if resident_id:
            grid_id, _version = self.service._resident_row(resident_id)
        if grid_id is None:
            grids = self.service.grids()
            if len(grids) != 1:
                raise InvalidInput({"grid_id": ["Choose the grid this request belongs to."]})
            grid_id = grids[0]["id"]
        request_id = str(uuid.uuid4())
        self._push_move(grid_id, request_id, r.RAISE, {
            "category": category, "description": (description or "").strip(),
            "urgency": urgency, "resident_id": resident_id, "location": location,
            "channel": channel, "visit_id": visit_id})
        return request_id

    def prefill_from_need(self, resident_id: str, need: str, visit_id: str | None = None) -> dict:
        """What "raise a request" offers for a need ticked on a visit (one tap to confirm)."""
        return {"category": r.NEED_CATEGORIES.get(need, "other"), "resident_id": resident_id,
                "channel": "visit", "visit_id": visit_id, "urgency": "normal", "need": need}

    def _move(self, request_id: str, action: str, data: dict) -> str:
        view = self.request(request_id)
        if view is None:
            raise MoveNotAllowed(Refusal(r.NO_SUCH_REQUEST))
        refusal = r.check(view.state, self._actor(), Move(action, data))
        if refusal:
            raise MoveNotAllowed(refusal)
        return self._push_move(view.grid_id, request_id, action, data)

    def claim(self, request_id: str, plan: str | None = None,
              plan_due_on: date | None = None) -> str:
        return self._move(request_id, r.CLAIM, {
            "plan": (plan or "").strip() or None,
            "plan_due_on": plan_due_on.isoformat() if plan_due_on else None})

    def progress(self, request_id: str, text: str) -> str:
        return self._move(request_id, r.PROGRESS, {"text": (text or "").strip()})

    def note(self, request_id: str, text: str) -> str:
        return self._move(request_id, r.NOTE, {"text": (text or "").strip()})

    def finish(self, request_id: str, text: str | None = None) -> str:
        return self._move(request_id, r.FINISH, {"text": (text or "").strip() or None})

    def verdict(self, request_id: str, verdict: str, text: str | None = None) -> str:
        return self._move(request_id, r.VERDICT, {"verdict": verdict,
                                                  "text": (text or "").strip() or None})


__all__ = ["RequestDesk", "RequestView", "MoveNotAllowed", "state_from_copy"]


def simulate_work(service: FieldService, rng, residents) -> int:
    """What a simulated tablet does with the three lists in a round (``knockdoor simulate``):
    sometimes raises a request from a need, then makes one legal move on a few open requests.
    Returns the moves made."""
    desk, made = RequestDesk(service), 0
    if residents and rng.random() < 0.5:
        resident = rng.choice(residents)
        offer = desk.prefill_from_need(resident.id, rng.choice(p.NEEDS))
        desk.raise_request(offer["category"], "走访时发现的需求", resident_id=resident.id,
                           channel="visit")
        made += 1
    for view in desk.requests("open")[:3]:
        moves = [m for m in view.legal if m != r.RAISE]
        if not moves:
            continue
        move = rng.choice(moves)
        try:
            if move == r.CLAIM:
                desk.claim(view.id, plan="这周内上门处理")
            elif move == r.PROGRESS:
                desk.progress(view.id, "已联系，正在办理")
            elif move == r.FINISH:
                desk.finish(view.id, "已办好")
            elif move == r.VERDICT:
                desk.verdict(view.id, rng.choice([r.SATISFIED] * 4 + [r.PARTLY, r.NOT_SATISFIED]))
            else:
                desk.note(view.id, "又去看了一次")
        except MoveNotAllowed:
            continue
        made += 1
    return made
