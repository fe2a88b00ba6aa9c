"""The community's words for Knockdoor's codes: one table per field, in one place.

The living-situation column is read as 关爱类别 (care categories): its words map to
shared.protocol.CareCategory codes, and the old codes (the 80+ tag, the three care levels) are
mapped by shared/legacy.py before the schema checks the row.
"""
from __future__ import annotations

import re

from shared import protocol as p

from .text import compact

SEX_WORDS = {"男": "M", "女": "F", "男性": "M", "女性": "F", "m": "M", "f": "F",
             "male": "M", "female": "F"}

#: The living situations communities write, and Knockdoor's code for each. A word not here is
#: listed in the preview for the supervisor to map (or keep in the notes), never dropped.
LIVING_WORDS = {
    "独居": p.ALONE, "独自居住": p.ALONE, "独住": p.ALONE, "一人居住": p.ALONE,
    "空巢": p.EMPTY_NEST, "老两口": p.EMPTY_NEST, "纯老家庭": p.EMPTY_NEST,
    "高龄": p.AGED_80_PLUS, "80岁以上": p.AGED_80_PLUS, "八十岁以上": p.AGED_80_PLUS,
    "失能": p.DISABLED, "半失能": p.DISABLED, "完全失能": p.DISABLED, "部分失能": p.DISABLED,
    "失智": p.DISABLED, "失能（含失智）": p.DISABLED,
    "留守": p.CareCategory.LEFT_BEHIND.value, "重残": p.CareCategory.SEVERE_DISABILITY.value,
    "重度残疾": p.CareCategory.SEVERE_DISABILITY.value,
    "计划生育特殊家庭": p.CareCategory.BEREAVED_ONE_CHILD.value,
    "失独": p.CareCategory.BEREAVED_ONE_CHILD.value,
    "特困": p.CareCategory.DESTITUTE.value, "特困（分散供养）": p.CareCategory.DESTITUTE.value,
    "分散供养特困": p.CareCategory.DESTITUTE.value, "低保": p.CareCategory.SUBSISTENCE.value,
    "重病": p.CareCategory.SERIOUS_ILLNESS.value, "大病": p.CareCategory.SERIOUS_ILLNESS.value,
}
#: Endings dropped before looking a word up: 空巢老人 is 空巢.
_LIVING_ENDINGS = ("老人", "家庭", "人员")
#: What the supervisor may choose for a word the table does not know: a code, or "note" (the
#: word is added to the resident's notes).
KEEP_AS_NOTE = "note"
_BRACKETED = re.compile(r"\(.*?\)")

CARE_WORDS = {"自理": "self_care", "半护理": "assisted", "协助": "assisted",
              "半自理": "assisted", "全护理": "full_care", "全护": "full_care",
              "不能自理": "full_care",
              # GB/T 42195-2022's five levels, as the ability levels themselves
              "能力完好": "intact", "轻度失能": "mild", "中度失能": "moderate",
              "重度失能": "severe", "完全失能": "complete"}
DEVICE_WORDS = {"跌倒报警器": "fall_alarm", "烟感报警器": "smoke_detector", "烟感": "smoke_detector",
                "燃气报警器": "gas_alarm", "紧急呼叫按钮": "emergency_button",
                "紧急呼叫": "emergency_button", "门磁": "door_sensor"}


def living_code(word: str, chosen: dict[str, str] | None = None) -> str | None:
    """Knockdoor's code for a living-situation word (or the supervisor's choice for it,
    possibly :data:`KEEP_AS_NOTE`); None when nobody knows it yet."""
    key = compact(word)
    if chosen and key in chosen:
        return chosen[key]
    if key.lower() in p.LIVING_SITUATIONS or key.lower() in p.CARE_CATEGORIES:
        return key.lower()
    # 高龄（80岁以上） as the web and the tablet label it: the word without its bracket too
    bare = _BRACKETED.sub("", key)
    for candidate in (key, bare, *(bare[:-len(e)] for e in _LIVING_ENDINGS if bare.endswith(e))):
        if candidate in LIVING_WORDS:
            return LIVING_WORDS[candidate]
    return None


def sex_code(word: str) -> str | None:
    return SEX_WORDS.get(compact(word).lower())
