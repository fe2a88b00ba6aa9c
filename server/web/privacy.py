"""Who sees residents' phone numbers and health readings in bulk (lists and exports).

The rule (docs/security.md, "Personal data by role"): a whole file of phone numbers or readings
goes only to the people who call and visit those residents. Field people have their own grids'
records on their tablets; a community supervisor (assigned to a community or its grids) exports
them in full. A street supervisor and an administrator oversee many communities: they open any
single resident in their scope (each opening is in the audit log), but their exports carry
masked phone numbers (138****1234) and no readings. Web lists never show phone numbers.
"""
from __future__ import annotations

from shared import protocol as p

from .access import Scope
from .exports import VISIT_COLUMNS
from .roster import COLUMNS as RESIDENT_COLUMNS

PHONE_FIELDS = ("phone", "emergency_phone")
READING_FIELDS = ("systolic", "diastolic", "pulse", "blood_sugar", "temperature")


def sees_contacts_in_bulk(scope: Scope) -> bool:
    """Assigned to a community or grid, and to nothing wider: the people who do the calling."""
    if scope.is_admin or not scope.own_area_ids:
        return False
    return all(scope.areas[area].level in (p.COMMUNITY, p.GRID) for area in scope.own_area_ids
               if area in scope.areas)


def mask_phone(number) -> str:
    """138****1234: enough to tell two numbers apart, not enough to call."""
    text = str(number or "")
    if not text:
        return ""
    if len(text) <= 4:
        return "*" * len(text)
    keep_head = 3 if len(text) >= 8 else 0
    return text[:keep_head] + "*" * (len(text) - keep_head - 4) + text[-4:]


def redact_residents(scope: Scope, table: list[list]) -> list[list]:
    if sees_contacts_in_bulk(scope):
        return table
    columns = [i for i, (name, *_rest) in enumerate(RESIDENT_COLUMNS) if name in PHONE_FIELDS]
    for row in table:
        for i in columns:
            row[i] = mask_phone(row[i])
    return table


def redact_visits(scope: Scope, table: list[list]) -> list[list]:
    if sees_contacts_in_bulk(scope):
        return table
    columns = [i for i, (name, _zh) in enumerate(VISIT_COLUMNS) if name in READING_FIELDS]
    for row in table:
        for i in columns:
            row[i] = ""
    return table
