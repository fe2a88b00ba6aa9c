"""The Sync screen: the last result, the refused changes with advice, the progress."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


from ..i18n import _
from .common import N_, conflict_entry, format_moment
from .rejections import rejected_entry

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
              conflicts: list[dict], quarantined: int = 0,
              grid_names: dict | None = None) -> SyncView:
    """``grid_names``: grid id → name, so a refused change names its grid."""
    if last_report is None:
        result = _("Not synced yet.")
    elif last_report.ok:
        result = _("Sent {pushed}, received {pulled}.").format(pushed=last_report.pushed,
                                                               pulled=last_report.pulled)
        if last_report.rejected:
            # two sentences: a space between them in English, none after 。 in Chinese
            result = _("{first} {second}").format(first=result, second=_(
                "{count} refused: see below.").format(count=last_report.rejected))
    else:
        result = _(SYNC_ERRORS.get(last_report.error_code, N_("Sync did not finish: {error}"))
                   ).format(error=last_report.error or "")
    return SyncView(last_success=_("Last successful sync: {when}").format(
        when=format_moment(last_success)), last_result=result,
        rejected=[rejected_entry(op, grid_names) for op in rejected_ops],
        conflicts=[conflict_entry(c) for c in conflicts],
        quarantined=_("{count} records cannot be shown for now. Please contact the community "
                      "office.").format(count=quarantined) if quarantined else "")


def progress_text(phase: str, done: int, total: int | None) -> str:
    if phase == "push":
        return _("Sending {done} of {total}…").format(done=done, total=total or done)
    if phase == "pull":
        return _("Receiving… {done}").format(done=done)
    return _("Checking the copy…")
