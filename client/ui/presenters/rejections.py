"""A change the server refused, said in the volunteer's language: what happened, with names
(the resident, the grid), never ids, never the server's own sentence, and what to do.

The server sends a code and parameters (``reason: {code, message, params}``; see
docs/sync-protocol.md); the message is only a trace for the technical side. Parameters that did
not come are filled from what the tablet knows (the change's own grid and fields).
"""
from __future__ import annotations

from shared import protocol as p

from ..i18n import _
from .common import (FIELD_LABELS, OUTCOME_LABELS, READING_LABELS, N_, format_moment, label,
                     list_separator, parse_moment)

#: code → (what happened, what to do). Placeholders: {resident}, {grid}, {fields}.
REJECTION_WORDS = {
    p.REJ_OUT_OF_SCOPE: (
        N_("You no longer look after {grid}, so this change was not saved."),
        N_("Ask the community to check which grids you look after; once it is yours again, "
           "send it again.")),
    p.REJ_RESIDENT_MOVED: (
        N_("{resident} now belongs to {grid}, so this change was not saved here."),
        N_("Tell the people who look after {grid} what you recorded, then remove it from "
           "this list.")),
    p.REJ_FIELD_NOT_EDITABLE: (
        N_("Your role may not change {fields}."),
        N_("Ask the community to change it.")),
    p.REJ_INVALID: (
        N_("Something in this record was not filled in right ({fields})."),
        N_("Record it again with the right values.")),
    p.REJ_UNKNOWN_ENTITY: (
        N_("{resident} is no longer on the community's list."),
        N_("Please contact the community.")),
    p.REJ_ALREADY_EXISTS: (
        N_("This record was already saved."),
        N_("Nothing to do: remove it from the list.")),
    p.REJ_UNDELIVERABLE: (
        N_("It could not be sent after several tries."),
        N_("This change could not be sent, so it is kept here and the others were sent. "
           "Please contact the community office.")),
}
UNKNOWN_REJECTION = (N_("This change was not saved."), N_("Please contact the community."))
INVALID_WITHOUT_FIELDS = N_("Something in this record was not filled in right.")
ENTITY_LABELS = {p.VISIT: N_("Visit"), p.NOTE: N_("Case note"),
                 p.RESIDENT: N_("Change of details")}


def _grid(op: dict, params: dict, grid_names: dict) -> str:
    if params.get("grid_name"):
        return str(params["grid_name"])
    grid_id = params.get("grid_id")
    if grid_id is None and op.get("reason_code") == p.REJ_OUT_OF_SCOPE:
        grid_id = op.get("grid_id")  # the grid the change was sent to
    if grid_id is not None and grid_names.get(grid_id):
        return grid_names[grid_id]
    if op.get("reason_code") == p.REJ_RESIDENT_MOVED:
        return _("another grid")
    return _("this grid")


def _field_word(path) -> str | None:
    """A field as people say it, from a name or the server's dotted path
    (``data.readings.systolic``); None for one the tablet has no word for."""
    for part in reversed(str(path).split(".")):
        if part in READING_LABELS:
            return _(READING_LABELS[part])
        if part in FIELD_LABELS:
            return _(FIELD_LABELS[part])
    return None


def _fields(op: dict, params: dict) -> str:
    names = params.get("fields")
    if not isinstance(names, (list, tuple)) or not names:
        names = list(op.get("data") or {}) if op.get("entity") == p.RESIDENT else []
    words = []
    for name in names:
        word = _field_word(name)
        if word and word not in words:
            words.append(word)
    return list_separator().join(words)


def rejection_text(op: dict, grid_names: dict | None = None) -> tuple[str, str]:
    """(what happened, what to do) for one refused change."""
    code = op.get("reason_code")
    params = op.get("reason_params") if isinstance(op.get("reason_params"), dict) else {}
    what, todo = REJECTION_WORDS.get(code, UNKNOWN_REJECTION)
    fields = _fields(op, params)
    if code == p.REJ_INVALID and not fields:
        what = INVALID_WITHOUT_FIELDS
    values = {"resident": op.get("resident_name") or _("this resident"),
              "grid": _grid(op, params, grid_names or {}), "fields": fields or _("this detail")}
    return _(what).format(**values), _(todo).format(**values)


def rejected_entry(op: dict, grid_names: dict | None = None) -> dict:
    what = label(ENTITY_LABELS, op.get("entity"))
    data = op.get("data") or {}
    if op.get("entity") == p.RESIDENT:
        what = _("{what}: {detail}").format(what=what, detail=list_separator().join(
            label(FIELD_LABELS, name) for name in data))
    elif op.get("entity") == p.VISIT and data.get("outcome"):
        what = _("{what}: {detail}").format(what=what,
                                            detail=label(OUTCOME_LABELS, data["outcome"]))
    reason, advice = rejection_text(op, grid_names)
    return {
        "op_id": op["op_id"],
        "head": f"{op.get('resident_name') or _('A resident no longer on this tablet')} · {what}",
        "when": format_moment(parse_moment(op.get("made_at"))),
        "reason": reason,
        "advice": advice,
    }
