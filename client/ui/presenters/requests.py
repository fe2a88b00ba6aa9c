"""The requests tab (the three lists): a card per request, the moves the person may make on
it, and a refused move told in words (who holds the request and since when). No Kivy here."""
from __future__ import annotations

from shared import requests as r

from ..i18n import _
from .common import N_, format_day, format_moment, label, parse_moment, today_in_district

STATE_LABELS = {
    r.RAISED: N_("Waiting to be claimed"), r.CLAIMED: N_("Claimed"), r.IN_PROGRESS: N_("In hand"),
    r.HANDED_OVER: N_("Handed to a department"), r.ACCEPTED: N_("Department accepted it"),
    r.DEPT_IN_PROGRESS: N_("Department working on it"),
    r.DONE: N_("Done: ask the resident"), r.RETURNED: N_("Back with the community"),
    r.REOPENED: N_("Reopened"), r.CLOSED: N_("Closed"), r.WITHDRAWN: N_("Withdrawn"),
}
CATEGORY_LABELS = {
    "meals": N_("Meals"), "medicine": N_("Medicine"), "medical": N_("See a doctor"),
    "repairs": N_("Repairs"), "errands": N_("Errands"), "cleaning": N_("Cleaning"),
    "safety_hazard": N_("Safety hazard"), "dispute": N_("Dispute"),
    "paperwork": N_("Subsidy or paperwork"), "other": N_("Other need"),
}
VERDICT_LABELS = {r.SATISFIED: N_("Satisfied"), r.PARTLY: N_("Partly satisfied"),
                  r.NOT_SATISFIED: N_("Not satisfied")}
#: The buttons of a card, by move (a verdict has one button per verdict).
MOVE_LABELS = {r.CLAIM: N_("Claim it"), r.PROGRESS: N_("Add progress"),
               r.NOTE: N_("Add a note"), r.FINISH: N_("Mark done")}
ACTION_LABELS = {r.RAISE: N_("raise"), r.CLAIM: N_("claim"), r.PROGRESS: N_("progress"),
                 r.NOTE: N_("note"), r.FINISH: N_("done"), r.VERDICT: N_("verdict")}
TONES = {r.RAISED: "warn", r.REOPENED: "alert", r.RETURNED: "alert", r.DONE: "info",
         r.CLOSED: "ok", r.WITHDRAWN: "muted"}


def request_card(view) -> dict:
    """One card: plain values only (the screen builds its widgets from them)."""
    state = view.state
    facts = [label(STATE_LABELS, state.state)]
    if state.owner_name:
        facts.append(_("held by {name}").format(name=state.owner_name))
    if state.due_on:
        due = format_day(state.due_on, today_in_district())
        facts.append(_("due {date} (provisional)").format(date=due)
                     if view.due_provisional else _("due {date}").format(date=due))
    buttons = [(move, _(MOVE_LABELS[move])) for move in view.legal if move in MOVE_LABELS]
    if r.VERDICT in view.legal:
        buttons += [(f"{r.VERDICT}:{code}", _(word)) for code, word in VERDICT_LABELS.items()]
    return {
        "request_id": view.id,
        "title": "  ".join(filter(None, [label(CATEGORY_LABELS, view.category),
                                         view.resident_name or ""])),
        "subtitle": view.description,
        "facts": " · ".join(facts),
        "tone": "alert" if view.overdue else TONES.get(state.state, "info"),
        "overdue": _("Overdue") if view.overdue else "",
        "unsent": _("{count} unsent").format(count=view.unsent) if view.unsent else "",
        "buttons": buttons,
    }


def refusal_text(code: str, params: dict) -> str:
    """Why a move did not go through, in two sentences at most (what happened, what next)."""
    since = params.get("since")
    since = parse_moment(since) if isinstance(since, str) else since
    if code == r.ALREADY_CLAIMED:
        return _("{name} claimed it first, at {when}. Your notes stay on the request.").format(
            name=params.get("owner_name") or _("Someone"),
            when=format_moment(since) if since else "—")
    if code == r.REOPENED_SINCE:
        return _("The resident was not satisfied and it was reopened at {when}; ask again "
                 "after the next visit.").format(when=format_moment(since) if since else "—")
    if code == r.ALREADY_CLOSED:
        return _("This request was already closed.")
    if code == r.NOT_OWNER:
        return _("Only {name}, who holds it, can do this.").format(
            name=params.get("owner_name") or "—")
    if code == r.ROLE_NOT_ALLOWED:
        return _("Your role cannot do this; ask your community.")
    return _("This could not be saved as it was; ask your community.")


def offer_entry(offer: dict) -> dict:
    """A need ticked at a visit, offered as a request (one tap, prefilled)."""
    from .common import NEED_LABELS
    need = label(NEED_LABELS, offer["need"])
    return {**offer, "title": _("{name}: {need} (ticked at a visit)").format(
        name=offer["resident_name"], need=need),
        "description": _("Found at a visit: {need}").format(need=need)}


def refused_entry(refused: dict) -> dict:
    return {"op_id": refused["op_id"],
            "title": _("Not saved: {action}").format(
                action=label(ACTION_LABELS, refused["action"])),
            "reason": refusal_text(refused["code"], refused["params"] or {})}
