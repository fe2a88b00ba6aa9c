"""The audit log as a person reads it: where a change came from, which fields, old → new."""
from __future__ import annotations

from dataclasses import dataclass

from ..audit import FROM_CONFLICT, FROM_IMPORT, FROM_TABLET, FROM_WEB
from .i18n import gettext as _
from .labels import field_value_text, list_separator, word
from .roster import field_label


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


def source_word(source: str | None) -> str:
    return {FROM_TABLET: _("On a tablet"), FROM_WEB: _("In the web view"),
            FROM_IMPORT: _("Roster import"), FROM_CONFLICT: _("Conflict checked")}.get(
        source or "", "")


def _record_field_label(name: str) -> str:
    """Labels of the fields of visits and case notes; resident fields use the roster's."""
    labels = {"outcome": _("Outcome"), "away_reason": _("Away reason"),
              "readings": _("Readings"), "mood": _("Mood"), "needs": _("Needs"),
              "services": _("Services"), "safety_checks": _("Safety checks"),
              "note": _("Note"), "follow_up_on": _("Follow-up date"),
              "corrects": _("Correction"), "correction": _("Correction"),
              "text": _("Case note text")}
    return labels.get(name) or field_label(name)


def field_names(detail: dict) -> str:
    """The fields an entry names, in words, each once."""
    labels = []
    for name in detail.get("fields") or ():
        label = _record_field_label(str(name))
        if label not in labels:
            labels.append(label)
    return list_separator().join(labels)


def field_changes(detail: dict, mask_phones: bool = False) -> list[FieldChange]:
    """Old and new value of each master-record field whose value changed. ``mask_phones``:
    for lists across residents, which never show phone numbers (server.web.privacy)."""
    from .privacy import PHONE_FIELDS, mask_phone
    before, after = detail.get("before") or {}, detail.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []

    def text(name, value):
        if mask_phones and name in PHONE_FIELDS and value:
            return mask_phone(value)
        return field_value_text(name, value)
    return [FieldChange(field_label(name), text(name, before.get(name)), text(name, after[name]))
            for name in sorted(after)]


def summary(detail: dict) -> str:
    """Counts and choices of entries that name no fields (pushes, pulls, imports, exports,
    assignments), in words: the codes themselves never reach the page."""
    parts = []
    counts = (("applied", _("Saved: %(num)s")), ("duplicate", _("Already saved: %(num)s")),
              ("conflict", _("Saved with a conflict: %(num)s")),
              ("rejected", _("Not saved: %(num)s")), ("records", _("Records: %(num)s")),
              ("rows", _("Rows: %(num)s")), ("skipped", _("Rows skipped: %(num)s")))
    for key, text in counts:
        value = detail.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            parts.append(text % {"num": value})
    if detail.get("kind") in ("visits", "residents"):
        parts.append(_("Visits") if detail["kind"] == "visits" else _("Residents"))
    if isinstance(detail.get("role"), str):
        parts.append(word("role", detail["role"]))
    for key in ("from", "to", "starts_on", "ends_on"):
        if isinstance(detail.get(key), str):
            parts.append(detail[key])
    return list_separator().join(parts)
