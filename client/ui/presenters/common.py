"""Words and values every screen shares: the enumerations as people say them, times in the
district's zone, a record's values, and the service's refusals of a form as lines to act on.

No Kivy here (tested without a window); each screen's own presenter sits beside this module.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared import protocol as p
from shared.clock import utcnow
from shared.district_day import district_today, local_time, zone_or_default

from ..i18n import _


def N_(message: str) -> str:
    """Marks a string for the catalogs; it is translated later, when shown."""
    return message


# ---- enumerations, as people say them ---------------------------------------------------------

OUTCOME_LABELS = {
    p.MET: N_("Met, at home"), p.NO_ANSWER: N_("No answer"), p.REFUSED: N_("Refused"),
    p.AWAY: N_("Away"), p.HOSPITALISED: N_("In hospital"), p.MOVED: N_("Moved away"),
    p.DECEASED: N_("Passed away"),
}
MOOD_LABELS = {"good": N_("Good spirits"), "ok": N_("So-so"), "low": N_("Low")}
NEED_LABELS = {
    "meals": N_("Meals"), "medicine": N_("Medicine"), "errands": N_("Errands"),
    "cleaning": N_("Cleaning"), "repairs": N_("Repairs"), "medical": N_("See a doctor"),
    "company": N_("Company"), "paperwork": N_("Paperwork"),
}
SERVICE_LABELS = {
    "chat": N_("Chatted"), "health_check": N_("Health check"), "errand_run": N_("Ran an errand"),
    "meal_delivered": N_("Delivered a meal"), "repair_done": N_("Fixed something"),
    "referral": N_("Referred on"), "device_check": N_("Checked devices"),
}
SAFETY_DEVICE_LABELS = {
    "fall_alarm": N_("Fall alarm"), "smoke_detector": N_("Smoke detector"),
    "gas_alarm": N_("Gas alarm"), "emergency_button": N_("Emergency button"),
    "door_sensor": N_("Door sensor"),
}
CHECK_LABELS = {"ok": N_("Works"), "faulty": N_("Faulty"), "missing": N_("Missing")}
LIVING_LABELS = {
    p.ALONE: N_("Lives alone"), p.EMPTY_NEST: N_("Empty nest"),
    p.AGED_80_PLUS: N_("Aged 80+"), p.DISABLED: N_("Disabled"),
}
CARE_LABELS = {"self_care": N_("Self-care"), "assisted": N_("Needs some help"),
               "full_care": N_("Needs full care")}
STATUS_LABELS = {"active": N_("On the roster"), "hospitalised": N_("In hospital"),
                 "moved": N_("Moved away"), "deceased": N_("Passed away")}
SEX_LABELS = {"F": N_("Female"), "M": N_("Male")}
ROLE_LABELS = {
    p.VOLUNTEER: N_("Volunteer"), p.GRID_WORKER: N_("Grid worker"),
    p.REPRESENTATIVE: N_("Representative"), p.SUPERVISOR: N_("Supervisor"), p.ADMIN: N_("Admin"),
}
READING_LABELS = {
    "systolic": N_("Blood pressure, upper"), "diastolic": N_("Blood pressure, lower"),
    "pulse": N_("Pulse"), "blood_sugar": N_("Blood sugar"), "temperature": N_("Temperature"),
}
READING_UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "pulse": N_("beats/min"),
                 "blood_sugar": "mmol/L", "temperature": "°C"}
FIELD_LABELS = {
    "name": N_("Name"), "sex": N_("Sex"), "birth_year": N_("Year of birth"),
    "address": N_("Address"), "phone": N_("Phone"), "emergency_contact": N_("Emergency contact"),
    "emergency_phone": N_("Emergency phone"), "living_situation": N_("Living situation"),
    "care_level": N_("Care level"), "visit_cadence_days": N_("Visit every (days)"),
    "safety_devices": N_("Safety devices"), "care_notes": N_("Care notes"),
    "status": N_("Status"), "note": N_("Note"), "follow_up_on": N_("Follow up on"),
    "away_reason": N_("Where to"), "outcome": N_("Outcome"), "mood": N_("Mood"),
    "readings": N_("Readings"), "text": N_("Note"),
}

def label(labels: dict, code: str | None) -> str:
    if code is None:
        return ""
    return _(labels[code]) if code in labels else str(code)


def list_separator() -> str:
    # Chinese lists use the enumeration comma; English a comma and a space.
    return _(", ")


def join_labels(labels: dict, codes) -> str:
    return list_separator().join(label(labels, code) for code in codes or ())


#: 高龄: 80 or over this year, computed from the birth year (a stored tag is never read: it
#: disagreed with the age shown beside it).
AGED_FROM = 80


def categories_text(living_situation, age: int | None) -> str:
    """A resident's categories as people say them: the recorded ones, and 高龄 from the age."""
    codes = [code for code in living_situation or () if code != p.AGED_80_PLUS]
    if age is not None and age >= AGED_FROM:
        codes.append(p.AGED_80_PLUS)
    codes.sort(key=lambda code: p.LIVING_SITUATIONS.index(code)
               if code in p.LIVING_SITUATIONS else len(p.LIVING_SITUATIONS))
    return join_labels(LIVING_LABELS, codes)


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
    if name == "living_situation":
        return join_labels(LIVING_LABELS, value)
    if name == "safety_devices":
        return join_labels(SAFETY_DEVICE_LABELS, value)
    if name == "care_level":
        return label(CARE_LABELS, value)
    if name == "status":
        return label(STATUS_LABELS, value)
    if name == "sex":
        return label(SEX_LABELS, value)
    return str(value)


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
