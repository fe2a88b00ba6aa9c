"""The Edit-resident form: which details the volunteer may change, and what changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared import resident_fields as rf

from .common import code_labels

# The form's fields and their controls, read from the fields' one declaration.
TEXT_FIELDS = tuple(f.name for f in rf.FIELDS if f.kind in rf.TEXT_KINDS)
LONG_TEXT_FIELDS = frozenset(f.name for f in rf.FIELDS if f.kind == rf.LONG_TEXT)
PHONE_FIELDS = frozenset(rf.PHONES)
#: Chips of each coded field: (its words, whether several may be chosen).
CHOICE_FIELDS = {f.name: (code_labels(f.codes), f.kind == rf.CHOICES)
                 for f in rf.FIELDS if f.codes}
#: What the form offers of the fields a field worker may change, in order.
EDIT_ORDER = tuple(rf.edit_order(rf.TABLET_EDITS))
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
