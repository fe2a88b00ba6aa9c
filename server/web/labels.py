"""Words for the codes the data uses, in the page's language: coded values come from the one
vocabulary (shared/vocabulary.py); the audit log's actions are the web view's own msgids. The codes
themselves never reach a person."""
from __future__ import annotations

from shared import protocol as p
from shared import district_rules, resident_fields, vocabulary
from shared.district_rules import AGED_80_PLUS
from shared.requests import DEPARTMENT

from .. import district

from .i18n import current_locale
from .i18n import gettext as _
from .request_words import request_audit_words
from .timeutil import local_today


#: The page's kind names → the kinds of the one vocabulary (shared/vocabulary.py).
VOCABULARY_KINDS = {
    # a resident field's name for the words of its codes (shared/resident_fields.py)
    **{field.name: field.codes for field in resident_fields.FIELDS if field.codes},
    "outcome": "outcome", "method": "method", "check_item": "check_item",
    "advice": "advice", "derived_category": "derived_category", "alert_kind": "alert_kind",
    "representative_level": "representative_level",
    "living_situation": "legacy_living_situation",
    "care_level": "legacy_care_level", "role": "role", "level": "level", "due": "due", "mood": "mood",
    "needs": "need", "services": "service", "check": "check", "correction": "correction",
    "conflict_status": "conflict_status",
}
#: Choices offered on a page: only the codes the server accepts today.
ACCEPTED = {"role": lambda: p.ROLES, "care_categories": lambda: district.rules().categories}


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
                   "reset_password": _("Reset password"),
                   "provision_code": _("Made a tablet sign-in sheet"),
                   "assign": _("Assigned"), "end_assignment": _("Ended assignment"),
                   "revoke_device": _("Revoked tablet"), "push": _("Tablet push"),
                   "start_campaign": _("Started a campaign"),
                   "end_campaign": _("Ended a campaign"),
                   "pull": _("Tablet pull"), "close_alert": _("Closed an alert"),
                   "pair": _("Paired a resident with a visitor"),
                   "end_pairing": _("Ended a pairing"),
                   **request_audit_words()},
    }


#: Resident fields whose values are codes (their words: the field's own kind above).
FIELD_KINDS = {field.name: field.name for field in resident_fields.FIELDS if field.codes}


def word(kind: str, code) -> str:
    if code is None or code == "":
        return "—"
    if kind == "role" and code == DEPARTMENT:  # the three lists' accounts, not a field role
        return _("Department staff")
    if kind in VOCABULARY_KINDS:
        return vocabulary.label(VOCABULARY_KINDS[kind], code, current_locale())
    return _words().get(kind, {}).get(code, str(code))


def choices(kind: str) -> list[tuple[str, str]]:
    if kind in VOCABULARY_KINDS:
        codes = ACCEPTED[kind]() if kind in ACCEPTED else vocabulary.codes(VOCABULARY_KINDS[kind])
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


def category_word(code: str) -> str:
    """A care category's word; 高龄 (computed, never stored) included."""
    return word("derived_category", code) if code == AGED_80_PLUS else word("care_categories", code)


def categories_text(codes) -> str:
    words = [category_word(code) for code in codes or ()]
    return list_separator().join(words) if words else "—"


def category_choices() -> list[tuple[str, str]]:
    """The categories a supervisor may pick for a list or a campaign, 高龄 included."""
    return choices("care_categories") + [(AGED_80_PLUS, category_word(AGED_80_PLUS))]


def shown_categories(categories, birth_year) -> str:
    """关爱类别 as a supervisor reads them, 高龄 computed from the birth year (never stored)."""
    today = local_today()
    words = [word("derived_category", code) if code == AGED_80_PLUS
             else word("care_categories", code)
             for code in district_rules.shown_categories(categories, birth_year, today)]
    return list_separator().join(words) if words else "—"
