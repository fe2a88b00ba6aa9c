"""The Resident screen: heading, facts at the door, and the timeline of visits and notes."""
from __future__ import annotations

from dataclasses import dataclass

from shared import resident_fields

from ..i18n import _
from .common import (CHECK_LABELS, FIELD_LABELS, MOOD_LABELS, NEED_LABELS, OUTCOME_LABELS,
                     READING_LABELS, READING_UNITS, SAFETY_DEVICE_LABELS, SERVICE_LABELS,
                     SEX_LABELS, STATUS_LABELS, N_, categories_text, conflict_entry, day_text,
                     format_moment, join_labels, label, list_separator, parse_moment,
                     value_text)
from .today import due_badge


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
    when = format_moment(parse_moment(visit.get("visited_at")))
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
        lines.append(_("Follow up on {date}").format(date=day_text(visit["follow_up_on"])))
    return {"kind": "visit", "id": visit.get("id"), "head": head, "body": "\n".join(lines),
            "by": visit.get("author_name") or "", "state": _state(visit),
            "voided": bool(visit.get("voided")),
            "sort": visit.get("visited_at") or ""}


def note_entry(note: dict) -> dict:
    when = format_moment(parse_moment(note.get("written_at")))
    return {"kind": "note", "id": note.get("id"), "head": f"{when} · {_('Case note')}",
            "body": note.get("text") or "", "by": note.get("author_name") or "",
            "state": _state(note), "voided": False, "sort": note.get("written_at") or ""}


def _state(record: dict) -> str:
    text = _(STATE_LABELS[record["state"]]) if STATE_LABELS.get(record.get("state")) else ""
    if record.get("voided"):
        text = (text + " · " if text else "") + _("struck out")
    return text


#: The facts shown at the door (shared/resident_fields.py).
DOOR_FACTS = tuple(field.name for field in resident_fields.FIELDS if field.at_door)


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
    #: The follow-up's next step, said plainly, with the number to call when it is a call.
    next_step: str = ""


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
    categories = categories_text(record.get("care_categories"), summary.age)
    facts[DOOR_FACTS.index("care_categories")] = (_(FIELD_LABELS["care_categories"]),
                                                   categories or _("not recorded"))
    if summary.status != "active":
        facts.insert(0, (_(FIELD_LABELS["status"]), label(STATUS_LABELS, summary.status)))
    timeline = [visit_entry(v) for v in detail.visits] + [note_entry(n) for n in detail.notes]
    timeline.sort(key=lambda entry: entry["sort"], reverse=True)
    title, subtitle, badge, tone = resident_heading(summary)
    step = getattr(detail, "follow_up_step", None)
    phone = record.get("phone") or record.get("emergency_phone")
    if step == "call_contact" and record.get("emergency_phone"):
        phone = record["emergency_phone"]  # the number the next step calls for
    next_step = next_step_text(step, record)
    if next_step:  # first among the facts at the door: what to do now
        facts.insert(0, (_("Next step"), next_step))
    return ResidentView(
        title=title, subtitle=subtitle, facts=facts, timeline=timeline,
        conflicts=[conflict_entry(c) for c in detail.conflicts if c.get("status") == "open"],
        phone=phone, badge=badge, tone=tone, next_step=next_step)


def next_step_text(step: str | None, record: dict) -> str:
    if step == "revisit":
        return _("Nobody answered: come back, or ask a neighbour.")
    if step == "call_contact":
        contact = record.get("emergency_contact") or ""
        number = record.get("emergency_phone") or ""
        if number:
            return _("Nobody answered twice: call the emergency contact {contact} on "
                     "{number}.").format(contact=contact, number=number)
        return _("Nobody answered twice and there is no emergency contact on record: tell "
                 "your community.")
    if step == "alert_supervisor":
        return _("Nobody answered three times: your community lead has been told. Keep "
                 "trying, and call the emergency contact.")
    return ""
