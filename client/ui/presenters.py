"""What the screens show and what their forms send, with no Kivy in it (tested without a window).

Screens hand the service's records to these functions and put the resulting strings into their
widgets; forms collect taps and typing here and turn them into one call on ``FieldService``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared import protocol as p
from shared.clock import utcnow
from shared.district_rules import DEFAULT_RULES, DistrictRules
from shared.district_day import district_today, local_time, zone_or_default
from shared.due import DUE_THIS_WEEK, DUE_TODAY, INACTIVE, NOT_DUE, OVERDUE
from shared.schemas import ReadingsSchema

from .i18n import _
from .visit_checks import VisitChecks, danger_warnings
from .words import Words


def N_(message: str) -> str:
    """Marks a string for the catalogs; it is translated later, when shown."""
    return message


# ---- enumerations, as people say them ---------------------------------------------------------

# Coded values read the one vocabulary (shared/vocabulary.py), limited to what the tablet sends.
# The emergency outcome's button waits for its "what was done" field on the visit screen
# (client/ui/visit_checks.py has the data); its records already read as words.
OUTCOME_LABELS = Words("outcome", tuple(code for code in p.OUTCOMES if code != p.EMERGENCY))
MOOD_LABELS = Words("mood", p.MOODS)
NEED_LABELS = Words("need", p.NEEDS)
SERVICE_LABELS = Words("service", p.SERVICES)
SAFETY_DEVICE_LABELS = Words("device", p.SAFETY_DEVICES)
CHECK_LABELS = Words("check", p.SAFETY_CHECK_RESULTS)
CATEGORY_LABELS = Words("care_category", p.CARE_CATEGORIES)
ABILITY_LABELS = Words("ability_level", p.ABILITY_LEVELS)
RISK_LABELS = Words("risk_tier", p.RISK_TIERS)
STATUS_LABELS = Words("status", p.RESIDENT_STATUSES)
SEX_LABELS = Words("sex")
ROLE_LABELS = Words("role")
DERIVED_LABELS = Words("derived_category")
READING_LABELS = {
    "systolic": N_("Blood pressure, upper"), "diastolic": N_("Blood pressure, lower"),
    "pulse": N_("Pulse"), "blood_sugar": N_("Blood sugar"), "temperature": N_("Temperature"),
}
READING_UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "pulse": N_("beats/min"),
                 "blood_sugar": "mmol/L", "temperature": "°C"}
#: Field names, from the vocabulary ("text" is a case note's text).
FIELD_LABELS = Words("field", aliases={"text": "note"})
FOLLOW_UP_CHOICES = (("none", N_("No follow-up"), None), ("tomorrow", N_("Tomorrow"), 1),
                     ("3days", N_("In 3 days"), 3), ("week", N_("In a week"), 7))
TEXT_SIZES = (("normal", N_("Normal"), 1.0), ("large", N_("Large"), 1.2),
              ("huge", N_("Extra large"), 1.4))


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


def _day_text(text) -> str:
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


# ---- the status line on every screen ----------------------------------------------------------


@dataclass
class ConnectionState:
    online: bool | None = None  # None: not known yet
    syncing: bool = False
    unsent: int = 0

    def text(self) -> str:
        if self.syncing:
            where = _("Syncing…")
        elif self.online:
            where = _("Online")
        elif self.online is None:
            where = _("Checking signal…")
        else:
            where = _("Offline")
        if self.unsent:
            return _("{state} · {count} unsent").format(state=where, count=self.unsent)
        return _("{state} · all sent").format(state=where)

    def tone(self) -> str:
        if self.online is False:
            return "warn" if self.unsent else "muted"
        return "ok"


# ---- sign in -----------------------------------------------------------------------------------

SIGN_IN_MESSAGES = {
    "bad_credentials": N_("Wrong username or password. Check them and try again."),
    "unreachable": N_("Cannot reach the server. Check the address and the signal, then try "
                      "again."),
    "device_revoked": N_("This tablet was switched off by your supervisor and its data was "
                         "cleared. Ask them to allow it again, then sign in."),
    "upgrade_required": N_("This app is too old for the server. Please update the app."),
    "server_upgrade_required": N_("This app is newer than the community's system, so nothing "
                                  "can be sent for now. Please contact the community office."),
    "throttled": N_("Too many tries. Wait a few minutes, then try again."),
    "server_error": N_("The server had a problem. Try again in a moment."),
    "already_signed_in": N_("Already signed in."),
    "wiped": N_("This tablet is no longer allowed to sync, so its data was cleared. Ask your "
                "supervisor, then sign in again."),
    # Sent back to sign-in without losing anything (only a revocation wipes).
    "token_unknown": N_("Please sign in again. Your unsent records are kept and will be sent "
                        "after you sign in."),
    "token_missing": N_("Please sign in again. Your unsent records are kept and will be sent "
                        "after you sign in."),
    "token_expired": N_("This tablet has not been online for a long time. Please sign in "
                        "again; your unsent records are kept."),
    "account_inactive": N_("Your account has been switched off. Ask your community; your "
                           "unsent records stay on this tablet."),
    "pin_attempts": N_("Too many wrong unlock codes. Sign in again with your password."),
    "stale_locked": N_("This tablet has been offline for too long. Sign in again where there "
                       "is signal; your unsent records are kept."),
    "stale_wiped": N_("This tablet was offline for too long, so its data was cleared to "
                      "protect the residents. Please sign in again."),
    "unsent_of_another": N_("Someone else's records on this tablet are not sent yet. They must "
                            "sign in and send them first."),
    "device_not_yours": N_("This tablet is registered to someone else. Ask your community."),
}


def sign_in_message(code: str) -> str:
    return _(SIGN_IN_MESSAGES.get(code, SIGN_IN_MESSAGES["server_error"]))


def normalise_server_url(text: str) -> str:
    text = (text or "").strip().rstrip("/")
    if text and "://" not in text:
        text = "http://" + text
    return text


def check_sign_in(server_url: str, username: str, password: str,
                  device_name: str) -> dict[str, str]:
    """Which fields are missing, as messages to show beside them."""
    errors = {}
    if not normalise_server_url(server_url):
        errors["server_url"] = _("Enter the server address.")
    if not (username or "").strip():
        errors["username"] = _("Enter your username.")
    if not password:
        errors["password"] = _("Enter your password.")
    if not (device_name or "").strip():
        errors["device_name"] = _("Give this tablet a name.")
    return errors


# ---- Today list --------------------------------------------------------------------------------


def due_badge(summary) -> tuple[str, str]:
    """(text, tone) for a resident's due state; tone names a colour in the theme."""
    due = summary.due
    if summary.follow_up_since is not None:
        return _("Follow up: no answer"), "alert"
    if due.status == OVERDUE:
        return _("Overdue {days} days").format(days=due.days_overdue), "alert"
    if due.status == DUE_TODAY:
        return _("Due today"), "warn"
    if due.status == DUE_THIS_WEEK:
        return _("Due this week"), "info"
    if due.status == NOT_DUE:
        when = format_day(due.next_due, today_in_district()) if due.next_due else ""
        return _("Next {date}").format(date=when), "muted"
    if due.status == INACTIVE:
        return label(STATUS_LABELS, summary.status), "muted"
    return "", "muted"


def today_row(summary) -> dict:
    """One RecycleView row: plain values only, so rows are recycled, never rebuilt."""
    badge, tone = due_badge(summary)
    facts = [summary.name]
    if summary.age:
        facts.append(_("{age} yrs").format(age=summary.age))
    if summary.care_categories:
        facts.append(categories_text(summary.care_categories))
    return {
        "resident_id": summary.id,
        "title": "  ".join(facts),
        "subtitle": summary.address or "",
        "badge": badge,
        "tone": tone,
        "unsent_text": _("{count} unsent").format(count=summary.unsent) if summary.unsent
        else "",
    }


def today_sort_key(summary) -> tuple:
    """The Today list's order (the same as ``FieldService.today_list``): in a search, the
    exact name first, then the initials, then the rest; then open follow-ups, due state, name.
    Used to move a just-visited resident to its new place before the worker's exact list
    arrives."""
    return (summary.match, summary.follow_up_since is None, summary.due.sort_key, summary.name)


def today_rows(summaries) -> list[dict]:
    return [today_row(summary) for summary in summaries]


def today_heading(rows: list[dict], query: str) -> str:
    if query.strip():
        return _("{count} found for “{query}”").format(count=len(rows), query=query.strip())
    due = sum(1 for row in rows if row["tone"] in ("alert", "warn"))
    return _("{due} to visit today · {count} in my grids").format(due=due, count=len(rows))


# ---- Resident ----------------------------------------------------------------------------------


def reading_text(readings: dict | None) -> str:
    readings = readings or {}
    parts = []
    if readings.get("systolic") and readings.get("diastolic"):
        parts.append(_("BP {upper}/{lower}").format(upper=readings["systolic"],
                                                    lower=readings["diastolic"]))
    for key in ("pulse", "blood_sugar", "temperature"):
        if readings.get(key) is not None:
            parts.append(f"{_(READING_LABELS[key])} {readings[key]:g} {_(READING_UNITS[key])}")
    return list_separator().join(parts)


STATE_LABELS = {"pending": N_("not sent yet"), "acked": N_("sent"),
                "rejected": N_("refused by the server"), "synced": ""}


def visit_entry(visit: dict) -> dict:
    when = format_moment(_parse(visit.get("visited_at")))
    head = f"{when} · {label(OUTCOME_LABELS, visit.get('outcome'))}"
    if visit.get("corrects"):
        head = f"{when} · {_('Correction of an earlier visit')}"
    lines = []
    if visit.get("away_reason"):
        lines.append(visit["away_reason"])
    if visit.get("readings"):
        lines.append(reading_text(visit["readings"]))
    if visit.get("mood"):
        lines.append(_("Mood: {mood}").format(mood=label(MOOD_LABELS, visit["mood"])))
    if visit.get("needs"):
        lines.append(_("Needs: {needs}").format(needs=join_labels(NEED_LABELS, visit["needs"])))
    if visit.get("services"):
        lines.append(_("Done: {services}").format(
            services=join_labels(SERVICE_LABELS, visit["services"])))
    checks = visit.get("safety_checks") or {}
    if checks:
        lines.append(list_separator().join(
            f"{label(SAFETY_DEVICE_LABELS, device)} {label(CHECK_LABELS, result)}"
            for device, result in checks.items()))
    if visit.get("note"):
        lines.append(visit["note"])
    if visit.get("follow_up_on"):
        lines.append(_("Follow up on {date}").format(date=_day_text(visit["follow_up_on"])))
    return {"kind": "visit", "id": visit.get("id"), "head": head, "body": "\n".join(lines),
            "by": visit.get("author_name") or "", "state": _state(visit),
            "voided": bool(visit.get("voided")),
            "sort": visit.get("visited_at") or ""}


def note_entry(note: dict) -> dict:
    when = format_moment(_parse(note.get("written_at")))
    return {"kind": "note", "id": note.get("id"), "head": f"{when} · {_('Case note')}",
            "body": note.get("text") or "", "by": note.get("author_name") or "",
            "state": _state(note), "voided": False, "sort": note.get("written_at") or ""}


def _state(record: dict) -> str:
    text = _(STATE_LABELS[record["state"]]) if STATE_LABELS.get(record.get("state")) else ""
    if record.get("voided"):
        text = (text + " · " if text else "") + _("struck out")
    return text


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def value_text(name: str, value) -> str:
    if value in (None, "", []):
        return _("not recorded")
    if name == "care_categories":
        return join_labels(CATEGORY_LABELS, value)
    if name == "safety_devices":
        return join_labels(SAFETY_DEVICE_LABELS, value)
    if name == "ability_level":
        return label(ABILITY_LABELS, value)
    if name == "risk_tier":
        return label(RISK_LABELS, value)
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


DOOR_FACTS = ("phone", "emergency_contact", "emergency_phone", "care_categories",
              "ability_level", "risk_tier", "safety_devices", "care_notes")


def categories_text(codes) -> str:
    """关爱类别 as shown (with 高龄, computed from the birth year, where it applies)."""
    return list_separator().join(
        DERIVED_LABELS.word(code) if code in DERIVED_LABELS else CATEGORY_LABELS.word(code)
        for code in codes or ())


@dataclass
class ResidentView:
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    timeline: list[dict]
    conflicts: list[dict]
    phone: str | None
    badge: str
    tone: str


def resident_heading(summary) -> tuple[str, str, str, str]:
    """(title, subtitle, badge, tone) of the Resident screen, from the summary alone: the
    Today list already has it, so the screen shows it on the tap, before the detail is read."""
    who = [summary.name]
    if summary.sex in SEX_LABELS:
        who.append(label(SEX_LABELS, summary.sex))
    if summary.age:
        who.append(_("{age} yrs").format(age=summary.age))
    badge, tone = due_badge(summary)
    return "  ".join(who), f"{summary.address} · {summary.grid_name}", badge, tone


def resident_view(detail) -> ResidentView:
    summary, record = detail.summary, detail.record
    facts = [(_(FIELD_LABELS[name]), value_text(name, record.get(name))) for name in DOOR_FACTS]
    if summary.status != "active":
        facts.insert(0, (_(FIELD_LABELS["status"]), label(STATUS_LABELS, summary.status)))
    timeline = [visit_entry(v) for v in detail.visits] + [note_entry(n) for n in detail.notes]
    timeline.sort(key=lambda entry: entry["sort"], reverse=True)
    title, subtitle, badge, tone = resident_heading(summary)
    return ResidentView(
        title=title, subtitle=subtitle, facts=facts, timeline=timeline,
        conflicts=[conflict_entry(c) for c in detail.conflicts if c.get("status") == "open"],
        phone=record.get("phone") or record.get("emergency_phone"), badge=badge, tone=tone)


# ---- Record visit ------------------------------------------------------------------------------


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
        """Dangerous readings, said at once; they propose a visit tomorrow."""
        lines = danger_warnings(self.typed_readings(), rules) if self.met else []
        if lines and self.follow_up == "none":
            self.follow_up = "tomorrow"
        return lines

    def typed_readings(self) -> dict:
        """The readings typed so far that are numbers (the others are errors)."""
        values = {}
        for name, text in self.readings.items():
            try:
                values[name] = float((text or "").strip())
            except ValueError:
                continue
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


# ---- Edit resident ---------------------------------------------------------------------------

TEXT_FIELDS = ("phone", "emergency_contact", "emergency_phone", "ability_assessed_on",
               "ability_assessor", "care_notes")
CHOICE_FIELDS = {"care_categories": (CATEGORY_LABELS, True), "safety_devices":
                 (SAFETY_DEVICE_LABELS, True), "ability_level": (ABILITY_LABELS, False),
                 "status": (STATUS_LABELS, False)}
EDIT_ORDER = ("phone", "emergency_contact", "emergency_phone", "care_categories",
              "ability_level", "ability_assessed_on", "ability_assessor", "safety_devices",
              "status", "care_notes")


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


# ---- Sync ----------------------------------------------------------------------------------

REJECTION_ADVICE = {
    p.REJ_OUT_OF_SCOPE: N_("You are no longer assigned to this resident's grid, so the server "
                           "did not take this change. Tell your supervisor what it said."),
    p.REJ_FIELD_NOT_EDITABLE: N_("Your role may not change this detail. Ask your supervisor "
                                 "to change it."),
    p.REJ_UNKNOWN_ENTITY: N_("The server no longer has this resident. Ask your supervisor."),
    p.REJ_INVALID: N_("The server found something wrong in this change. Record it again "
                      "with the right values."),
    p.REJ_ALREADY_EXISTS: N_("The server already has this record. Nothing to do."),
    p.REJ_RESIDENT_MOVED: N_("This resident has moved to another grid. Tell that grid's "
                             "supervisor what you recorded, then remove it from the list."),
    p.REJ_UNDELIVERABLE: N_("This change could not be sent, so it is kept here and the "
                            "others were sent. Please contact the community office."),
}
#: Reasons the tablet itself gives (the server's come with their own words).
OWN_REASONS = {p.REJ_UNDELIVERABLE: N_("it could not be sent after several tries")}
DEFAULT_ADVICE = N_("The server did not take this change. Show this to your supervisor.")
ENTITY_LABELS = {p.VISIT: N_("Visit"), p.NOTE: N_("Case note"),
                 p.RESIDENT: N_("Change of details")}


def rejected_entry(op: dict) -> dict:
    what = label(ENTITY_LABELS, op.get("entity"))
    data = op.get("data") or {}
    if op.get("entity") == p.RESIDENT:
        what = _("{what}: {detail}").format(what=what, detail=list_separator().join(
            label(FIELD_LABELS, name) for name in data))
    elif op.get("entity") == p.VISIT and data.get("outcome"):
        what = _("{what}: {detail}").format(what=what,
                                            detail=label(OUTCOME_LABELS, data["outcome"]))
    return {
        "op_id": op["op_id"],
        "head": f"{op.get('resident_name') or _('A resident no longer on this tablet')} · {what}",
        "when": format_moment(_parse(op.get("made_at"))),
        "reason": _("Reason: {reason}").format(
            reason=_(OWN_REASONS[op["reason_code"]]) if op.get("reason_code") in OWN_REASONS
            else op.get("reason") or op.get("reason_code") or _("not given")),
        "advice": _(REJECTION_ADVICE.get(op.get("reason_code"), DEFAULT_ADVICE)),
    }


SYNC_ERRORS = {
    "offline": N_("No signal: will try again by itself."),
    "refused": N_("The server refused the sync."),
    "digest_mismatch": N_("The copy on this tablet did not match; it will be fetched again."),
}


@dataclass
class SyncView:
    last_success: str
    last_result: str
    rejected: list[dict]
    conflicts: list[dict]
    #: Said when pulled records are set aside (client/pulled.py); empty otherwise.
    quarantined: str = ""


def sync_view(last_success: datetime | None, last_report, rejected_ops: list[dict],
              conflicts: list[dict], quarantined: int = 0) -> SyncView:
    if last_report is None:
        result = _("Not synced yet.")
    elif last_report.ok:
        result = _("Sent {pushed}, received {pulled}.").format(pushed=last_report.pushed,
                                                               pulled=last_report.pulled)
        if last_report.rejected:
            result += " " + _("{count} refused: see below.").format(count=last_report.rejected)
    else:
        result = _(SYNC_ERRORS.get(last_report.error_code, N_("Sync did not finish: {error}"))
                   ).format(error=last_report.error or "")
    return SyncView(last_success=_("Last successful sync: {when}").format(
        when=format_moment(last_success)), last_result=result,
        rejected=[rejected_entry(op) for op in rejected_ops],
        conflicts=[conflict_entry(c) for c in conflicts],
        quarantined=_("{count} records cannot be shown for now. Please contact the community "
                      "office.").format(count=quarantined) if quarantined else "")


def progress_text(phase: str, done: int, total: int | None) -> str:
    if phase == "push":
        return _("Sending {done} of {total}…").format(done=done, total=total or done)
    if phase == "pull":
        return _("Receiving… {done}").format(done=done)
    return _("Checking the copy…")


def account_lines(account, encrypted: bool | None = None) -> list[tuple[str, str]]:
    if account is None:
        return []
    lines = [(_("Signed in as"), f"{account.display_name} ({label(ROLE_LABELS, account.role)})"),
             (_("Server"), account.server_url), (_("This tablet"), account.device_name)]
    if encrypted is not None:
        lines.append((_("Records on this tablet"), _("Encrypted") if encrypted else
                      _("Not encrypted: this tablet cannot encrypt them")))
    return lines


# ---- the lock ---------------------------------------------------------------------------------


def check_new_pin(pin: str, again: str) -> str:
    """The problem with a new unlock code, or "" when it will do."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 6):
        return _("Use 4 to 6 digits.")
    if pin != again:
        return _("The two codes are not the same.")
    return ""


def wrong_pin_message(attempts_left: int) -> str:
    return _("Wrong unlock code. {count} tries left.").format(count=attempts_left)
