"""The Sync screen: the last result, the refused changes with advice, the progress."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared import protocol as p

from ..i18n import _
from .common import (FIELD_LABELS, OUTCOME_LABELS, N_, conflict_entry, format_moment, label,
                     list_separator, parse_moment)

REJECTION_ADVICE = {
    p.REJ_OUT_OF_SCOPE: N_("You are no longer assigned to this resident's grid, so the server "
                           "did not take this change. Tell your supervisor what it said."),
    p.REJ_FIELD_NOT_EDITABLE: N_("Your role may not change this detail. Ask your supervisor "
                                 "to change it."),
    p.REJ_UNKNOWN_ENTITY: N_("The server no longer has this resident. Ask your supervisor."),
    p.REJ_INVALID: N_("The server found something wrong in this change. Record it again "
                      "with the right values."),
    p.REJ_ALREADY_EXISTS: N_("The server already has this record. Nothing to do."),
    p.REJ_RESIDENT_MOVED: N_("This resident has moved to another grid. Tell that grid's "
                             "supervisor what you recorded, then remove it from the list."),
    p.REJ_UNDELIVERABLE: N_("This change could not be sent, so it is kept here and the "
                            "others were sent. Please contact the community office."),
}
#: Reasons the tablet itself gives (the server's come with their own words).
OWN_REASONS = {p.REJ_UNDELIVERABLE: N_("it could not be sent after several tries")}
DEFAULT_ADVICE = N_("The server did not take this change. Show this to your supervisor.")
ENTITY_LABELS = {p.VISIT: N_("Visit"), p.NOTE: N_("Case note"),
                 p.RESIDENT: N_("Change of details")}


def rejected_entry(op: dict) -> dict:
    what = label(ENTITY_LABELS, op.get("entity"))
    data = op.get("data") or {}
    if op.get("entity") == p.RESIDENT:
        what = _("{what}: {detail}").format(what=what, detail=list_separator().join(
            label(FIELD_LABELS, name) for name in data))
    elif op.get("entity") == p.VISIT and data.get("outcome"):
        what = _("{what}: {detail}").format(what=what,
                                            detail=label(OUTCOME_LABELS, data["outcome"]))
    return {
        "op_id": op["op_id"],
        "head": f"{op.get('resident_name') or _('A resident no longer on this tablet')} · {what}",
        "when": format_moment(parse_moment(op.get("made_at"))),
        "reason": _("Reason: {reason}").format(
            reason=_(OWN_REASONS[op["reason_code"]]) if op.get("reason_code") in OWN_REASONS
            else op.get("reason") or op.get("reason_code") or _("not given")),
        "advice": _(REJECTION_ADVICE.get(op.get("reason_code"), DEFAULT_ADVICE)),
    }


SYNC_ERRORS = {
    "offline": N_("No signal: will try again by itself."),
    "refused": N_("The server refused the sync."),
    "digest_mismatch": N_("The copy on this tablet did not match; it will be fetched again."),
}


@dataclass
class SyncView:
    last_success: str
    last_result: str
    rejected: list[dict]
    conflicts: list[dict]
    #: Said when pulled records are set aside (client/pulled.py); empty otherwise.
    quarantined: str = ""


def sync_view(last_success: datetime | None, last_report, rejected_ops: list[dict],
              conflicts: list[dict], quarantined: int = 0) -> SyncView:
    if last_report is None:
        result = _("Not synced yet.")
    elif last_report.ok:
        result = _("Sent {pushed}, received {pulled}.").format(pushed=last_report.pushed,
                                                               pulled=last_report.pulled)
        if last_report.rejected:
            result += " " + _("{count} refused: see below.").format(count=last_report.rejected)
    else:
        result = _(SYNC_ERRORS.get(last_report.error_code, N_("Sync did not finish: {error}"))
                   ).format(error=last_report.error or "")
    return SyncView(last_success=_("Last successful sync: {when}").format(
        when=format_moment(last_success)), last_result=result,
        rejected=[rejected_entry(op) for op in rejected_ops],
        conflicts=[conflict_entry(c) for c in conflicts],
        quarantined=_("{count} records cannot be shown for now. Please contact the community "
                      "office.").format(count=quarantined) if quarantined else "")


def progress_text(phase: str, done: int, total: int | None) -> str:
    if phase == "push":
        return _("Sending {done} of {total}…").format(done=done, total=total or done)
    if phase == "pull":
        return _("Receiving… {done}").format(done=done)
    return _("Checking the copy…")
