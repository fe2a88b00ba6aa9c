"""What a destructive action will do, said before it is done.

Revoking a tablet wipes it; deactivating an account wipes its tablets; ending an assignment takes
an area's residents off a person's tablets. Each asks for a confirmation that says so, in what
the server knows: it cannot count a tablet's unsent records (they are on the tablet), but it
knows when the tablet last updated (having sent everything it held), and how many records it
has received from it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import protocol as p

from ..models import CaseNote, Device, Visit
from .i18n import current_locale
from .i18n import gettext as _
from .timeutil import to_local

#: A reason is a sentence or two for the audit log.
MAX_REASON_CHARS = 200


def when(moment: datetime) -> str:
    """A local time for a sentence: 2026年11月24日 09:30 (2026-11-24 09:30 in English)."""
    local = to_local(moment)
    if current_locale() == "en":
        return local.strftime("%Y-%m-%d %H:%M")
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def received_from(session: Session, device_id: str) -> int:
    visits = session.scalar(select(func.count()).select_from(Visit).where(
        Visit.device_id == device_id))
    notes = session.scalar(select(func.count()).select_from(CaseNote).where(
        CaseNote.device_id == device_id))
    return visits + notes


def last_upload(device: Device) -> str:
    """What the server knows of a tablet's unsent records. The app pulls only after it has
    pushed everything it holds, so at its last pull nothing was left unsent."""
    if device.last_pull_at is not None:
        return _("%(tablet)s last updated on %(when)s, and had sent everything recorded before "
                 "then; anything recorded on it since has not reached the office and is lost.",
                 tablet=device.name, when=when(device.last_pull_at))
    if device.last_push_at is None:
        return _("%(tablet)s has never sent any records; everything recorded on it is lost.",
                 tablet=device.name)
    return _("%(tablet)s last sent records on %(when)s; anything recorded on it since then has "
             "not reached the office and is lost.", tablet=device.name,
             when=when(device.last_push_at))


def revoke_facts(session: Session, device: Device) -> list[str]:
    facts = [_("At its next contact the tablet is refused, signed out, and everything stored "
               "on it is deleted."),
             last_upload(device)]
    received = received_from(session, device.id)
    if received:
        facts.append(_("The %(count)s records already received from it stay.", count=received))
    facts.append(_("If the tablet is lost or stolen, revoke it now. If it only changes hands, "
                   "first let it upload where there is a signal, then revoke it."))
    return facts


def deactivate_facts(session: Session, name: str, devices: list[Device]) -> list[str]:
    facts = [_("%(name)s can no longer sign in, on the web or on a tablet.", name=name)]
    in_use = [device for device in devices if device.revoked_at is None]
    if in_use:
        facts.append(_("Their tablets (%(count)s) are refused at their next contact and "
                       "everything stored on them is deleted.", count=len(in_use)))
        facts += [last_upload(device) for device in in_use]
    facts.append(_("Their visits and notes already received stay."))
    return facts


def end_assignment_facts(name: str, area_name: str, devices: list[Device]) -> list[str]:
    facts = [_("From today %(name)s no longer looks after %(area)s; its residents leave their "
               "tablets at the next update.", name=name, area=area_name),
             _("Records made there and not yet uploaded are still accepted for %(days)s days.",
               days=p.ASSIGNMENT_GRACE_DAYS)]
    facts += [last_upload(device) for device in devices if device.revoked_at is None]
    return facts


def reason_error(reason: str) -> str | None:
    """What is wrong with a confirmation's reason, or None."""
    if not reason:
        return _("Reason: write why, for the audit log.")
    if len(reason) > MAX_REASON_CHARS:
        return _("Reason: at most %(count)s characters.", count=MAX_REASON_CHARS)
    return None
