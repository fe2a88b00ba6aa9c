"""Who sees residents' phone numbers and health readings in bulk (lists and exports).

The rule (docs/security.md, "Personal data by role"): a whole file of phone numbers or readings
goes only to the people who call and visit those residents. Field people have their own grids'
records on their tablets; a community supervisor (assigned to a community or its grids) exports
them in full. A street supervisor and an administrator oversee many communities: they open any
single resident in their scope (each opening is in the audit log), but their exports carry
masked phone numbers (138****1234) and no readings. Web lists never show phone numbers, except
the call lists (:mod:`.call_lists`), which follow the export rule.
"""
from __future__ import annotations

from shared import protocol as p
from shared import resident_fields

from .access import Scope
from .exports import Sheet

#: Columns masked in bulk: the resident fields that are phone numbers (shared/resident_fields.py).
PHONE_FIELDS = resident_fields.PHONES
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


def redact(scope: Scope, sheet: Sheet) -> Sheet:
    """Phone numbers masked and readings left out, unless ``scope`` sees them in bulk."""
    if sees_contacts_in_bulk(scope):
        return sheet
    masked = [i for i, key in enumerate(sheet.keys) if key in PHONE_FIELDS]
    dropped = [i for i, key in enumerate(sheet.keys) if key in READING_FIELDS]
    for row in sheet.rows:
        for i in masked:
            row[i] = mask_phone(row[i])
        for i in dropped:
            row[i] = None
    return sheet
