"""The demo district: 华龙区 as a supervisor would recognise it.

``knockdoor seed --demo`` calls :func:`seed_demo`: four streets (街道), ten communities (社区),
26 grids (网格) and about 1,400 elderly residents with the shape of a real care roster (mostly
women, born 1930–1960, a third living alone), the knock-door teams assigned to the grids, and
five weeks of visit history, so that the tablets and the supervisor pages have something true
to show on the first morning: who is overdue, whose door stayed shut, who needs meals.

Everything is drawn from one :class:`random.Random` seeded with ``random_seed``, so the same seed
gives the same district, people, roster and history (relative to the day it is seeded). The ids
of residents are made by :func:`server.sync.edits.create_residents` and differ from run to run;
visit and note ids are drawn from the seed.

Residents go in through ``create_residents`` and visits through :class:`ChangeBatch`, in a few
large batches, so every record is in the change log exactly as if it had been synced, and the
whole district seeds in a few seconds.
"""
from __future__ import annotations

import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from shared import protocol as p
from shared.clock import utcnow
from shared.district_rules import follows_up
from shared.grid_code import make_grid_code
from shared.due import OVERDUE, cadence_days, due_status

from . import district
from .alerts import raise_for_visits
from .models import Area, Assignment, Base, Pairing, Person, Resident
from .sync.batch import ChangeBatch, ResidentFacts
from .sync.edits import create_residents

#: The one password of every demo account. Demo data, printed on purpose: not a secret.
DEMO_PASSWORD = "knock-2026"
DEFAULT_RANDOM_SEED = 2026

#: Demo accounts share a published password, so a slow hash protects nothing here; it would only
#: make seeding (55 accounts) and the simulation's sign-ins (one per tablet) slow. Real accounts
#: (``knockdoor create-user``, the admin pages) use the configured slow hash (scrypt).
DEMO_PASSWORD_HASH = "pbkdf2:sha256:1000"

#: China Standard Time: visits happen in office hours there.

HISTORY_DAYS = 35
VISITS_PER_BATCH = 2500

# ---- the district ---------------------------------------------------------------------------

DISTRICT_NAME = "华龙区"
DISTRICT_CODE = "410902"  # 濮阳市华龙区

#: street -> [(community, its roads, number of grids)]
STREETS: list[tuple[str, list[tuple[str, list[str], int]]]] = [
    ("长庆路街道", [("建设路社区", ["建设路", "长庆路"], 3),
                ("长庆社区", ["长庆路", "任丘路"], 3),
                ("振兴社区", ["振兴路", "大庆路"], 2)]),
    ("中原路街道", [("中原社区", ["中原路", "京开大道"], 3),
                ("绿城社区", ["绿城路", "文化路"], 2)]),
    ("人民路街道", [("人民社区", ["人民路", "胜利路"], 3),
                ("华龙社区", ["华龙路", "开州路"], 3),
                ("育新社区", ["育新路", "昆吾路"], 2)]),
    ("黄河路街道", [("黄河社区", ["黄河路", "石化路"], 3),
                ("安居社区", ["安居路", "濮上路"], 2)]),
]
NAMED_COMPOUNDS = ["油田一区", "油田三区", "华龙花园", "金色家园", "幸福小区", "绿苑小区",
                   "中原小区", "康乐园", "建业小区", "阳光小区", "锦华苑", "东方家园",
                   "职工家属院", "粮食局家属院", "供电局家属院", "一中家属院"]

# ---- names ----------------------------------------------------------------------------------

#: Common surnames with rough national frequencies (per mille), and some that Henan has more of.
SURNAMES = {
    "王": 71, "李": 70, "张": 67, "刘": 54, "陈": 45, "杨": 31, "赵": 23, "黄": 22, "周": 17,
    "吴": 16, "徐": 13, "孙": 13, "胡": 13, "朱": 12, "高": 12, "林": 12, "何": 12, "郭": 12,
    "马": 11, "罗": 9, "梁": 8, "宋": 8, "郑": 8, "谢": 7, "韩": 7, "唐": 6, "冯": 6, "于": 6,
    "董": 6, "曹": 7, "许": 6, "邓": 6, "彭": 6, "田": 5, "袁": 4, "魏": 5, "吕": 4, "孟": 4,
    "崔": 4, "程": 4, "贾": 4, "杜": 4, "侯": 3, "范": 3, "史": 3, "姚": 3, "任": 3, "卢": 3,
    "姜": 3, "丁": 3, "薛": 3, "闫": 3, "付": 3, "蒋": 3, "潘": 2, "段": 2, "牛": 2, "耿": 2,
    "申": 2, "苗": 2, "岳": 2, "常": 2, "秦": 2, "尹": 2, "雷": 2, "葛": 2,
}
ELDER_FEMALE = ["秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英",
                "玉梅", "凤兰", "秀云", "桂芳", "淑珍", "淑芬", "素珍", "秀芳", "桂珍", "玉芳",
                "凤琴", "桂荣", "秀梅", "翠兰", "翠英", "春兰", "素英", "爱英", "爱荣", "改英",
                "改荣", "香兰", "金兰", "银花", "俊英", "书芳", "荣花", "月娥", "菊花", "淑兰",
                "秀荣", "玉华", "凤霞", "美兰", "春梅", "英", "兰", "珍", "梅", "霞"]
ELDER_MALE = ["建国", "国华", "建华", "德明", "志刚", "国强", "振华", "卫国", "保国", "文华",
              "学文", "长青", "德胜", "玉林", "金山", "树林", "福生", "庆林", "永祥", "守信",
              "广才", "新民", "建设", "长海", "国栋", "铁柱", "春生", "宝山", "德全", "保民",
              "焕章", "连生", "有才", "得福", "秋生", "万里", "兴旺", "志远", "洪亮", "明",
              "强", "刚", "军", "林", "山", "忠", "勇", "斌"]
CHILD_MALE = ["伟", "强", "磊", "军", "勇", "杰", "涛", "超", "明", "刚", "建伟", "建军",
              "海涛", "晓东", "志勇", "红军", "卫东", "国庆", "永强", "海军", "建平", "立新"]
CHILD_FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "红", "丽娟", "红梅", "海燕",
                "晓燕", "春燕", "秀丽", "丽华", "艳红", "玉霞", "美玲", "慧", "晓红", "丽萍"]
WORKER_MALE = ["浩", "宇", "鹏", "凯", "帅", "亮", "斌", "辉", "磊", "振宇", "俊杰", "志强",
               "建新", "国伟", "晓明", "永刚"]
WORKER_FEMALE = ["婷", "雪", "丹", "玲", "佳", "悦", "欣怡", "晨", "静", "丽娜", "晓丽", "春霞",
                 "文静", "海霞", "亚楠", "艳丽", "小红", "慧敏"]

CARE_NOTES = [
    "高血压多年,每天早晚服药,提醒按时吃药。", "糖尿病,需提醒测血糖,饮食清淡。",
    "耳背,敲门要用力,说话大声些。", "住五楼无电梯,腿脚不便,很少下楼。",
    "子女在郑州工作,每月回来一次。", "儿子在外地打工,春节回家。", "对青霉素过敏。",
    "喜欢聊天,爱下象棋,可多陪聊一会儿。", "轻度认知障碍,说话重复,注意用火用电安全。",
    "心脏搭过桥,家里备有速效救心丸。",
    "视力差,看不清药盒上的字,帮忙分好药。", "每周二、五社区食堂送餐。",
    "慢阻肺,冬天容易犯病。", "退休老教师,爱看报纸,订了《濮阳日报》。",
    "腰椎不好,拄拐杖。", "女儿每天晚上打电话,如联系不上会找网格员。",
    "低保户,医保报销材料需要帮忙办理。", "白内障术后恢复中,需陪同复查。",
]
#: Notes that only fit someone living alone, and ones that only fit someone who does not.
CARE_NOTES_ALONE = ["老伴去年去世,情绪低落,多关心。", "不愿去养老院,想在自己家住。",
                    "钥匙在邻居张阿姨家放了一把。"]
CARE_NOTES_TOGETHER = ["独自照顾残疾儿子,压力大。", "老两口互相照应,老伴记性不好。"]
VISIT_NOTES = [
    "精神不错,聊了会儿家常。", "说最近睡不好,建议去社区医院看看。",
    "帮忙换了灯泡。", "燃气报警器电池快没电了,下次带电池。",
    "老人说膝盖疼,下楼困难。", "女儿刚来看过,情绪很好。", "帮忙交了电费。", "家里有点乱,联系保洁上门。",
    "药快吃完了,明天帮忙去药店买。", "天冷了,提醒关好门窗注意保暖。", "想办老年证,下次带表格来。",
    "邻居说前两天看到老人在楼下晒太阳。",
]
CASE_NOTES = [
    "女儿说下个月接老人去郑州住一段时间,走前会告诉网格员。",
    "老人反映楼道灯坏了,已报物业。", "医保卡丢了,已陪同去社区服务中心补办。",
    "近两周食欲差,体重明显下降,建议家属带去医院检查。", "申请了居家养老服务补贴,材料已交街道。",
    "烟感报警器误报两次,已联系厂家检修。", "儿子出差一周,这期间每天电话问候。",
    "社区医生上门测了血糖,结果偏高,已告知家属。", "老人想参加社区老年大学书法班,已报名。",
    "卫生间地滑,建议加装扶手,已报送民政。", "老人说有推销保健品的人上门,已提醒不要买。",
    "低保年审材料已帮忙准备好。",
]
AWAY_REASONS = ["去女儿家住两周", "回老家探亲", "去儿子家过节", "住院复查"]


@dataclass
class Login:
    username: str
    role: str
    display_name: str
    scope: str


@dataclass
class DemoSummary:
    random_seed: int
    streets: int = 0
    communities: int = 0
    grids: int = 0
    residents: int = 0
    visits: int = 0
    notes: int = 0
    people: int = 0
    field_workers: int = 0
    open_follow_ups: int = 0
    overdue: int = 0
    password: str = DEMO_PASSWORD
    logins: list[Login] = field(default_factory=list)

    def counts_line(self) -> str:
        return (f"{self.streets} streets, {self.communities} communities, {self.grids} grids, "
                f"{self.residents:,} residents, {self.visits:,} visits, {self.notes:,} case notes, "
                f"{self.people} people ({self.field_workers} field workers); "
                f"{self.overdue} overdue today, {self.open_follow_ups} open follow-ups")

    def logins_table(self) -> str:
        rows = [("username", "role", "name", "scope")]
        rows += [(login.username, login.role, login.display_name, login.scope)
                 for login in self.logins]
        widths = [max(display_width(row[i]) for row in rows) for i in range(3)]
        lines = [f"Logins (every demo account's password: {self.password})"]
        for row in rows:
            lines.append("  ".join(pad(cell, width) for cell, width in zip(row, widths))
                         + "  " + row[3])
        return "\n".join(lines)


def display_width(value: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def pad(value: str, width: int) -> str:
    return value + " " * (width - display_width(value))


class DemoDataExists(Exception):
    """The database already holds areas, people or residents: seeding would mix districts."""


# ---- the plan: pure data, drawn from the seed -----------------------------------------------

@dataclass
class PlannedArea:
    key: str
    level: str
    name: str
    code: str
    parent: str | None
    roads: list[str] = field(default_factory=list)


@dataclass
class PlannedPerson:
    username: str
    role: str
    display_name: str
    phone: str | None
    areas: list[str]  # keys of PlannedArea
    starts_on: date
    representative_level: str | None = None  # a 人大代表's congress


@dataclass
class PlannedResident:
    grid: str
    fields: dict


@dataclass
class PlannedVisit:
    resident: int  # index into Plan.residents
    author: str  # username
    visited_at: datetime
    recorded_at: datetime
    outcome: str
    details: dict
    id: str


@dataclass
class PlannedNote:
    resident: int
    author: str
    written_at: datetime
    text: str
    id: str


@dataclass
class Plan:
    areas: list[PlannedArea] = field(default_factory=list)
    people: list[PlannedPerson] = field(default_factory=list)
    residents: list[PlannedResident] = field(default_factory=list)
    visits: list[PlannedVisit] = field(default_factory=list)
    notes: list[PlannedNote] = field(default_factory=list)
    #: 结对帮扶: (index of the resident, username of the visitor)
    pairings: list[tuple[int, str]] = field(default_factory=list)


class _Draw:
    """Everything random, from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._surnames = list(SURNAMES)
        self._surname_weights = list(SURNAMES.values())

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._surname_weights)[0]

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def mobile(self) -> str:
        prefix = self.rng.choice(["130", "131", "132", "135", "136", "137", "138", "139",
                                  "150", "151", "152", "155", "158", "159", "180", "182",
                                  "186", "187", "188", "189"])
        return prefix + "".join(str(self.rng.randrange(10)) for _ in range(8))

    def landline(self) -> str:
        return f"0393-{self.rng.choice('4568')}{self.rng.randrange(10**6):06d}"

    def worker_name(self, sex: str) -> str:
        return self.surname() + self.rng.choice(WORKER_FEMALE if sex == "F" else WORKER_MALE)


def build_plan(random_seed: int = DEFAULT_RANDOM_SEED, now: datetime | None = None) -> Plan:
    """The whole demo as data: no database, so it is cheap to compare for determinism."""
    now = (now or utcnow()).replace(microsecond=0)
    draw = _Draw(random_seed)
    plan = Plan()
    _plan_areas(plan)
    _plan_people(plan, draw)
    _plan_residents(plan, draw, now)
    _plan_history(plan, draw, now)
    return plan


def field_usernames() -> list[str]:
    """The demo's field workers (``vol-01``, ``vol-02``, …), in order: the simulation signs in
    one tablet for each of the first N. Neighbouring names share grids (see _plan_people)."""
    plan = Plan()
    _plan_areas(plan)
    _plan_people(plan, _Draw(DEFAULT_RANDOM_SEED))
    return [person.username for person in plan.people if person.role in p.FIELD_ROLES]


def _plan_areas(plan: Plan) -> None:
    plan.areas.append(PlannedArea("d", p.DISTRICT, DISTRICT_NAME, DISTRICT_CODE, None))
    for s, (street, communities) in enumerate(STREETS, 1):
        street_key = f"s{s}"
        plan.areas.append(PlannedArea(street_key, p.STREET, street,
                                      f"{DISTRICT_CODE}{s:03d}", "d"))
        for c, (community, roads, grids) in enumerate(communities, 1):
            community_key = f"{street_key}c{c}"
            community_code = f"{DISTRICT_CODE}{s:03d}{c:03d}"
            plan.areas.append(PlannedArea(community_key, p.COMMUNITY, community, community_code,
                                          street_key, roads))
            for g in range(1, grids + 1):
                plan.areas.append(PlannedArea(f"{community_key}g{g}", p.GRID,
                                              f"{community}第{g}网格",
                                              make_grid_code(DISTRICT_CODE, s, c, g),
                                              community_key, roads))


def _plan_people(plan: Plan, draw: _Draw) -> None:
    rng = draw.rng
    areas = {area.key: area for area in plan.areas}

    def person(username, role, name, keys, years_back=(1, 4)):
        starts = date(2026 - rng.randint(*years_back), rng.randint(1, 12), 1)
        plan.people.append(PlannedPerson(username, role, name, draw.mobile(), keys, starts))

    person("admin", p.ADMIN, "区民政局管理员", [])
    streets = [a for a in plan.areas if a.level == p.STREET]
    communities = [a for a in plan.areas if a.level == p.COMMUNITY]
    for n, street in enumerate(streets, 1):
        person(f"street-{n}", p.SUPERVISOR, draw.worker_name(rng.choice("FM")), [street.key])
    for n, community in enumerate(communities, 1):
        person(f"sup-{n}", p.SUPERVISOR, draw.worker_name(rng.choice("FFM")), [community.key])

    # Every grid has its grid worker (网格员); the first grids also get a volunteer or a
    # people's-congress representative (人大代表), who also covers the neighbouring grid.
    # Usernames alternate between them, so the first tablets of a simulation share grids and
    # can edit the same residents.
    grids = [a for a in plan.areas if a.level == p.GRID]
    extra = 14
    number = 0
    for index, grid in enumerate(grids):
        number += 1
        person(f"vol-{number:02d}", p.GRID_WORKER, draw.worker_name(rng.choice("FFFM")),
               [grid.key])
        if index < extra:
            number += 1
            if index % 2 == 0:
                person(f"vol-{number:02d}", p.VOLUNTEER, draw.worker_name(rng.choice("FFM")),
                       [grid.key])
            else:
                keys = [grid.key]
                sibling = next((g for g in grids if g.parent == grid.parent and g is not grid
                                and g.key > grid.key), None)
                if sibling is not None:
                    keys.append(sibling.key)
                person(f"vol-{number:02d}", p.REPRESENTATIVE, draw.worker_name(rng.choice("FMM")),
                       keys)
                # District and township deputies live among their voters; a few sit higher.
                plan.people[-1].representative_level = rng.choices(
                    ("county", "township", "city", "province"), (6, 3, 2, 1))[0]
    assert all(areas[key].level in (p.STREET, p.COMMUNITY, p.GRID)
               for person_ in plan.people for key in person_.areas)


def _plan_residents(plan: Plan, draw: _Draw, now: datetime) -> None:
    rng = draw.rng
    today = district.today(now)
    areas = {area.key: area for area in plan.areas}
    used_addresses: set[str] = set()
    for grid in (a for a in plan.areas if a.level == p.GRID):
        street = areas[areas[grid.parent].parent].name
        # 2–3 compounds per grid: numbered courtyards on the community's roads, or a named estate.
        compounds = []
        for _ in range(rng.randint(2, 3)):
            while True:
                if draw.chance(0.25):
                    compound = rng.choice(NAMED_COMPOUNDS)
                else:
                    compound = f"{rng.choice(grid.roads)}{rng.randint(1, 160)}号院"
                if all(compound not in a for a in used_addresses):
                    break
            compounds.append((compound, rng.randint(3, 12)))
            used_addresses.add(compound)
        for _ in range(rng.randint(50, 58)):
            while True:
                compound, buildings = rng.choice(compounds)
                address = (f"{street}{compound}{rng.randint(1, buildings)}号楼"
                           f"{rng.randint(1, 4)}单元{rng.randint(1, 7)}0{rng.randint(1, 2)}")
                if address not in used_addresses:
                    used_addresses.add(address)
                    break
            plan.residents.append(PlannedResident(grid.key, _resident_fields(draw, address, today)))


def _resident_fields(draw: _Draw, address: str, today: date) -> dict:
    rng = draw.rng
    sex = "F" if draw.chance(0.62) else "M"
    surname = draw.surname()
    name = surname + rng.choice(ELDER_FEMALE if sex == "F" else ELDER_MALE)
    # Older residents are fewer; the roster starts at about 65.
    birth_year = 1960 - int(rng.triangular(0, 31, 5))
    age = today.year - birth_year

    categories, ability, tier, reason = _care_profile(draw, age)
    alone = p.ALONE in categories
    devices = [device for device, chance in (
        ("fall_alarm", 0.6 if alone else 0.15), ("smoke_detector", 0.8 if alone else 0.4),
        ("gas_alarm", 0.5 if alone else 0.25), ("emergency_button", 0.4 if alone else 0.08),
        ("door_sensor", 0.15 if alone and age >= 80 else 0.0),
        ("infrared_sensor", 0.2 if alone and age >= 80 else 0.0),
        ("smart_water_meter", 0.12 if alone else 0.0),
        ("wearable", 0.5 if p.DISABLED in categories else 0.0),
        ("water_leak", 0.05), ("pull_cord", 0.3 if ability in ("severe", "complete") else 0.0))
        if draw.chance(chance)]

    # Children: a son carries the family name; a woman's children carry their father's.
    child_sex = "M" if draw.chance(0.5) else "F"
    child_surname = surname if sex == "M" or draw.chance(0.1) else draw.surname()
    relation = {"M": "儿子", "F": "女儿"}[child_sex]
    if draw.chance(0.06):
        relation, child_sex = rng.choice([("侄子", "M"), ("外甥女", "F"),
                                          ("邻居", rng.choice("MF"))])
        child_surname = surname if relation == "侄子" else draw.surname()
    child = child_surname + rng.choice(CHILD_MALE if child_sex == "M" else CHILD_FEMALE)
    has_contact = draw.chance(0.95)

    phone = None
    if draw.chance(0.78):
        phone = draw.mobile()
    elif draw.chance(0.6):
        phone = draw.landline()

    # Who receives a device's alarms: the child for most, the grid worker when nobody is near.
    receiver = f"{child}（{relation}）" if has_contact and draw.chance(0.7) else "社区网格员"
    device_details = {device: {"installed_on": (today - timedelta(
        days=rng.randint(30, 900))).isoformat(), "alarm_to": receiver} for device in devices}
    assessed_on = (today - timedelta(days=rng.randint(20, 700))).isoformat()
    assessor = rng.choice(ASSESSORS)

    cadence = None
    if ability == "complete" and alone:
        cadence = 3
    elif draw.chance(0.03):
        cadence = 10

    notes = None
    if draw.chance(0.3):
        choices = CARE_NOTES + (CARE_NOTES_ALONE if alone else CARE_NOTES_TOGETHER)
        notes = " ".join(rng.sample(choices, 1 if draw.chance(0.7) else 2))

    return {
        "name": name, "sex": sex, "birth_year": birth_year, "address": address,
        "phone": phone,
        "emergency_contact": f"{child}({relation})" if has_contact else None,
        "emergency_phone": draw.mobile() if has_contact else None,
        "care_categories": categories, "ability_level": ability,
        "ability_assessed_on": assessed_on, "ability_assessor": assessor,
        "risk_tier": tier, "risk_reason": reason,
        "visit_cadence_days": cadence, "safety_devices": devices,
        "device_details": device_details, "care_notes": notes, "status": "active",
    }


#: Who assesses ability levels (GB/T 42195-2022) in the demo: the street's assessment agency.
ASSESSORS = ("濮阳市华龙区老年人能力评估中心", "社区卫生服务中心 王医生", "社区卫生服务中心 李医生")


def _care_profile(draw: _Draw, age: int) -> tuple[list[str], str, str, str]:
    """关爱类别, ability level, risk tier and its reason, drawn so that they agree with each
    other and with the age (80+ itself is never stored: the birth year says it)."""
    rng = draw.rng
    categories = []
    if draw.chance(0.36):
        categories.append(p.ALONE)
    elif draw.chance(0.45):
        categories.append(p.EMPTY_NEST)
    elif draw.chance(0.08):
        categories.append(p.CareCategory.LEFT_BEHIND.value)
    disabled = draw.chance(0.05 + max(0, age - 75) * 0.01)
    if disabled:
        categories.append(p.DISABLED)
    if draw.chance(0.04):
        categories.append(p.CareCategory.SEVERE_DISABILITY.value)
    if draw.chance(0.03):
        categories.append(p.CareCategory.BEREAVED_ONE_CHILD.value)
    if draw.chance(0.05):
        categories.append(p.CareCategory.SUBSISTENCE.value)
    elif draw.chance(0.015):
        categories.append(p.CareCategory.DESTITUTE.value)
    if draw.chance(0.04):
        categories.append(p.CareCategory.SERIOUS_ILLNESS.value)
    categories = [code for code in p.CARE_CATEGORIES if code in categories]

    impaired = disabled or p.CareCategory.SEVERE_DISABILITY.value in categories
    if impaired:
        ability = rng.choices(("moderate", "severe", "complete"), (5, 4, 2))[0]
    elif age >= 85:
        ability = rng.choices(("intact", "mild"), (5, 5))[0]
    else:
        ability = rng.choices(("intact", "mild"), (88, 12))[0]

    alone, old = p.ALONE in categories, age >= 80
    if alone and (old or impaired) or ability in ("severe", "complete"):
        tier = "high"
        reason = ("独居且失能" if alone and impaired else "独居高龄" if alone and old
                  else "重度失能，需每周上门")
    elif alone or impaired or old or set(categories) & {
            p.CareCategory.SUBSISTENCE.value, p.CareCategory.DESTITUTE.value,
            p.CareCategory.SERIOUS_ILLNESS.value, p.CareCategory.BEREAVED_ONE_CHILD.value}:
        tier = "key"
        reason = ("独居" if alone else "失能" if impaired else "高龄" if old
                  else "困难家庭，每月走访")
    else:
        tier, reason = "routine", "身体和居住情况稳定"
    return categories, ability, tier, reason


def _office_hours(draw: _Draw, day: date, now: datetime) -> datetime:
    """A moment on ``day`` between 8:30 and 17:30 China time, never in the future."""
    minutes = draw.rng.randint(8 * 60 + 30, 17 * 60 + 30)
    moment = datetime.combine(day, time(minutes // 60, minutes % 60),
                              district.district_zone()).astimezone(timezone.utc)
    return min(moment, now - timedelta(minutes=draw.rng.randint(20, 90)))


def _plan_history(plan: Plan, draw: _Draw, now: datetime) -> None:
    rng = draw.rng
    today = district.today(now)
    workers_of: dict[str, list[str]] = {}
    for person in plan.people:
        if person.role in p.FIELD_ROLES:
            for key in person.areas:
                workers_of.setdefault(key, []).append(person.username)

    for index, resident in enumerate(plan.residents):
        fields = resident.fields
        workers = workers_of[resident.grid]
        if fields["risk_tier"] == "high" and rng.random() < 0.3:
            plan.pairings.append((index, rng.choice(workers)))  # 结对帮扶
        cadence = cadence_days(fields["care_categories"], fields["birth_year"],
                               fields["visit_cadence_days"], today, fields["risk_tier"])
        alone = follows_up(fields["care_categories"], fields["birth_year"], fields["risk_tier"],
                           today)
        roll = rng.random()
        # The state the history leads up to today.
        if roll < 0.07:
            kind = "overdue"
            last_met_days = cadence + rng.randint(3, 12)
        elif alone and roll < 0.07 + 0.12:
            kind = "follow_up"  # the last knock went unanswered
            last_met_days = rng.randint(max(2, cadence - 3), cadence + 4)
        elif roll < 0.22:
            kind = "hospitalised" if rng.random() < 0.15 else "normal"
            last_met_days = rng.randint(0, min(cadence, HISTORY_DAYS))
        else:
            kind = "normal"
            last_met_days = rng.randint(0, min(cadence, HISTORY_DAYS))

        days = []  # (days ago, outcome)
        if kind == "hospitalised":
            days.append((rng.randint(1, 4), p.HOSPITALISED))
            last_met_days += 5
        elif kind == "follow_up":
            days.append((rng.randint(1, max(1, last_met_days - 1)), p.NO_ANSWER))
        days.append((last_met_days, p.MET))
        ago = last_met_days
        while True:
            ago += cadence + rng.randint(-1, 2)
            if ago > HISTORY_DAYS:
                break
            roll = rng.random()
            if roll < (0.08 if alone else 0.04):
                # Nobody answered; the worker came back a day or two later and met them.
                days.append((ago, p.MET))
                days.append((ago + rng.randint(1, 2), p.NO_ANSWER))
                ago += 2
            elif roll < 0.12:
                days.append((ago, p.AWAY))
            elif roll < 0.123:
                days.append((ago, p.EMERGENCY))  # found unwell and dealt with at once
            else:
                days.append((ago, p.MET))
        if kind == "hospitalised":
            fields["status"] = "hospitalised"

        baseline = rng.randint(118, 150) + (10 if fields["care_notes"] and "高血压"
                                            in fields["care_notes"] else 0)
        for ago, outcome in sorted(days, key=lambda item: -item[0]):
            if ago > HISTORY_DAYS + 7:
                continue
            visited_at = _office_hours(draw, today - timedelta(days=ago), now)
            recorded_at = min(now, visited_at + timedelta(minutes=rng.randint(5, 600)))
            plan.visits.append(PlannedVisit(
                index, rng.choice(workers), visited_at, recorded_at, outcome,
                _visit_details(draw, fields, outcome, baseline), draw.uuid()))

        if draw.chance(0.12):
            written_at = _office_hours(draw, today - timedelta(days=rng.randint(0, HISTORY_DAYS)),
                                       now)
            plan.notes.append(PlannedNote(index, rng.choice(workers), written_at,
                                          rng.choice(CASE_NOTES), draw.uuid()))


def _visit_details(draw: _Draw, fields: dict, outcome: str, baseline: int) -> dict:
    """What a worker records at the door; empty values left out, as the push path does."""
    rng = draw.rng
    details: dict = {}
    if outcome == p.AWAY:
        details["away_reason"] = rng.choice(AWAY_REASONS[:3])
        return details
    if outcome == p.HOSPITALISED:
        details["away_reason"] = "住院治疗"
        details["note"] = "邻居说老人前几天住进了市人民医院,已联系家属。"
        return details
    if outcome == p.NO_ANSWER:
        if draw.chance(0.5):
            details["note"] = rng.choice(["敲门无人应答,电话也没接,明天再来。",
                                          "敲门没人开,已给子女打电话。",
                                          "家里没人,邻居说可能去买菜了。"])
        return details
    if outcome == p.EMERGENCY:
        details["emergency_action"] = rng.choice(EMERGENCY_ACTIONS)
        details["checklist"] = {"health": "老人说头晕胸闷，站不稳。"}
        details["services"] = ["referral"]
        return details
    # High-risk residents are seen at the door; others are sometimes called instead.
    method = p.DOOR if fields["risk_tier"] == "high" else rng.choices(
        (p.DOOR, "phone", "video"), (80, 16, 4))[0]
    if method != p.DOOR:
        details["method"] = method
        details["mood"] = rng.choices(p.MOODS, [6, 3, 1])[0]
        details["services"] = ["chat"]
        if draw.chance(0.3):
            details["advice"] = [rng.choice(p.ADVICE)]
        return details
    if draw.chance(0.35):
        details["advice"] = rng.sample(p.ADVICE, rng.randint(1, 2))
    if draw.chance(0.08):
        item, text = rng.choice(CHECKLIST_NOTES)
        details["checklist"] = {item: text}
    services = ["chat"]
    if draw.chance(0.8):
        systolic = max(95, min(200, int(rng.gauss(baseline, 9))))
        diastolic = max(55, min(systolic - 25, int(rng.gauss(systolic * 0.6, 6))))
        details["readings"] = {"systolic": systolic, "diastolic": diastolic,
                               "pulse": rng.randint(58, 96)}
        services.append("health_check")
    details["mood"] = rng.choices(p.MOODS, [6, 3, 1])[0]
    if draw.chance(0.25):
        needs = rng.sample(p.NEEDS, rng.randint(1, 2))
        details["needs"] = needs
        if "meals" in needs:
            services.append("meal_delivered")
        if "errands" in needs or "medicine" in needs:
            services.append("errand_run")
        if "repairs" in needs and draw.chance(0.5):
            services.append("repair_done")
        if "medical" in needs:
            services.append("referral")
    if fields["safety_devices"] and draw.chance(0.35):
        details["safety_checks"] = {device: ("faulty" if draw.chance(0.05) else "ok")
                                    for device in fields["safety_devices"]}
        services.append("device_check")
    details["services"] = services
    systolic = details.get("readings", {}).get("systolic", 0)
    if systolic >= 150 and draw.chance(0.7):
        details["note"] = "血压偏高,提醒按时吃药,少吃咸。"
    elif "meal_delivered" in services and draw.chance(0.5):
        details["note"] = "冰箱里菜不多,已联系社区食堂送餐。"
    elif draw.chance(0.3):
        details["note"] = rng.choice(VISIT_NOTES)
    return details


EMERGENCY_ACTIONS = (
    "老人在家摔倒起不来，已拨打120送市人民医院，并通知了子女。",
    "老人血压很高、头晕，已让其服药平躺，联系家属陪同去社区卫生服务中心。",
    "闻到燃气味，已关闭阀门、开窗通风，并报燃气公司上门检修。",
)
#: Quick-checklist exceptions a worker notes (item, what it is).
CHECKLIST_NOTES = (
    ("health", "最近腿脚不灵便，走路要扶墙。"),
    ("living", "高龄津贴这个月还没到账，已帮忙问民政所。"),
    ("family", "儿子在外地打工，半年没回来了。"),
    ("home_safety", "电线老化，插座发烫，已报社区维修。"),
    ("home_safety", "冬天取暖用煤炉，已提醒开窗通风、装一氧化碳报警器。"),
    ("service_needs", "想申请助餐，已登记。"),
)


# ---- writing it -----------------------------------------------------------------------------

def has_data(session: Session) -> bool:
    return any(session.scalar(select(func.count()).select_from(model)) for model in
               (Area, Person, Resident))


def wipe(engine: Engine) -> None:
    """Delete every row of every table (the schema stays), and restart the change log."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            # The audit log's triggers refuse DELETE (it is append-only): set them aside for
            # the wipe and put them back in the same transaction. (PostgreSQL's TRUNCATE does
            # not fire row triggers.)
            triggers = connection.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                connection.execute(text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            for _name, sql in triggers:
                connection.execute(text(sql))
        connection.execute(text("INSERT INTO log_head (id, position, epoch, epoch_since) "
                                "VALUES (1, 0, :epoch, 0)"), {"epoch": str(uuid.uuid4())})


def seed_demo(session: Session, random_seed: int = DEFAULT_RANDOM_SEED,
              now: datetime | None = None) -> DemoSummary:
    """Create the demo district in ``session`` (the caller commits).

    Raises :class:`DemoDataExists` unless the database is empty: a demo mixed into real data
    would be a disaster, and one mixed into another demo a confusing one.
    """
    if has_data(session):
        raise DemoDataExists("The database already has data; seed the demo only into an empty "
                             "one (or wipe it first: `knockdoor seed --demo --reset`).")
    now = (now or utcnow()).replace(microsecond=0)
    plan = build_plan(random_seed, now)
    summary = DemoSummary(random_seed)

    # Areas, a level at a time (children need their parent's id).
    area_ids: dict[str, int] = {}
    areas_by_key = {area.key: area for area in plan.areas}
    for level in p.AREA_LEVELS:
        rows = [area for area in plan.areas if area.level == level]
        made = [Area(level=area.level, name=area.name, code=area.code,
                     parent_id=area_ids[area.parent] if area.parent else None) for area in rows]
        session.add_all(made)
        session.flush()
        area_ids.update({area.key: row.id for area, row in zip(rows, made)})
    summary.streets = sum(a.level == p.STREET for a in plan.areas)
    summary.communities = sum(a.level == p.COMMUNITY for a in plan.areas)
    summary.grids = sum(a.level == p.GRID for a in plan.areas)

    # People and their assignments.
    people: dict[str, Person] = {}
    for planned in plan.people:
        person = Person(username=planned.username, display_name=planned.display_name,
                        role=planned.role, representative_level=planned.representative_level,
                        phone=planned.phone, active=True, created_at=now,
                        password_hash=generate_password_hash(DEMO_PASSWORD,
                                                             method=DEMO_PASSWORD_HASH))
        people[planned.username] = person
    session.add_all(people.values())
    session.flush()
    for planned in plan.people:
        for key in planned.areas:
            session.add(Assignment(person_id=people[planned.username].id,
                                   area_id=area_ids[key], role=planned.role,
                                   starts_on=planned.starts_on, ends_on=None))
        scope = _scope_label(planned, areas_by_key)
        summary.logins.append(Login(planned.username, planned.role, planned.display_name, scope))
    summary.people = len(plan.people)
    summary.field_workers = sum(person.role in p.FIELD_ROLES for person in plan.people)

    # Residents: one bulk write through the roster-import path.
    summary.residents = create_residents(
        session, None, [(area_ids[r.grid], r.fields) for r in plan.residents])
    by_address = {resident.address: resident for resident in session.scalars(select(Resident))}
    residents = [by_address[r.fields["address"]] for r in plan.residents]

    # History, oldest first so every resident's derived visit facts follow along cheaply.
    events = sorted([(v.visited_at, 0, v) for v in plan.visits]
                    + [(n.written_at, 1, n) for n in plan.notes], key=lambda e: (e[0], e[1]))
    visit_facts: dict[str, ResidentFacts] = {}
    for start in range(0, len(events), VISITS_PER_BATCH):
        batch = ChangeBatch(session)
        for _at, kind, event in events[start:start + VISITS_PER_BATCH]:
            resident = residents[event.resident]
            facts = visit_facts.setdefault(resident.id, ResidentFacts.of(resident))
            author = people[event.author]
            if kind == 0:
                batch.add_visit({
                    "id": event.id, "resident_id": resident.id, "grid_id": resident.grid_id,
                    "author_id": author.id, "device_id": None, "visited_at": event.visited_at,
                    "device_time": event.visited_at, "recorded_at": event.recorded_at,
                    "outcome": event.outcome, "details": event.details, "corrects_id": None,
                    "correction": None}, author.display_name, facts)
            else:
                batch.add_note({
                    "id": event.id, "resident_id": resident.id, "grid_id": resident.grid_id,
                    "author_id": author.id, "device_id": None, "written_at": event.written_at,
                    "device_time": event.written_at, "recorded_at": event.written_at,
                    "text": event.text, "corrects_id": None, "correction": None},
                    author.display_name)
        batch.flush()
        # What the supervisors would have been alerted to as these visits arrived.
        raise_for_visits(session, [row for row, _author in batch.visits])
    session.flush()
    for index, username in plan.pairings:
        session.add(Pairing(resident_id=residents[index].id, person_id=people[username].id,
                            starts_on=district.today(now) - timedelta(days=90)))
    # The batches wrote the residents' visit facts directly: read them back.
    session.scalars(select(Resident).execution_options(populate_existing=True)).all()
    summary.visits = len(plan.visits)
    summary.notes = len(plan.notes)

    today = district.today(now)
    summary.open_follow_ups = sum(r.follow_up_since is not None for r in residents)
    summary.overdue = sum(_is_overdue(r, today) for r in residents)
    return summary


def _is_overdue(resident: Resident, today: date) -> bool:
    return due_status(status=resident.status, care_categories=resident.care_categories,
                      birth_year=resident.birth_year,
                      visit_cadence_days=resident.visit_cadence_days,
                      last_met=resident.last_met_at, since=resident.created_at, today=today,
                      zone=district.district_zone(), risk_tier=resident.risk_tier,
                      rules=district.rules()).status == OVERDUE


def _scope_label(person: PlannedPerson, areas: dict[str, PlannedArea]) -> str:
    if person.role == p.ADMIN:
        return f"{DISTRICT_NAME} (all grids)"
    labels = []
    for key in person.areas:
        area = areas[key]
        labels.append(area.name if area.level != p.COMMUNITY
                      else f"{areas[area.parent].name} {area.name}")
    return ", ".join(labels)
