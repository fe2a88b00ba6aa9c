"""What a district configures about its visiting programme, and its defaults.

The server reads the district's settings (``KNOCKDOOR_DISTRICT_RULES``, a JSON file) into
:class:`DistrictRules`; the tablet receives the same settings with every pull, so both sides apply
one rule. Defaults follow common programme practice: high risk weekly, key groups monthly, others
quarterly; follow-ups after a no-answer for people living alone, aged 80 and over, 失能 and 重残;
danger thresholds for readings from the Chinese hypertension guideline (grade 3 hypertension at
180/110 mmHg) and usual clinical limits for the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Iterable, Mapping

from .protocol import AbilityLevel, CareCategory, RiskTier, VisitMethod

#: 高龄: 80 and over, from the birth year (never stored).
AGED_80_PLUS = "aged_80_plus"
AGED_FROM = 80

ALL_CATEGORIES = tuple(member.value for member in CareCategory)
ALL_METHODS = tuple(member.value for member in VisitMethod)
#: GB/T 42195-2022: subsidies are tied to "moderate or worse".
MODERATE_OR_WORSE = (AbilityLevel.MODERATE.value, AbilityLevel.SEVERE.value,
                     AbilityLevel.COMPLETE.value)


@dataclass(frozen=True)
class Thresholds:
    """Readings at or beyond these are dangerous: the tablet warns at once, the supervisor is
    alerted at the next upload. ``None`` switches a limit off."""

    systolic_high: int | None = 180
    systolic_low: int | None = 90
    diastolic_high: int | None = 110
    diastolic_low: int | None = 60
    pulse_high: int | None = 120
    pulse_low: int | None = 50
    blood_sugar_high: float | None = 16.7
    blood_sugar_low: float | None = 3.9
    temperature_high: float | None = 39.0
    temperature_low: float | None = 35.0


@dataclass(frozen=True)
class DistrictRules:
    #: The care categories the district uses (the choices offered), in the order shown.
    categories: tuple[str, ...] = ALL_CATEGORIES
    #: Days between visits for each risk tier.
    cadence_days: Mapping[str, int] = field(default_factory=lambda: {
        RiskTier.HIGH.value: 7, RiskTier.KEY.value: 30, RiskTier.ROUTINE.value: 90})
    #: A no-answer opens a follow-up for residents in these categories …
    follow_up_categories: tuple[str, ...] = (
        CareCategory.ALONE.value, CareCategory.DISABLED.value,
        CareCategory.SEVERE_DISABILITY.value)
    #: … and for residents aged 80 and over …
    follow_up_aged_80: bool = True
    #: … and for residents of these tiers.
    follow_up_tiers: tuple[str, ...] = ()
    #: Which visit methods count towards the monthly visit rate, per tier ("" : not tiered).
    counted_methods: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {
        RiskTier.HIGH.value: (VisitMethod.DOOR.value,),
        RiskTier.KEY.value: ALL_METHODS, RiskTier.ROUTINE.value: ALL_METHODS, "": ALL_METHODS})
    thresholds: Thresholds = field(default_factory=Thresholds)

    def to_dict(self) -> dict:
        """The settings as JSON-ready data (what the server sends the tablets)."""
        return {"categories": list(self.categories), "cadence_days": dict(self.cadence_days),
                "follow_up_categories": list(self.follow_up_categories),
                "follow_up_aged_80": self.follow_up_aged_80,
                "follow_up_tiers": list(self.follow_up_tiers),
                "counted_methods": {tier: list(methods)
                                    for tier, methods in self.counted_methods.items()},
                "thresholds": {f.name: getattr(self.thresholds, f.name)
                               for f in fields(Thresholds)}}


DEFAULT_RULES = DistrictRules()


class RulesError(ValueError):
    """The district's settings are not usable; the message names the setting."""


def _codes(value: Any, allowed: Iterable[str], name: str) -> tuple[str, ...]:
    allowed = tuple(allowed)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RulesError(f"{name}: must be a list of codes.")
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise RulesError(f"{name}: unknown code(s) {', '.join(unknown)}; "
                         f"use {', '.join(allowed)}.")
    return tuple(dict.fromkeys(value))


def rules_from_dict(data: Mapping[str, Any] | None) -> DistrictRules:
    """Settings read from JSON; what is missing keeps its default. Raises RulesError naming the
    first bad setting."""
    if not data:
        return DEFAULT_RULES
    if not isinstance(data, Mapping):
        raise RulesError("district rules: must be a JSON object.")
    known = {f.name for f in fields(DistrictRules)}
    extra = sorted(set(data) - known)
    if extra:
        raise RulesError(f"unknown setting(s): {', '.join(extra)}.")
    tiers = tuple(member.value for member in RiskTier)
    changes: dict[str, Any] = {}
    if "categories" in data:
        changes["categories"] = _codes(data["categories"], ALL_CATEGORIES, "categories")
        if not changes["categories"]:
            raise RulesError("categories: name at least one care category.")
    if "cadence_days" in data:
        cadence = data["cadence_days"]
        if not isinstance(cadence, Mapping):
            raise RulesError("cadence_days: must map each risk tier to a number of days.")
        _codes(list(cadence), tiers, "cadence_days")
        for tier, days in cadence.items():
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
                raise RulesError(f"cadence_days.{tier}: must be a whole number of days "
                                 f"from 1 to 366.")
        changes["cadence_days"] = {**DEFAULT_RULES.cadence_days, **cadence}
    if "follow_up_categories" in data:
        changes["follow_up_categories"] = _codes(data["follow_up_categories"], ALL_CATEGORIES,
                                                 "follow_up_categories")
    if "follow_up_aged_80" in data:
        if not isinstance(data["follow_up_aged_80"], bool):
            raise RulesError("follow_up_aged_80: must be true or false.")
        changes["follow_up_aged_80"] = data["follow_up_aged_80"]
    if "follow_up_tiers" in data:
        changes["follow_up_tiers"] = _codes(data["follow_up_tiers"], tiers, "follow_up_tiers")
    if "counted_methods" in data:
        counted = data["counted_methods"]
        if not isinstance(counted, Mapping):
            raise RulesError("counted_methods: must map each risk tier to a list of methods.")
        _codes(list(counted), tiers + ("",), "counted_methods")
        changes["counted_methods"] = {
            **DEFAULT_RULES.counted_methods,
            **{tier: _codes(methods, ALL_METHODS, f"counted_methods.{tier}")
               for tier, methods in counted.items()}}
    if "thresholds" in data:
        changes["thresholds"] = _thresholds(data["thresholds"])
    return replace(DEFAULT_RULES, **changes)


def _thresholds(data: Any) -> Thresholds:
    if not isinstance(data, Mapping):
        raise RulesError("thresholds: must be an object of limits.")
    names = {f.name for f in fields(Thresholds)}
    extra = sorted(set(data) - names)
    if extra:
        raise RulesError(f"thresholds: unknown limit(s) {', '.join(extra)}.")
    for name, value in data.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or value <= 0):
            raise RulesError(f"thresholds.{name}: must be a positive number or null.")
    limits = replace(Thresholds(), **data)
    for reading in ("systolic", "diastolic", "pulse", "blood_sugar", "temperature"):
        low, high = getattr(limits, f"{reading}_low"), getattr(limits, f"{reading}_high")
        if low is not None and high is not None and low >= high:
            raise RulesError(f"thresholds.{reading}_low: must be below {reading}_high.")
    return limits


# ---- facts the rules derive -------------------------------------------------------------------

def age_on(birth_year: int | None, today: date) -> int | None:
    return None if birth_year is None else today.year - birth_year


def is_aged_80_plus(birth_year: int | None, today: date) -> bool:
    age = age_on(birth_year, today)
    return age is not None and age >= AGED_FROM


def shown_categories(categories: Iterable[str] | None, birth_year: int | None,
                     today: date) -> list[str]:
    """The categories as a person reads them: the stored ones, then 高龄 when the birth year
    says so (computed, so it never disagrees with the age beside it)."""
    shown = [code for code in ALL_CATEGORIES if code in set(categories or ())]
    if is_aged_80_plus(birth_year, today):
        shown.append(AGED_80_PLUS)
    return shown


def moderate_or_worse(ability_level: str | None) -> bool:
    return ability_level in MODERATE_OR_WORSE


def follows_up(categories: Iterable[str] | None, birth_year: int | None, risk_tier: str | None,
               today: date, rules: DistrictRules = DEFAULT_RULES) -> bool:
    """Whether a no-answer at this resident's door opens a follow-up."""
    if set(categories or ()) & set(rules.follow_up_categories):
        return True
    if rules.follow_up_aged_80 and is_aged_80_plus(birth_year, today):
        return True
    return bool(risk_tier) and risk_tier in rules.follow_up_tiers


def method_counts(method: str | None, risk_tier: str | None,
                  rules: DistrictRules = DEFAULT_RULES) -> bool:
    """Whether a visit made this way counts towards the resident's monthly visit rate."""
    allowed = rules.counted_methods.get(risk_tier or "", ALL_METHODS)
    return (method or VisitMethod.DOOR.value) in allowed
