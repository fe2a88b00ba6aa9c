"""Coded values of the protocol: each kind of code is an enum (the one definition), with the
plain-string constants and tuples that the wire, the databases and older code compare against.
Moved out of shared/protocol.py, which re-exports every name: ``p.MET``, ``p.Outcome`` work as
before."""
from enum import StrEnum

# ---- coded values: each kind of code is an enum (the one definition); the plain-string
# constants and tuples below are what the wire, the databases and older code compare against.
# Every member has its words in shared/vocabulary.py.


class Role(StrEnum):
    """From least to most reach."""

    VOLUNTEER = "volunteer"
    GRID_WORKER = "grid_worker"
    REPRESENTATIVE = "representative"
    COUNCIL_DELEGATE = "council_delegate"  # 居民议事会代表, not a 人大代表
    COMMUNITY_WORKER = "community_worker"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class AreaLevel(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


class RepresentativeLevel(StrEnum):
    """The people's congress a 人大代表 sits in."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


class Outcome(StrEnum):
    MET = "met"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"
    AWAY = "away"
    HOSPITALISED = "hospitalised"
    MOVED = "moved"
    DECEASED = "deceased"
    #: Met, found an emergency and dealt with it (what was done is recorded).
    EMERGENCY = "emergency"


class Mood(StrEnum):
    GOOD = "good"
    OK = "ok"
    LOW = "low"


class CareCategory(StrEnum):
    """关爱类别: the national guidance's categories and the common local ones. 高龄 (80+) is
    not one: it is computed from the birth year."""

    ALONE = "alone"
    EMPTY_NEST = "empty_nest"
    LEFT_BEHIND = "left_behind"
    DISABLED = "disabled"  # 失能, including 失智
    SEVERE_DISABILITY = "severe_disability"
    BEREAVED_ONE_CHILD = "bereaved_one_child"  # 计划生育特殊家庭
    DESTITUTE = "destitute"  # 特困 (分散供养)
    SUBSISTENCE = "subsistence"  # 低保
    SERIOUS_ILLNESS = "serious_illness"


class AbilityLevel(StrEnum):
    """GB/T 42195-2022, from able to completely unable."""

    INTACT = "intact"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    COMPLETE = "complete"


class RiskTier(StrEnum):
    HIGH = "high"
    KEY = "key"
    ROUTINE = "routine"


class VisitMethod(StrEnum):
    DOOR = "door"
    PHONE = "phone"
    VIDEO = "video"


class CheckItem(StrEnum):
    """The visit's quick checklist: "no problem" unless an exception is noted."""

    HEALTH = "health"
    LIVING = "living"
    FAMILY = "family"
    HOME_SAFETY = "home_safety"
    SERVICE_NEEDS = "service_needs"


class Advice(StrEnum):
    POLICY = "policy"
    ANTI_FRAUD = "anti_fraud"


class Need(StrEnum):
    MEALS = "meals"
    MEDICINE = "medicine"
    ERRANDS = "errands"
    CLEANING = "cleaning"
    REPAIRS = "repairs"
    MEDICAL = "medical"
    COMPANY = "company"
    PAPERWORK = "paperwork"
    BATHING = "bathing"
    REHABILITATION = "rehabilitation"
    HOME_ADAPTATION = "home_adaptation"
    POLICY_ADVICE = "policy_advice"


class Service(StrEnum):
    CHAT = "chat"
    HEALTH_CHECK = "health_check"
    ERRAND_RUN = "errand_run"
    MEAL_DELIVERED = "meal_delivered"
    REPAIR_DONE = "repair_done"
    REFERRAL = "referral"
    DEVICE_CHECK = "device_check"
    CLEANING_DONE = "cleaning_done"
    ESCORTED_TO_DOCTOR = "escorted_to_doctor"
    BATHING_HELP = "bathing_help"


class SafetyDevice(StrEnum):
    FALL_ALARM = "fall_alarm"
    SMOKE_DETECTOR = "smoke_detector"
    GAS_ALARM = "gas_alarm"
    EMERGENCY_BUTTON = "emergency_button"
    DOOR_SENSOR = "door_sensor"
    INFRARED_SENSOR = "infrared_sensor"
    SMART_WATER_METER = "smart_water_meter"
    WEARABLE = "wearable"
    WATER_LEAK = "water_leak"
    PULL_CORD = "pull_cord"


class CheckResult(StrEnum):
    OK = "ok"
    FAULTY = "faulty"
    MISSING = "missing"


class ResidentStatus(StrEnum):
    ACTIVE = "active"
    HOSPITALISED = "hospitalised"
    MOVED = "moved"
    DECEASED = "deceased"


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


class Correction(StrEnum):
    VOID = "void"
    AMEND = "amend"


class LegacyLivingSituation(StrEnum):
    """Protocol 3's ``living_situation`` tags (mapped on arrival; see the migration notes)."""

    ALONE = "alone"
    EMPTY_NEST = "empty_nest"
    AGED_80_PLUS = "aged_80_plus"
    DISABLED = "disabled"


class LegacyCareLevel(StrEnum):
    """Protocol 3's three care levels."""

    SELF_CARE = "self_care"
    ASSISTED = "assisted"
    FULL_CARE = "full_care"


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# roles, from least to most reach
VOLUNTEER = Role.VOLUNTEER.value
GRID_WORKER = Role.GRID_WORKER.value
REPRESENTATIVE = Role.REPRESENTATIVE.value
COUNCIL_DELEGATE = Role.COUNCIL_DELEGATE.value
COMMUNITY_WORKER = Role.COMMUNITY_WORKER.value
SUPERVISOR = Role.SUPERVISOR.value
ADMIN = Role.ADMIN.value
ROLES = _values(Role)
#: Who visits with a tablet: the grid's people, a 人大代表, a 居民议事会代表, a 社区工作者.
FIELD_ROLES = (VOLUNTEER, GRID_WORKER, REPRESENTATIVE, COUNCIL_DELEGATE, COMMUNITY_WORKER)

# area levels
DISTRICT = AreaLevel.DISTRICT.value
STREET = AreaLevel.STREET.value
COMMUNITY = AreaLevel.COMMUNITY.value
GRID = AreaLevel.GRID.value
AREA_LEVELS = _values(AreaLevel)

# visit outcomes
MET = Outcome.MET.value
NO_ANSWER = Outcome.NO_ANSWER.value
REFUSED = Outcome.REFUSED.value
AWAY = Outcome.AWAY.value
HOSPITALISED = Outcome.HOSPITALISED.value
MOVED = Outcome.MOVED.value
DECEASED = Outcome.DECEASED.value
EMERGENCY = Outcome.EMERGENCY.value
OUTCOMES = _values(Outcome)
#: Outcomes that propose a change of the resident's status, for a supervisor to confirm.
STATUS_PROPOSING_OUTCOMES = {MOVED: MOVED, DECEASED: DECEASED}

MOODS = _values(Mood)

# living situation tags
ALONE = LegacyLivingSituation.ALONE.value
EMPTY_NEST = LegacyLivingSituation.EMPTY_NEST.value
AGED_80_PLUS = LegacyLivingSituation.AGED_80_PLUS.value
DISABLED = LegacyLivingSituation.DISABLED.value
LIVING_SITUATIONS = _values(LegacyLivingSituation)

CARE_LEVELS = _values(LegacyCareLevel)

CARE_CATEGORIES = _values(CareCategory)
ABILITY_LEVELS = _values(AbilityLevel)
RISK_TIERS = _values(RiskTier)
REPRESENTATIVE_LEVELS = _values(RepresentativeLevel)
VISIT_METHODS = _values(VisitMethod)
DOOR = VisitMethod.DOOR.value
CHECK_ITEMS = _values(CheckItem)
ADVICE = _values(Advice)
SAFETY_DEVICES = _values(SafetyDevice)
SAFETY_CHECK_RESULTS = _values(CheckResult)
NEEDS = _values(Need)
SERVICES = _values(Service)
RESIDENT_STATUSES = _values(ResidentStatus)

# campaigns: why everyone of some categories must be visited within CAMPAIGN_HOURS
CAMPAIGN_KINDS = ("heatwave", "cold_snap", "storm", "festival", "other")
CAMPAIGN_HOURS = 24

# corrections of append-only records
VOID = Correction.VOID.value
AMEND = Correction.AMEND.value
CORRECTIONS = _values(Correction)
