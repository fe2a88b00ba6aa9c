"""Words for the codes the data uses, in the page's language: coded values come from the one
vocabulary (shared/vocabulary.py); the audit log's actions are the web view's own msgids. The codes
themselves never reach a person."""
from __future__ import annotations

from shared import protocol as p
from shared import vocabulary

from .i18n import current_locale
from .i18n import gettext as _


#: The page's kind names → the kinds of the one vocabulary (shared/vocabulary.py).
VOCABULARY_KINDS = {
    "outcome": "outcome", "living_situation": "legacy_living_situation",
    "care_level": "legacy_care_level", "safety_devices": "device", "status": "status",
    "sex": "sex", "role": "role", "level": "level", "due": "due", "mood": "mood",
    "needs": "need", "services": "service", "check": "check", "correction": "correction",
    "conflict_status": "conflict_status",
}
#: Choices offered on a page: only the codes the server accepts today.
ACCEPTED = {"role": p.ROLES}


def _words() -> dict[str, dict[str, str]]:
    """Words of the web view's own (the audit log's actions); codes are in the vocabulary."""
    return {
        "action": {"web_sign_in": _("Signed in (web)"), "web_sign_out": _("Signed out (web)"),
                   "sign_in": _("Signed in (tablet)"), "view_resident": _("Viewed resident"),
                   "edit_resident": _("Changed resident"),
                   "add_resident": _("Added resident"), "add_visit": _("Recorded a visit"),
                   "add_note": _("Wrote a case note"),
                   "move_resident": _("Moved resident to another grid"),
                   "settle_conflict": _("Settled conflict"),
                   "import_roster": _("Imported roster"), "export": _("Exported"),
                   "add_person": _("Added person"), "deactivate_person": _("Deactivated person"),
                   "assign": _("Assigned"), "end_assignment": _("Ended assignment"),
                   "revoke_device": _("Revoked tablet"), "push": _("Tablet push"),
                   "pull": _("Tablet pull")},
    }


FIELD_KINDS = {"living_situation": "living_situation", "safety_devices": "safety_devices",
               "care_level": "care_level", "status": "status", "sex": "sex"}


def word(kind: str, code) -> str:
    if code is None or code == "":
        return "—"
    if kind in VOCABULARY_KINDS:
        return vocabulary.label(VOCABULARY_KINDS[kind], code, current_locale())
    return _words().get(kind, {}).get(code, str(code))


def choices(kind: str) -> list[tuple[str, str]]:
    if kind in VOCABULARY_KINDS:
        codes = ACCEPTED.get(kind) or vocabulary.codes(VOCABULARY_KINDS[kind])
        return [(code, word(kind, code)) for code in codes]
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
    return vocabulary.separator(current_locale())
