"""Words and values every screen shares: the enumerations as people say them, times in the
district's zone, a record's values, and the service's refusals of a form as lines to act on.

No Kivy here (tested without a window); each screen's own presenter sits beside this module.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared import protocol as p
from shared import resident_fields
from shared.clock import utcnow
from shared.district_day import district_today, local_time, zone_or_default

from ..i18n import _
from ..words import Words


def N_(message: str) -> str:
    """Marks a string for the catalogs; it is translated later, when shown."""
    return message


# ---- enumerations, as people say them ---------------------------------------------------------

# Coded values read the one vocabulary (shared/vocabulary.py), limited to what the tablet sends.
# The emergency outcome asks on the visit screen what was done (client/ui/visit_checks.py);
# records of every outcome read as words.
OUTCOME_LABELS = Words("outcome", p.OUTCOMES)
METHOD_LABELS = Words("method", p.VISIT_METHODS)
ADVICE_LABELS = Words("advice", p.ADVICE)
MOOD_LABELS = Words("mood", p.MOODS)
NEED_LABELS = Words("need", p.NEEDS)
SERVICE_LABELS = Words("service", p.SERVICES)
SAFETY_DEVICE_LABELS = Words("device", p.SAFETY_DEVICES)
CHECK_LABELS = Words("check", p.SAFETY_CHECK_RESULTS)
CATEGORY_LABELS = Words("care_category", p.CARE_CATEGORIES)
DERIVED_LABELS = Words("derived_category")
ABILITY_LABELS = Words("ability_level", p.ABILITY_LEVELS)
RISK_LABELS = Words("risk_tier", p.RISK_TIERS)
STATUS_LABELS = Words("status", p.RESIDENT_STATUSES)
SEX_LABELS = Words("sex")
ROLE_LABELS = Words("role")
READING_LABELS = {
    "systolic": N_("Blood pressure, upper"), "diastolic": N_("Blood pressure, lower"),
    "pulse": N_("Pulse"), "blood_sugar": N_("Blood sugar"), "temperature": N_("Temperature"),
}
READING_UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "pulse": N_("beats/min"),
                 "blood_sugar": "mmol/L", "temperature": "°C"}
#: The words of each coded resident field, by its vocabulary kind (shared/resident_fields.py).
CODE_LABELS = {"care_category": CATEGORY_LABELS, "device": SAFETY_DEVICE_LABELS,
               "ability_level": ABILITY_LABELS, "risk_tier": RISK_LABELS,
               "status": STATUS_LABELS, "sex": SEX_LABELS}
#: Field names, from the vocabulary ("text" is a case note's text).
FIELD_LABELS = Words("field", aliases={"text": "note"})

def label(labels: dict, code: str | None) -> str:
    if code is None:
        return ""
    if isinstance(labels, Words):
        return labels.word(code)
    return _(labels[code]) if code in labels else str(code)


def list_separator() -> str:
    # Chinese lists use the enumeration comma; English a comma and a space.
    return _(", ")


def join_labels(labels: dict, codes) -> str:
    return list_separator().join(label(labels, code) for code in codes or ())


def categories_text(codes, age: int | None = None) -> str:
    """关爱类别 as shown: the recorded ones, and 高龄 (computed from the birth year: a stored tag
    is never read, it disagreed with the age shown beside it)."""
    codes = [code for code in codes or () if code != p.AGED_80_PLUS or age is None]
    if age is not None and age >= AGED_FROM:
        codes.append(p.AGED_80_PLUS)
    return list_separator().join(
        DERIVED_LABELS.word(code) if code in DERIVED_LABELS else CATEGORY_LABELS.word(code)
        for code in codes)


#: 高龄: 80 or over this year.
AGED_FROM = 80


# ---- times ----------------------------------------------------------------------------------


#: The district's zone (DESIGN.md §4a): the app sets it from the service (the server names it);
#: every time a volunteer reads is the district's, whatever zone the tablet itself is set to.
_district_zone: ZoneInfo = zone_or_default(None)


def use_district_zone(zone: ZoneInfo) -> None:
    global _district_zone
    _district_zone = zone


def today_in_district() -> date:
    """Today in the district (a follow-up "in 3 days" counts from it)."""
    return district_today(utcnow(), _district_zone)


def local(moment: datetime | None) -> datetime | None:
    return local_time(moment, _district_zone) if moment else None


def format_day(day: date, today: date) -> str:
    """'11月24日', with the year only when it is not this year ('2025年11月24日')."""
    if day.year == today.year:
        return _("{month}/{day}").format(month=day.month, day=day.day)
    return _("{year}/{month}/{day}").format(year=day.year, month=day.month, day=day.day)


def day_text(text) -> str:
    """A pulled ISO day as the volunteer reads it; anything unreadable as it came."""
    try:
        return format_day(date.fromisoformat(text), today_in_district())
    except (TypeError, ValueError):
        return str(text)


def format_moment(moment: datetime | None, now: datetime | None = None) -> str:
    """'今天 14:05', '昨天 09:30', else '11月24日 09:30' (the year only when it is not this
    year), in the district's time."""
    if moment is None:
        return _("never")
    moment = local(moment)
    today = district_today(now or utcnow(), _district_zone)
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        return _("Today {time}").format(time=clock)
    if moment.date() == today - timedelta(days=1):
        return _("Yesterday {time}").format(time=clock)
    return _("{day} {time}").format(day=format_day(moment.date(), today), time=clock)


# ---- a record's values --------------------------------------------------------------------------


def parse_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def value_text(name: str, value) -> str:
    if value in (None, "", []):
        return _("not recorded")
    field = resident_fields.BY_NAME.get(name)
    if field is not None and field.codes:
        words = code_labels(field.codes)
        return join_labels(words, value) if field.kind == resident_fields.CHOICES \
            else label(words, value)
    return str(value)


def code_labels(kind: str) -> Words:
    """The words of a vocabulary kind, limited to what the tablet sends where it is limited."""
    return CODE_LABELS.get(kind) or Words(kind)


def conflict_entry(conflict: dict) -> dict:
    name = conflict.get("field", "")
    kept_by = (conflict.get("kept_by") or {}).get("person_name") or _("someone")
    lost_by = (conflict.get("lost_by") or {}).get("person_name") or _("someone")
    return {
        "head": _("Two edits to “{field}”").format(field=label(FIELD_LABELS, name)),
        "body": _("Kept: {kept} (by {kept_by})\nNot kept: {lost} (by {lost_by})").format(
            kept=value_text(name, conflict.get("kept_value")), kept_by=kept_by,
            lost=value_text(name, conflict.get("lost_value")), lost_by=lost_by),
        "status": _("waiting for the supervisor") if conflict.get("status") == "open"
        else _("settled"),
        "resident": conflict.get("resident_name") or "",
    }



def invalid_input_messages(fields: dict) -> dict[str, str]:
    """The service's InvalidInput (marshmallow messages) as lines a person can act on."""
    messages = {}
    for name, problem in fields.items():
        if isinstance(problem, dict):
            for inner, message in invalid_input_messages(problem).items():
                messages[inner] = message
            continue
        text = problem[0] if isinstance(problem, list) and problem else str(problem)
        field_label = _(READING_LABELS.get(name) or FIELD_LABELS.get(name) or name)
        messages[name] = _("{field}: {problem}").format(field=field_label, problem=text)
    return messages
