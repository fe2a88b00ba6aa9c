"""Protocol 3's resident fields in protocol 4's words.

Tablets in the field hold unsent ops (and records) in the old shape: ``living_situation`` tags
(one of them, ``aged_80_plus``, repeating the birth year) and three care levels. They are mapped
on arrival: the tags become 关爱类别 without the 80+ tag (computed from the birth year now), and
each care level becomes the nearest of GB/T 42195-2022's five ability levels. Used by the server's
push, the server's migration and the tablet's local migration, so all three map alike.
"""
from __future__ import annotations

from typing import Any, Mapping

from .protocol import AGED_80_PLUS, CareCategory, LegacyCareLevel, AbilityLevel

LIVING_SITUATION = "living_situation"
CARE_LEVEL = "care_level"
LEGACY_FIELDS = (LIVING_SITUATION, CARE_LEVEL)

#: The nearest ability level of each care level (三级 → 五级: self-care is able; needing some
#: help is the middle grade; needing full care is 重度失能, the level long-term care starts at).
CARE_LEVEL_TO_ABILITY = {
    LegacyCareLevel.SELF_CARE.value: AbilityLevel.INTACT.value,
    LegacyCareLevel.ASSISTED.value: AbilityLevel.MODERATE.value,
    LegacyCareLevel.FULL_CARE.value: AbilityLevel.SEVERE.value,
}
_CATEGORIES = {member.value for member in CareCategory}


def categories_from_living_situation(tags) -> list[str]:
    """The old tags as care categories: 80+ dropped, anything unknown dropped."""
    if not isinstance(tags, list):
        return tags  # not a list: left for validation to name
    return [tag for tag in dict.fromkeys(tags)
            if isinstance(tag, str) and tag != AGED_80_PLUS and tag in _CATEGORIES]


def ability_from_care_level(level):
    return CARE_LEVEL_TO_ABILITY.get(level, level) if isinstance(level, str) else level


def has_legacy_fields(data: Any) -> bool:
    return isinstance(data, Mapping) and any(name in data for name in LEGACY_FIELDS)


def map_resident_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A resident's data (a whole record or an update's changed fields) in today's fields.
    A field already in the new shape wins over its old twin."""
    mapped = {key: value for key, value in data.items() if key not in LEGACY_FIELDS}
    if LIVING_SITUATION in data:
        mapped.setdefault("care_categories",
                          categories_from_living_situation(data[LIVING_SITUATION]))
    if CARE_LEVEL in data:
        mapped.setdefault("ability_level", ability_from_care_level(data[CARE_LEVEL]))
    return mapped


def map_op(raw: Any) -> Any:
    """A pushed op with old resident fields, in today's fields (anything else as it came)."""
    if isinstance(raw, Mapping) and raw.get("entity") == "resident" \
            and has_legacy_fields(raw.get("data")):
        return {**raw, "data": map_resident_data(raw["data"])}
    return raw


#: What a resident record holds for a field protocol 3 did not have.
NEW_FIELD_DEFAULTS = {"ability_assessed_on": None, "ability_assessor": None, "risk_tier": None,
                      "risk_reason": None, "device_details": {}}


def map_resident_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A whole resident record as a server of protocol 3 sent it, as a server of protocol 4
    sends it after its migration: the same mapping on both sides keeps their digests equal."""
    mapped = map_resident_data(payload)
    mapped.setdefault("care_categories", [])
    mapped.setdefault("ability_level", None)
    for name, default in NEW_FIELD_DEFAULTS.items():
        mapped.setdefault(name, default)
    return mapped


#: Old field → (new field, how a value maps).
FIELD_MAP = {LIVING_SITUATION: ("care_categories", categories_from_living_situation),
             CARE_LEVEL: ("ability_level", ability_from_care_level)}


def map_field_value(field: str, value: Any) -> tuple[str, Any]:
    """One old field and value (a conflict's, a field stamp's) as the new field and value."""
    if field not in FIELD_MAP:
        return field, value
    new_field, mapping = FIELD_MAP[field]
    return new_field, mapping(value)


def map_field_stamps(stamps: Mapping[str, Any] | None) -> dict[str, Any]:
    """A resident's field stamps (server/sync/stamps.py) with the old fields renamed and each
    candidate's value (``x``) mapped."""
    mapped: dict[str, Any] = {}
    for name, items in (stamps or {}).items():
        new_name, _value = map_field_value(name, None)
        if name in FIELD_MAP and isinstance(items, list):
            items = [{**item, "x": map_field_value(name, item.get("x"))[1]}
                     if isinstance(item, dict) else item for item in items]
        mapped.setdefault(new_name, items)
    return mapped


def map_conflict_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A conflict record about an old field, about the new one."""
    field = payload.get("field")
    if field not in FIELD_MAP:
        return dict(payload)
    mapped = dict(payload)
    for key in ("kept_value", "lost_value", "settled_value"):
        if key in mapped and mapped[key] is not None:
            mapped[key] = map_field_value(field, mapped[key])[1]
    mapped["field"] = FIELD_MAP[field][0]
    return mapped
