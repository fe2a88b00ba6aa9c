"""The Record-visit form: what the volunteer tapped, its checks, and the call it makes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from shared import protocol as p
from shared.district_rules import DEFAULT_RULES, DistrictRules
from shared.readings import FOLLOW_UP_AFTER_DAYS
from shared.schemas import ReadingsSchema

from ..i18n import _
from ..words import Words
from ..visit_checks import VisitChecks, checklist_rows, danger_warnings  # noqa: F401
from .common import (CHECK_LABELS, MOOD_LABELS, NEED_LABELS, OUTCOME_LABELS, READING_LABELS,
                     SERVICE_LABELS, N_, label)

#: Shapes beside the words on the outcome and mood buttons (older volunteers find them by
#: shape first); only glyphs every CJK font the app uses has, the bundled one included.
OUTCOME_ICONS = {p.MET: "✔", p.EMERGENCY: "！", p.NO_ANSWER: "○", p.REFUSED: "✕", p.AWAY: "◐",
                 p.HOSPITALISED: "♥", p.MOVED: "→", p.DECEASED: "●"}
MOOD_ICONS = {"good": "↑", "ok": "→", "low": "↓"}


def with_icon(icons: dict, code: str, text: str) -> str:
    """A button's words with its shape in front (just the words when it has none)."""
    return f"{icons[code]}  {text}" if code in icons else text


def chip_choices(labels, icons: dict | None = None) -> list[tuple[str, str]]:
    """(code, words) of the chips of one question, for the form's layout (visit.kv)."""
    return [(code, with_icon(icons or {}, code, label(labels, code))) for code, _w in
            labels.items()]


def follow_up_choices() -> list[tuple[str, str]]:
    return [(code, _(text)) for code, text, _days in FOLLOW_UP_CHOICES]


FOLLOW_UP_CHOICES = (("none", N_("No follow-up"), None), ("tomorrow", N_("Tomorrow"), 1),
                     ("3days", N_("In 3 days"), 3), ("week", N_("In a week"), 7))
#: The follow-up a dangerous reading proposes (the next day, shared/readings.py).
DANGER_FOLLOW_UP = next(code for code, _label, days in FOLLOW_UP_CHOICES
                        if days == FOLLOW_UP_AFTER_DAYS)
#: The quick checklist's two states, "no problem" first (untouched).
CHECK_STATE_LABELS = Words("check_state")
#: Errors shown beside their own part of the form, not in the readings' list.
FORM_ERRORS = frozenset({"outcome", "emergency_action", "checklist"})


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
    #: Method, quick checklist, advice, an emergency's action (client/ui/visit_checks.py).
    checks: VisitChecks = field(default_factory=VisitChecks)

    @property
    def met(self) -> bool:
        return self.outcome in (p.MET, p.EMERGENCY)

    def warnings(self, rules: DistrictRules = DEFAULT_RULES) -> list[str]:
        """Dangerous readings, said at once as they are typed (none over the phone)."""
        if not (self.met and self.checks.measures):
            return []
        return danger_warnings(self.typed_readings(), rules)

    def propose_follow_up(self) -> None:
        """The warning's one tap: come back tomorrow (shared/readings.py's follow-up)."""
        self.follow_up = DANGER_FOLLOW_UP

    def typed_readings(self) -> dict:
        """The readings typed so far that are plausible numbers (the others are errors, or
        still being typed: "18" on the way to 185 is no low pressure)."""
        values = {}
        for name, text in self.readings.items():
            try:
                value = float((text or "").strip())
            except ValueError:
                continue
            low, high, _kind = READING_RANGES[name]
            if low <= value <= high:
                values[name] = value
        return values

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
        errors.update(self.checks.errors(self.outcome))
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

    # ---- the draft: what was typed survives the app being killed (client/drafts.py) -------

    def to_draft(self) -> dict:
        """Plain JSON values of everything typed or tapped."""
        return {"outcome": self.outcome, "mood": self.mood,
                "readings": {name: text for name, text in self.readings.items()
                             if (text or "").strip()},
                "needs": sorted(self.needs), "services": sorted(self.services),
                "safety_checks": dict(self.safety_checks), "note": self.note,
                "away_reason": self.away_reason, "follow_up": self.follow_up,
                **self.checks.to_draft()}

    def is_blank(self) -> bool:
        """Nothing typed or tapped yet (nothing to ask about, nothing to keep)."""
        return self.to_draft() == VisitForm(safety_devices=self.safety_devices).to_draft()

    @classmethod
    def from_draft(cls, draft: dict, safety_devices: list[str]) -> "VisitForm":
        """A form from a stored draft; anything the app no longer knows is left out."""
        def text(value) -> str:
            return value if isinstance(value, str) else ""

        def codes(value, known) -> set[str]:
            return {code for code in value if code in known} if isinstance(value, list) \
                else set()
        readings = draft.get("readings") if isinstance(draft.get("readings"), dict) else {}
        checks = draft.get("safety_checks") if isinstance(draft.get("safety_checks"), dict) \
            else {}
        follow_up = draft.get("follow_up")
        return cls(
            safety_devices=list(safety_devices),
            outcome=draft.get("outcome") if draft.get("outcome") in OUTCOME_LABELS else None,
            readings={name: text(value) for name, value in readings.items()
                      if name in READING_RANGES and text(value)},
            mood=draft.get("mood") if draft.get("mood") in MOOD_LABELS else None,
            needs=codes(draft.get("needs"), NEED_LABELS),
            services=codes(draft.get("services"), SERVICE_LABELS),
            safety_checks={device: result for device, result in checks.items()
                           if device in safety_devices and result in CHECK_LABELS},
            note=text(draft.get("note")), away_reason=text(draft.get("away_reason")),
            follow_up=follow_up if follow_up in {code for code, _t, _d in FOLLOW_UP_CHOICES}
            else "none", checks=VisitChecks.from_draft(draft))

    def to_call(self, today: date) -> dict:
        """Keyword arguments for ``FieldService.record_visit`` (call ``errors()`` first)."""
        call: dict = {"outcome": self.outcome, "note": self.note.strip() or None,
                      "follow_up_on": self.follow_up_date(today),
                      **self.checks.to_call(self.outcome)}
        if self.outcome == p.AWAY and self.away_reason.strip():
            call["away_reason"] = self.away_reason.strip()
        if self.met:
            readings = {}
            for name, text in self.readings.items():
                text = (text or "").strip()
                if text:
                    kind = READING_RANGES[name][2]
                    readings[name] = int(text) if kind is int else float(text)
            measured = self.checks.measures  # nothing is measured over the phone
            call.update(readings=(readings or None) if measured else None, mood=self.mood,
                        needs=sorted(self.needs), services=sorted(self.services),
                        safety_checks=(dict(self.safety_checks) or None) if measured else None)
        return call
