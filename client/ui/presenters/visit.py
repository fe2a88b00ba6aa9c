"""The Record-visit form: what the volunteer tapped, its checks, and the call it makes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from shared import protocol as p
from shared.schemas import ReadingsSchema

from ..i18n import _
from .common import READING_LABELS, N_

FOLLOW_UP_CHOICES = (("none", N_("No follow-up"), None), ("tomorrow", N_("Tomorrow"), 1),
                     ("3days", N_("In 3 days"), 3), ("week", N_("In a week"), 7))


def _reading_ranges() -> dict[str, tuple[float, float, type]]:
    """The plausible ranges, read from the wire schema so the two never disagree."""
    ranges = {}
    for name, schema_field in ReadingsSchema().fields.items():
        bounds = next(v for v in schema_field.validators if hasattr(v, "min"))
        kind = int if schema_field.__class__.__name__ == "Integer" else float
        ranges[name] = (bounds.min, bounds.max, kind)
    return ranges


READING_RANGES = _reading_ranges()
READING_ORDER = ("systolic", "diastolic", "pulse", "blood_sugar", "temperature")


@dataclass
class VisitForm:
    """What the volunteer has tapped so far on the Record-visit screen."""
    safety_devices: list[str] = field(default_factory=list)  # the resident's devices
    outcome: str | None = None
    readings: dict[str, str] = field(default_factory=dict)  # as typed
    mood: str | None = None
    needs: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    safety_checks: dict[str, str] = field(default_factory=dict)
    note: str = ""
    away_reason: str = ""
    follow_up: str = "none"

    @property
    def met(self) -> bool:
        return self.outcome == p.MET

    def choose_outcome(self, outcome: str) -> None:
        self.outcome = outcome
        if outcome == p.NO_ANSWER and self.follow_up == "none":
            # Nobody opened: most volunteers come back the next day.
            self.follow_up = "tomorrow"

    def toggle(self, group: str, code: str) -> bool:
        """Flip a chip in 'needs' or 'services'; returns whether it is now on."""
        chosen = getattr(self, group)
        if code in chosen:
            chosen.discard(code)
            return False
        chosen.add(code)
        return True

    def choose_mood(self, mood: str) -> None:
        self.mood = None if self.mood == mood else mood

    def check_device(self, device: str, result: str) -> None:
        if self.safety_checks.get(device) == result:
            del self.safety_checks[device]
        else:
            self.safety_checks[device] = result

    def errors(self) -> dict[str, str]:
        """Problems to show beside the fields, in the volunteer's language."""
        errors = {}
        if self.outcome is None:
            errors["outcome"] = _("Choose what happened at the door.")
        if not self.met:
            return errors
        for name, text in self.readings.items():
            text = (text or "").strip()
            if not text:
                continue
            low, high, kind = READING_RANGES[name]
            try:
                value = kind(float(text)) if kind is float else int(text)
            except ValueError:
                errors[name] = _("Type a number.")
                continue
            if not low <= value <= high:
                errors[name] = _("{field} should be between {low:g} and {high:g}.").format(
                    field=_(READING_LABELS[name]), low=low, high=high)
        upper, lower = (self.readings.get("systolic") or "").strip(), \
            (self.readings.get("diastolic") or "").strip()
        if bool(upper) != bool(lower) and "systolic" not in errors and "diastolic" not in errors:
            errors["diastolic" if upper else "systolic"] = _(
                "Enter both blood pressure numbers, or neither.")
        return errors

    def follow_up_date(self, today: date) -> date | None:
        days = next(d for code, _label, d in FOLLOW_UP_CHOICES if code == self.follow_up)
        return today + timedelta(days=days) if days else None

    def to_call(self, today: date) -> dict:
        """Keyword arguments for ``FieldService.record_visit`` (call ``errors()`` first)."""
        call: dict = {"outcome": self.outcome, "note": self.note.strip() or None,
                      "follow_up_on": self.follow_up_date(today)}
        if self.outcome == p.AWAY and self.away_reason.strip():
            call["away_reason"] = self.away_reason.strip()
        if self.met:
            readings = {}
            for name, text in self.readings.items():
                text = (text or "").strip()
                if text:
                    kind = READING_RANGES[name][2]
                    readings[name] = int(text) if kind is int else float(text)
            call.update(readings=readings or None, mood=self.mood,
                        needs=sorted(self.needs), services=sorted(self.services),
                        safety_checks=dict(self.safety_checks) or None)
        return call
