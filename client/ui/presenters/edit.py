"""The Edit-resident form: which details the volunteer may change, and what changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from .common import ABILITY_LABELS, CATEGORY_LABELS, SAFETY_DEVICE_LABELS, STATUS_LABELS

TEXT_FIELDS = ("phone", "emergency_contact", "emergency_phone", "ability_assessed_on",
               "ability_assessor", "care_notes")
CHOICE_FIELDS = {"care_categories": (CATEGORY_LABELS, True), "safety_devices":
                 (SAFETY_DEVICE_LABELS, True), "ability_level": (ABILITY_LABELS, False),
                 "status": (STATUS_LABELS, False)}
EDIT_ORDER = ("phone", "emergency_contact", "emergency_phone", "care_categories",
              "ability_level", "ability_assessed_on", "ability_assessor", "safety_devices",
              "status", "care_notes")
#: Never offered as a choice: computed, never ticked by hand (高龄 is not a care category at
#: all: shared/district_rules.py computes it from the birth year).
COMPUTED: dict[str, set[str]] = {}


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
