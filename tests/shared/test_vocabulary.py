"""The one table of codes → words: every protocol code has a word in both languages, Chinese
words are Chinese, and nothing a person reads is a code."""
from __future__ import annotations

import re
from enum import StrEnum

import pytest

from shared import due, legacy
from shared import protocol as p
from shared import vocabulary as v

#: Each enum of the protocol and the vocabulary kind that names its members.
ENUM_KINDS = {
    p.Role: "role", p.AreaLevel: "level", p.RepresentativeLevel: "representative_level",
    p.Outcome: "outcome", p.Mood: "mood", p.CareCategory: "care_category",
    p.AbilityLevel: "ability_level", p.RiskTier: "risk_tier", p.VisitMethod: "method",
    p.CheckItem: "check_item", p.Advice: "advice", p.Need: "need", p.Service: "service",
    p.SafetyDevice: "device", p.CheckResult: "check", p.ResidentStatus: "status", p.Sex: "sex",
    p.Correction: "correction", p.LegacyLivingSituation: "legacy_living_situation",
    p.LegacyCareLevel: "legacy_care_level",
}
#: The protocol's tuples of codes (what the wire accepts today) and their kinds.
TUPLE_KINDS = {
    "ROLES": "role", "AREA_LEVELS": "level", "OUTCOMES": "outcome", "MOODS": "mood",
    "LIVING_SITUATIONS": "legacy_living_situation", "CARE_LEVELS": "legacy_care_level",
    "SAFETY_DEVICES": "device", "SAFETY_CHECK_RESULTS": "check", "NEEDS": "need",
    "SERVICES": "service", "RESIDENT_STATUSES": "status", "CORRECTIONS": "correction",
}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
UNIT_WORDS = {"mmHg", "mmol"}


def test_every_protocol_enum_has_a_kind():
    enums = {value for value in vars(p).values()
             if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum}
    # Error and rejection codes are sentences with parameters, in each side's catalogs.
    messages = {getattr(p, name) for name in ("ErrorCode", "RejectCode") if hasattr(p, name)}
    assert enums - messages == set(ENUM_KINDS), "a new enum in shared/protocol needs its words"


@pytest.mark.parametrize("enum", list(ENUM_KINDS), ids=lambda e: e.__name__)
def test_every_enum_member_has_a_word_in_both_languages(enum):
    kind = ENUM_KINDS[enum]
    assert set(v.codes(kind)) == {member.value for member in enum}
    for member in enum:
        zh, en = v.label(kind, member, "zh_CN"), v.label(kind, member.value, "en")
        assert zh not in (v.UNKNOWN["zh_CN"], member.value) and CJK.search(zh)
        assert en not in (v.UNKNOWN["en"], member.value) and not CJK.search(en)


@pytest.mark.parametrize("name", list(TUPLE_KINDS))
def test_every_code_the_wire_accepts_has_a_word(name):
    kind = TUPLE_KINDS[name]
    for code in getattr(p, name):
        assert v.label(kind, code, "zh_CN") != v.UNKNOWN["zh_CN"], (name, code)
        assert v.label(kind, code, "en") != v.UNKNOWN["en"], (name, code)


def test_due_states_have_words():
    for state in due.STATUS_ORDER:
        assert CJK.search(v.label("due", state))
        assert v.label("due", state, "en") != v.UNKNOWN["en"]


def test_chinese_words_carry_no_english():
    for kind, table in v.WORDS.items():
        for code, (zh, _en) in table.items():
            leaked = set(LATIN_WORD.findall(zh)) - UNIT_WORDS
            assert not leaked, (kind, code, zh)


def test_one_word_per_code_and_one_code_per_word_within_a_kind():
    for kind, table in v.WORDS.items():
        if kind == "unit":
            continue
        for index in (0, 1):
            words = [pair[index] for pair in table.values()]
            assert len(words) == len(set(words)), (kind, index)


def test_the_glossary_words():
    """The glossary's terms (LANGUAGE.md), where the old screens used other words."""
    assert [v.label("outcome", code) for code in p.OUTCOMES[:7]] == [
        "见到本人", "无人应门", "拒绝走访", "外出", "住院", "已搬离", "已去世"]
    assert v.choices("mood") == [("good", "精神好"), ("ok", "一般"), ("low", "情绪低落")]
    assert v.label("service", "chat") == "聊天陪伴"
    assert v.label("check", "ok") == "正常"
    assert v.product_name() == "敲门走访"
    assert v.label("role", "community_worker") == "社区工作者"
    assert v.label("role", "council_delegate") == "居民议事会代表"
    assert "半护理" not in str(v.WORDS) and "需要部分照顾" not in str(v.WORDS)


def test_unknown_and_empty_codes_never_show_the_code():
    assert v.label("outcome", "teleported") == "其他"
    assert v.label("outcome", "teleported", "en") == "Other"
    assert v.label("outcome", None) == v.label("outcome", "") == "—"


def test_locale_spellings():
    assert v.label("sex", "F", "zh-CN") == v.label("sex", "F", "zh") == "女"
    assert v.label("sex", "F", "en_GB") == "Female"
    assert v.label("sex", "F", None) == "女"


def test_lists_join_with_the_languages_separator():
    assert v.labels("care_category", ["alone", "empty_nest"]) == "独居、空巢"
    assert v.labels("care_category", ["alone", "empty_nest"], "en") == "Living alone, Empty nest"
    assert v.labels("need", []) == "—"


def test_an_import_reads_back_every_word_and_both_bracket_widths():
    for kind in v.kinds():
        for code, (zh, en) in v.WORDS[kind].items():
            if kind == "unit":
                continue
            assert v.code_for(kind, zh) == code
            assert v.code_for(kind, f"  {en.upper()} ") == code
    assert v.code_for("care_category", "特困(分散供养)") == "destitute"
    assert v.code_for("care_category", "not a category") is None


def test_legacy_care_levels_map_to_the_nearest_ability_level():
    mapped = legacy.CARE_LEVEL_TO_ABILITY
    assert set(mapped) == set(p.CARE_LEVELS)
    for old, new in mapped.items():
        assert v.label("legacy_care_level", old) == v.label("ability_level", new)
