"""The Edit-resident form: which details the volunteer may change, and what changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared import protocol as p

from .common import CARE_LABELS, LIVING_LABELS, SAFETY_DEVICE_LABELS, STATUS_LABELS

TEXT_FIELDS = ("phone", "emergency_contact", "emergency_phone", "care_notes")
CHOICE_FIELDS = {"living_situation": (LIVING_LABELS, True), "safety_devices":
                 (SAFETY_DEVICE_LABELS, True), "care_level": (CARE_LABELS, False),
                 "status": (STATUS_LABELS, False)}
#: Never offered as a choice: computed from the birth year (高龄), so never ticked by hand.
COMPUTED = {"living_situation": {p.AGED_80_PLUS}}
EDIT_ORDER = ("phone", "emergency_contact", "emergency_phone", "living_situation", "care_level",
              "safety_devices", "status", "care_notes")


def choices(name: str) -> list[tuple[str, str]]:
    """(code, untranslated word) of a choice field's chips, the computed ones left out."""
    labels, _many = CHOICE_FIELDS[name]
    return [(code, text) for code, text in labels.items() if code not in COMPUTED.get(name, ())]


@dataclass
class EditForm:
    record: dict
    editable: frozenset
    values: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.fields():
            value = self.record.get(name)
            if name in CHOICE_FIELDS and CHOICE_FIELDS[name][1]:
                value = list(value or [])
            elif name in TEXT_FIELDS:
                value = value or ""
            self.values[name] = value

    def fields(self) -> list[str]:
        return [name for name in EDIT_ORDER if name in self.editable]

    def toggle(self, name: str, code: str) -> None:
        labels, many = CHOICE_FIELDS[name]
        if many:
            chosen = self.values[name]
            if code in chosen:
                chosen.remove(code)
            else:
                # keep the protocol's order, so an unchanged set compares equal
                chosen.append(code)
                chosen.sort(key=list(labels).index)
        else:
            self.values[name] = code

    def changes(self) -> dict:
        changed = {}
        for name in self.fields():
            value = self.values[name]
            if name in TEXT_FIELDS:
                value = value.strip() or None
                if value == (self.record.get(name) or None):
                    continue
            elif name in CHOICE_FIELDS and CHOICE_FIELDS[name][1]:
                if sorted(value) == sorted(self.record.get(name) or []):
                    continue
            elif value == self.record.get(name):
                continue
            changed[name] = value
        return changed
