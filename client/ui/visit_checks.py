"""The visit form's new parts, without Kivy: the visit method, the quick checklist ("no
problem" unless an exception is noted), advice given, an emergency's action, and the warning a
dangerous reading gives at once (shared/readings.py with the district's thresholds)."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared import protocol as p
from shared import vocabulary
from shared.district_rules import DEFAULT_RULES, DistrictRules
from shared.readings import dangers

from .i18n import _, language


@dataclass
class VisitChecks:
    method: str = p.DOOR
    #: Checklist items with something to note → what it is; an item not here had no problem.
    concerns: dict[str, str] = field(default_factory=dict)
    advice: set[str] = field(default_factory=set)
    emergency_action: str = ""

    def choose_method(self, method: str) -> None:
        if method in p.VISIT_METHODS:
            self.method = method

    @property
    def measures(self) -> bool:
        """Readings and device checks are taken at the door, not over the phone."""
        return self.method == p.DOOR

    def note_concern(self, item: str, text: str) -> None:
        """An exception on the checklist; empty text puts the item back to "no problem"."""
        if item not in p.CHECK_ITEMS:
            return
        if (text or "").strip():
            self.concerns[item] = text.strip()
        else:
            self.concerns.pop(item, None)

    def toggle_advice(self, code: str) -> bool:
        if code in self.advice:
            self.advice.discard(code)
            return False
        if code in p.ADVICE:
            self.advice.add(code)
            return True
        return False

    def errors(self, outcome: str | None) -> dict[str, str]:
        if outcome == p.EMERGENCY and not self.emergency_action.strip():
            return {"emergency_action": _("Say what you did about the emergency.")}
        return {}

    def to_call(self, outcome: str | None) -> dict:
        """The keyword arguments these parts add to ``FieldService.record_visit``."""
        call = {"method": self.method, "checklist": dict(self.concerns),
                "advice": sorted(self.advice)}
        if outcome == p.EMERGENCY:
            call["emergency_action"] = self.emergency_action.strip()
        return call


def checklist_rows(checks: VisitChecks) -> list[dict]:
    """One row per checklist item: its words, and "no problem" or the exception noted."""
    locale = language()
    return [{"item": item, "label": vocabulary.label("check_item", item, locale),
             "state": vocabulary.label("check_state", "concern" if item in checks.concerns
                                       else "fine", locale),
             "concern": checks.concerns.get(item, "")} for item in p.CHECK_ITEMS]


def danger_warnings(readings: dict, rules: DistrictRules = DEFAULT_RULES) -> list[str]:
    """What the tablet says at once about dangerous readings (empty when there are none):
    each reading with its unit, then what to do."""
    locale = language()
    found = dangers(readings, rules)
    if not found:
        return []
    lines = [_("{reading} {value} {unit} is {direction} (limit {limit}).").format(
        reading=vocabulary.label("reading", d.reading, locale), value=f"{d.value:g}",
        unit=vocabulary.label("unit", d.reading, locale),
        direction=vocabulary.label("danger_direction", d.direction, locale),
        limit=f"{d.limit:g}") for d in found]
    lines.append(_("Let them rest five minutes and measure again. If it is still so, call "
                   "the family or 120. A visit tomorrow is suggested."))
    return lines
