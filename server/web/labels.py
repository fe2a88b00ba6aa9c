"""Words for the codes the data uses (outcomes, roles, living situations …), in the page's
language. Every msgid here is in the catalogs; the codes themselves never reach a person."""
from __future__ import annotations

from shared import due
from shared import protocol as p

from .i18n import current_locale
from .i18n import gettext as _
from .request_words import request_audit_words


def _words() -> dict[str, dict[str, str]]:
    return {
        "outcome": {p.MET: _("Met"), p.NO_ANSWER: _("No answer"), p.REFUSED: _("Refused"),
                    p.AWAY: _("Away"), p.HOSPITALISED: _("In hospital"), p.MOVED: _("Moved"),
                    p.DECEASED: _("Deceased")},
        "living_situation": {p.ALONE: _("Living alone"), p.EMPTY_NEST: _("Empty nest"),
                             p.AGED_80_PLUS: _("Aged 80+"), p.DISABLED: _("Disabled")},
        "care_level": {"self_care": _("Self-care"), "assisted": _("Needs some help"),
                       "full_care": _("Full care")},
        "safety_devices": {"fall_alarm": _("Fall alarm"), "smoke_detector": _("Smoke detector"),
                           "gas_alarm": _("Gas alarm"), "emergency_button": _("Emergency button"),
                           "door_sensor": _("Door sensor")},
        "status": {"active": _("Active"), "hospitalised": _("In hospital"),
                   "moved": _("Moved away"), "deceased": _("Deceased")},
        "sex": {"F": _("Female"), "M": _("Male")},
        "role": {p.VOLUNTEER: _("Volunteer"), p.GRID_WORKER: _("Grid worker"),
                 p.REPRESENTATIVE: _("Representative"), p.SUPERVISOR: _("Supervisor"),
                 p.ADMIN: _("Administrator"), "department": _("Department staff")},
        "level": {p.DISTRICT: _("District"), p.STREET: _("Street"),
                  p.COMMUNITY: _("Community"), p.GRID: _("Grid")},
        "due": {due.OVERDUE: _("Overdue"), due.DUE_TODAY: _("Due today"),
                due.DUE_THIS_WEEK: _("Due this week"), due.NOT_DUE: _("Not due"),
                due.INACTIVE: _("Inactive")},
        "mood": {"good": _("Good"), "ok": _("So-so"), "low": _("Low")},
        "needs": {"meals": _("Meals"), "medicine": _("Medicine"), "errands": _("Errands"),
                  "cleaning": _("Cleaning"), "repairs": _("Repairs"), "medical": _("Medical care"),
                  "company": _("Company"), "paperwork": _("Paperwork")},
        "services": {"chat": _("Chat"), "health_check": _("Health check"),
                     "errand_run": _("Errand run"), "meal_delivered": _("Meal delivered"),
                     "repair_done": _("Repair done"), "referral": _("Referral"),
                     "device_check": _("Device check")},
        "check": {"ok": _("Working"), "faulty": _("Faulty"), "missing": _("Missing")},
        "correction": {p.VOID: _("Voided"), p.AMEND: _("Amended")},
        "conflict_status": {"open": _("Open"), "settled": _("Settled")},
        "action": {"web_sign_in": _("Signed in (web)"), "web_sign_out": _("Signed out (web)"),
                   "sign_in": _("Signed in (tablet)"), "view_resident": _("Viewed resident"),
                   "edit_resident": _("Changed resident"),
                   "add_resident": _("Added resident"), "add_visit": _("Recorded a visit"),
                   "add_note": _("Wrote a case note"),
                   "move_resident": _("Moved resident to another grid"),
                   "settle_conflict": _("Settled conflict"),
                   "import_roster": _("Imported roster"), "export": _("Exported"),
                   "add_person": _("Added person"), "deactivate_person": _("Deactivated person"),
                   "reset_password": _("Reset password"),
                   "provision_code": _("Made a tablet sign-in sheet"),
                   "assign": _("Assigned"), "end_assignment": _("Ended assignment"),
                   "revoke_device": _("Revoked tablet"), "push": _("Tablet push"),
                   "start_campaign": _("Started a campaign"),
                   "end_campaign": _("Ended a campaign"),
                   "pull": _("Tablet pull"), **request_audit_words()},
    }


FIELD_KINDS = {"living_situation": "living_situation", "safety_devices": "safety_devices",
               "care_level": "care_level", "status": "status", "sex": "sex"}


def word(kind: str, code) -> str:
    if code is None or code == "":
        return "—"
    return _words().get(kind, {}).get(code, str(code))


def choices(kind: str) -> list[tuple[str, str]]:
    return list(_words()[kind].items())


def field_value_text(field: str, value) -> str:
    """A resident field's value as a person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    kind = FIELD_KINDS.get(field)
    if isinstance(value, list):
        return list_separator().join(word(kind, v) if kind else str(v) for v in value)
    return word(kind, value) if kind else str(value)


def list_separator() -> str:
    return ", " if current_locale() == "en" else "、"
