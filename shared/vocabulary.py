"""The one table of codes → words. Every coded thing a person reads (outcomes, categories,
roles, due states …) is named here once, in Simplified Chinese and in English, in the words of the
glossary (docs/design.md, "Words"). The tablet, the web view, exports and roster headers all read
this table, so one thing has one word everywhere.

    label("outcome", "met", "zh_CN")   -> "见到本人"
    choices("mood", "en")              -> [("good", "Good spirits"), ("ok", "So-so"), ...]
    join(["独居", "空巢"], "zh_CN")     -> "独居、空巢"

Pure: no I/O, no Flask, no Kivy. A code without a word (data from a newer version) reads as
"其他" / "Other", never as the code itself.
"""
from __future__ import annotations

from typing import Iterable

from . import protocol as p
from . import resident_fields

ZH = "zh_CN"
EN = "en"
LOCALES = (ZH, EN)
DEFAULT_LOCALE = ZH

#: What an unknown code reads as (a code never reaches a person).
UNKNOWN = {ZH: "其他", EN: "Other"}
#: What an empty value reads as.
EMPTY = "—"

PRODUCT = {ZH: "敲门走访", EN: "Knockdoor"}

#: kind -> code -> (Chinese, English). The order of each kind is the order of its choices.
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "outcome": {
        p.Outcome.MET: ("见到本人", "Met in person"),
        p.Outcome.NO_ANSWER: ("无人应门", "No answer"),
        p.Outcome.REFUSED: ("拒绝走访", "Refused the visit"),
        p.Outcome.AWAY: ("外出", "Away"),
        p.Outcome.HOSPITALISED: ("住院", "In hospital"),
        p.Outcome.MOVED: ("已搬离", "Moved away"),
        p.Outcome.DECEASED: ("已去世", "Passed away"),
        p.Outcome.EMERGENCY: ("发现紧急情况并已处置", "Emergency found and handled"),
    },
    "mood": {
        p.Mood.GOOD: ("精神好", "Good spirits"),
        p.Mood.OK: ("一般", "So-so"),
        p.Mood.LOW: ("情绪低落", "Low"),
    },
    "care_category": {
        p.CareCategory.ALONE: ("独居", "Living alone"),
        p.CareCategory.EMPTY_NEST: ("空巢", "Empty nest"),
        p.CareCategory.LEFT_BEHIND: ("留守", "Left behind"),
        p.CareCategory.DISABLED: ("失能（含失智）", "Disabled or with dementia"),
        p.CareCategory.SEVERE_DISABILITY: ("重残", "Severe disability"),
        p.CareCategory.BEREAVED_ONE_CHILD: ("计划生育特殊家庭", "Family-planning special family"),
        p.CareCategory.DESTITUTE: ("特困（分散供养）", "Destitute (living at home)"),
        p.CareCategory.SUBSISTENCE: ("低保", "Minimum living allowance"),
        p.CareCategory.SERIOUS_ILLNESS: ("重病", "Serious illness"),
    },
    #: Shown beside the categories, computed from the birth year; never stored or typed.
    "derived_category": {
        "aged_80_plus": ("高龄", "Aged 80+"),
    },
    "ability_level": {
        p.AbilityLevel.INTACT: ("能力完好", "Fully able"),
        p.AbilityLevel.MILD: ("轻度失能", "Mildly impaired"),
        p.AbilityLevel.MODERATE: ("中度失能", "Moderately impaired"),
        p.AbilityLevel.SEVERE: ("重度失能", "Severely impaired"),
        p.AbilityLevel.COMPLETE: ("完全失能", "Completely impaired"),
    },
    "risk_tier": {
        p.RiskTier.HIGH: ("高风险", "High risk"),
        p.RiskTier.KEY: ("重点关注", "Key group"),
        p.RiskTier.ROUTINE: ("一般关注", "Routine"),
    },
    "method": {
        p.VisitMethod.DOOR: ("上门", "Door visit"),
        p.VisitMethod.PHONE: ("电话", "Phone call"),
        p.VisitMethod.VIDEO: ("视频", "Video call"),
    },
    "check_item": {
        p.CheckItem.HEALTH: ("身体状况", "Health"),
        p.CheckItem.LIVING: ("生活与待遇", "Living conditions and benefits"),
        p.CheckItem.FAMILY: ("家人照应", "Family support"),
        p.CheckItem.HOME_SAFETY: ("居家安全（水电气暖）", "Home safety (water, power, gas, heating)"),
        p.CheckItem.SERVICE_NEEDS: ("服务需求", "Service needs"),
    },
    "check_state": {
        "fine": ("无问题", "No problem"),
        "concern": ("有情况", "Something to note"),
    },
    "advice": {
        p.Advice.POLICY: ("讲解政策", "Explained benefits and policies"),
        p.Advice.ANTI_FRAUD: ("防诈骗提醒", "Anti-fraud advice"),
    },
    "need": {
        p.Need.MEALS: ("助餐", "Meals"),
        p.Need.MEDICINE: ("买药", "Buying medicine"),
        p.Need.ERRANDS: ("代办跑腿", "Errands"),
        p.Need.CLEANING: ("保洁", "Cleaning"),
        p.Need.REPAIRS: ("维修", "Repairs"),
        p.Need.MEDICAL: ("就医", "Seeing a doctor"),
        p.Need.COMPANY: ("陪伴", "Company"),
        p.Need.PAPERWORK: ("办事", "Paperwork"),
        p.Need.BATHING: ("助浴", "Help bathing"),
        p.Need.REHABILITATION: ("康复", "Rehabilitation"),
        p.Need.HOME_ADAPTATION: ("适老化改造", "Home adaptation"),
        p.Need.POLICY_ADVICE: ("政策咨询", "Advice on benefits"),
    },
    "service": {
        p.Service.CHAT: ("聊天陪伴", "Chat and company"),
        p.Service.HEALTH_CHECK: ("健康监测", "Health check"),
        p.Service.ERRAND_RUN: ("代办跑腿", "Ran an errand"),
        p.Service.MEAL_DELIVERED: ("送餐", "Delivered a meal"),
        p.Service.REPAIR_DONE: ("维修", "Fixed something"),
        p.Service.REFERRAL: ("上报转办", "Reported for follow-up"),
        p.Service.DEVICE_CHECK: ("设备检查", "Checked devices"),
        p.Service.CLEANING_DONE: ("保洁", "Cleaning"),
        p.Service.ESCORTED_TO_DOCTOR: ("陪同就医", "Went to the doctor with them"),
        p.Service.BATHING_HELP: ("助浴", "Helped with bathing"),
    },
    "device": {
        p.SafetyDevice.FALL_ALARM: ("跌倒报警器", "Fall alarm"),
        p.SafetyDevice.SMOKE_DETECTOR: ("烟雾报警器", "Smoke detector"),
        p.SafetyDevice.GAS_ALARM: ("燃气报警器", "Gas detector"),
        p.SafetyDevice.EMERGENCY_BUTTON: ("紧急呼叫按钮", "Emergency button"),
        p.SafetyDevice.DOOR_SENSOR: ("门磁感应器", "Door sensor"),
        p.SafetyDevice.INFRARED_SENSOR: ("红外人体感应器", "Infrared activity sensor"),
        p.SafetyDevice.SMART_WATER_METER: ("智能水表", "Smart water meter"),
        p.SafetyDevice.WEARABLE: ("智能手环（防走失）", "Wearable (anti-wandering)"),
        p.SafetyDevice.WATER_LEAK: ("水浸报警器", "Water-leak sensor"),
        p.SafetyDevice.PULL_CORD: ("拉绳报警器", "Pull-cord alarm"),
    },
    "check": {
        p.CheckResult.OK: ("正常", "Working"),
        p.CheckResult.FAULTY: ("故障", "Faulty"),
        p.CheckResult.MISSING: ("缺失", "Missing"),
    },
    "status": {
        p.ResidentStatus.ACTIVE: ("在册", "On the roster"),
        p.ResidentStatus.HOSPITALISED: ("住院", "In hospital"),
        p.ResidentStatus.MOVED: ("已搬离", "Moved away"),
        p.ResidentStatus.DECEASED: ("已去世", "Passed away"),
    },
    "sex": {
        p.Sex.FEMALE: ("女", "Female"),
        p.Sex.MALE: ("男", "Male"),
    },
    "role": {
        p.Role.VOLUNTEER: ("志愿者", "Volunteer"),
        p.Role.GRID_WORKER: ("网格员", "Grid worker"),
        p.Role.REPRESENTATIVE: ("人大代表", "People's congress deputy"),
        p.Role.COUNCIL_DELEGATE: ("居民议事会代表", "Residents' council delegate"),
        p.Role.COMMUNITY_WORKER: ("社区工作者", "Community worker"),
        p.Role.SUPERVISOR: ("社区负责人", "Community lead"),
        p.Role.ADMIN: ("系统管理员", "Administrator"),
    },
    "representative_level": {
        p.RepresentativeLevel.NATIONAL: ("全国人大代表", "National People's Congress deputy"),
        p.RepresentativeLevel.PROVINCE: ("省人大代表", "Provincial congress deputy"),
        p.RepresentativeLevel.CITY: ("市人大代表", "City congress deputy"),
        p.RepresentativeLevel.COUNTY: ("区人大代表", "District congress deputy"),
        p.RepresentativeLevel.TOWNSHIP: ("乡镇人大代表", "Township congress deputy"),
    },
    "level": {
        p.AreaLevel.DISTRICT: ("区", "District"),
        p.AreaLevel.STREET: ("街道", "Street"),
        p.AreaLevel.COMMUNITY: ("社区", "Community"),
        p.AreaLevel.GRID: ("网格", "Grid"),
    },
    "due": {
        "overdue": ("超期未访", "Overdue"),
        "due_today": ("今天应访", "Due today"),
        "due_this_week": ("本周应访", "Due this week"),
        "not_due": ("未到走访日", "Not due yet"),
        "inactive": ("无需走访", "Not on the visit list"),
    },
    "alert_kind": {
        "reading": ("测量数据危险", "Dangerous reading"),
        "ladder": ("多次无人应门", "Nobody answers"),
        "status": ("待确认的状态变更", "Status change to confirm"),
    },
    "danger_direction": {
        "high": ("偏高", "too high"),
        "low": ("偏低", "too low"),
    },
    "follow_up_step": {
        "revisit": ("再次上门", "Visit again"),
        "call_contact": ("联系紧急联系人", "Call the emergency contact"),
        "alert_supervisor": ("报告社区负责人", "Tell the community lead"),
    },
    "correction": {
        p.Correction.VOID: ("已作废", "Voided"),
        p.Correction.AMEND: ("已更正", "Amended"),
    },
    "conflict_status": {
        "open": ("待核对", "To check"),
        "settled": ("已核对", "Checked"),
    },
    #: A tablet's record on its way to the server.
    "op_state": {
        "pending": ("待上传", "Not sent yet"),
        "acked": ("已上传", "Sent"),
        "rejected": ("未保存成功", "Not saved"),
    },
    "reading": {
        "systolic": ("收缩压", "Systolic pressure"),
        "diastolic": ("舒张压", "Diastolic pressure"),
        "pulse": ("心率", "Pulse"),
        "blood_sugar": ("血糖", "Blood sugar"),
        "temperature": ("体温", "Temperature"),
    },
    "unit": {
        "systolic": ("mmHg", "mmHg"),
        "diastolic": ("mmHg", "mmHg"),
        "pulse": ("次/分", "beats/min"),
        "blood_sugar": ("mmol/L", "mmol/L"),
        "temperature": ("℃", "℃"),
    },
    #: Protocol 3's codes, still found in old data and unsent ops until they are mapped.
    "legacy_living_situation": {
        p.LegacyLivingSituation.ALONE: ("独居", "Living alone"),
        p.LegacyLivingSituation.EMPTY_NEST: ("空巢", "Empty nest"),
        p.LegacyLivingSituation.AGED_80_PLUS: ("高龄", "Aged 80+"),
        p.LegacyLivingSituation.DISABLED: ("失能（含失智）", "Disabled or with dementia"),
    },
    "legacy_care_level": {
        p.LegacyCareLevel.SELF_CARE: ("能力完好", "Fully able"),
        p.LegacyCareLevel.ASSISTED: ("中度失能", "Moderately impaired"),
        p.LegacyCareLevel.FULL_CARE: ("重度失能", "Severely impaired"),
    },
    #: Resident fields (their words are declared with them, shared/resident_fields.py) and
    #: visit fields, as form labels and as export and roster headers.
    "field": {
        **{field.name: (field.zh, field.en) for field in resident_fields.FIELDS},
        "age": ("年龄", "Age"),
        "outcome": ("走访结果", "Outcome"),
        "method": ("走访方式", "How"),
        "checklist": ("走访内容", "Visit checklist"),
        "advice": ("宣传提醒", "Advice given"),
        "emergency_action": ("紧急情况处置", "What was done"),
        "mood": ("精神状态", "Mood"),
        "readings": ("测量数据", "Readings"),
        "needs": ("需求", "Needs"),
        "services": ("提供的服务", "Services given"),
        "safety_checks": ("设备检查", "Device checks"),
        "away_reason": ("外出去向", "Where to"),
        "note": ("情况记录", "Case note"),
        "follow_up_on": ("回访日期", "Follow-up date"),
    },
}

# Keys as plain strings: a code read from JSON or a database finds its words.
WORDS = {kind: {str(code): words for code, words in table.items()}
         for kind, table in WORDS.items()}




def normalise_locale(locale: str | None) -> str:
    """``zh``, ``zh-CN``, ``zh_CN`` → zh_CN; ``en…`` → en; anything else → Chinese."""
    if locale and locale.lower().startswith("en"):
        return EN
    return ZH


def kinds() -> tuple[str, ...]:
    return tuple(WORDS)


def codes(kind: str) -> tuple[str, ...]:
    """The codes of ``kind``, in choice order, as plain strings."""
    return tuple(WORDS[kind])


def label(kind: str, code, locale: str | None = DEFAULT_LOCALE) -> str:
    """The word for ``code`` of ``kind`` in ``locale``; "—" for an empty value."""
    if code is None or code == "":
        return EMPTY
    index = 1 if normalise_locale(locale) == EN else 0
    words = WORDS[kind].get(code)
    if words is None:
        return UNKNOWN[LOCALES[index]]
    return words[index]


def choices(kind: str, locale: str | None = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """(code, word) pairs for a picker, in the table's order."""
    return [(code, label(kind, code, locale)) for code in codes(kind)]


def code_for(kind: str, text: str) -> str | None:
    """The code whose word (in either language) or code is ``text``, or None: what an import
    reads back from a cell the app, the web or an export wrote."""
    wanted = _fold(text)
    for code, words in WORDS[kind].items():
        if wanted in (_fold(code), _fold(words[0]), _fold(words[1])):
            return code
    return None


def _fold(text: str) -> str:
    # Both bracket widths are the same word (an export written by hand may use either).
    return text.strip().replace("(", "（").replace(")", "）").casefold()


def separator(locale: str | None = DEFAULT_LOCALE) -> str:
    """Between the items of a list: 、 in Chinese, a comma and a space in English."""
    return ", " if normalise_locale(locale) == EN else "、"


def join(words: Iterable[str], locale: str | None = DEFAULT_LOCALE) -> str:
    return separator(locale).join(words)


def labels(kind: str, codes_: Iterable[str] | None, locale: str | None = DEFAULT_LOCALE) -> str:
    """A list of codes as one line of words, or "—" when empty."""
    items = [label(kind, code, locale) for code in codes_ or ()]
    return join(items, locale) if items else EMPTY


def product_name(locale: str | None = DEFAULT_LOCALE) -> str:
    return PRODUCT[normalise_locale(locale)]
