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
    #: Checklist items with something to note → what it is (empty while not yet written); an
    #: item not here had no problem.
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

    def mark(self, item: str, concern: bool) -> None:
        """有情况 tapped (the item waits for what it is) or 无问题 (what was written goes)."""
        if item not in p.CHECK_ITEMS:
            return
        if concern:
            self.concerns.setdefault(item, "")
        else:
            self.concerns.pop(item, None)

    def write_concern(self, item: str, text: str) -> None:
        """What was found about an item marked 有情况, as it is typed."""
        if item in self.concerns:
            self.concerns[item] = text or ""

    def toggle_advice(self, code: str) -> bool:
        if code in self.advice:
            self.advice.discard(code)
            return False
        if code in p.ADVICE:
            self.advice.add(code)
            return True
        return False

    def errors(self, outcome: str | None) -> dict[str, str]:
        errors = {}
        if outcome == p.EMERGENCY and not self.emergency_action.strip():
            errors["emergency_action"] = _("Say what you did about the emergency.")
        if outcome in (p.MET, p.EMERGENCY):
            locale = language()
            unwritten = [vocabulary.label("check_item", item, locale) for item in p.CHECK_ITEMS
                         if item in self.concerns and not self.concerns[item].strip()]
            if unwritten:
                errors["checklist"] = _(
                    "Write what you found about {items}, or tap No problem.").format(
                    items=_(", ").join(unwritten))
        return errors

    def to_call(self, outcome: str | None) -> dict:
        """The keyword arguments these parts add to ``FieldService.record_visit``."""
        met = outcome in (p.MET, p.EMERGENCY)  # the checklist and advice are of a visit made
        call = {"method": self.method,
                "checklist": {item: text.strip() for item, text in self.concerns.items()
                              if text.strip()} if met else {},
                "advice": sorted(self.advice) if met else []}
        if outcome == p.EMERGENCY:
            call["emergency_action"] = self.emergency_action.strip()
        return call


    # ---- the draft (client/drafts.py) ----------------------------------------------------

    def to_draft(self) -> dict:
        return {"method": self.method, "checklist": dict(self.concerns),
                "advice": sorted(self.advice), "emergency_action": self.emergency_action}

    @classmethod
    def from_draft(cls, draft: dict) -> "VisitChecks":
        """The parts from a stored draft; anything the app no longer knows is left out."""
        concerns = draft.get("checklist") if isinstance(draft.get("checklist"), dict) else {}
        advice = draft.get("advice") if isinstance(draft.get("advice"), list) else []
        action = draft.get("emergency_action")
        return cls(method=draft.get("method") if draft.get("method") in p.VISIT_METHODS
                   else p.DOOR,
                   concerns={item: text for item, text in concerns.items()
                             if item in p.CHECK_ITEMS and isinstance(text, str)},
                   advice={code for code in advice if code in p.ADVICE},
                   emergency_action=action if isinstance(action, str) else "")


def checklist_rows(checks: VisitChecks) -> list[dict]:
    """One row per checklist item: its words, and "no problem" or the exception noted."""
    locale = language()
    return [{"item": item, "label": vocabulary.label("check_item", item, locale),
             "state": vocabulary.label("check_state", "concern" if item in checks.concerns
                                       else "fine", locale),
             "concern": checks.concerns.get(item, "")} for item in p.CHECK_ITEMS]


#: Units as the tablet writes them: the fonts it may fall back on (the bundled WenQuanYi Micro
#: Hei) have no ℃, so a temperature reads °C here, as on the form beside its field.
TABLET_UNITS = {"temperature": "°C"}


def danger_warnings(readings: dict, rules: DistrictRules = DEFAULT_RULES) -> list[str]:
    """What the tablet says at once about dangerous readings (empty when there are none):
    each reading with its unit, then what to do."""
    locale = language()
    found = dangers(readings, rules)
    if not found:
        return []
    lines = [_("{reading} {value} {unit} is {direction} (limit {limit}).").format(
        reading=vocabulary.label("reading", d.reading, locale), value=f"{d.value:g}",
        unit=TABLET_UNITS.get(d.reading) or vocabulary.label("unit", d.reading, locale),
        direction=vocabulary.label("danger_direction", d.direction, locale),
        limit=f"{d.limit:g}") for d in found]
    lines.append(_("Let them rest five minutes and measure again. If it is still so, call "
                   "the family or 120. A visit tomorrow is suggested."))
    return lines
