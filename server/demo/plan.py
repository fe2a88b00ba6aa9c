"""The demo's plan: pure data drawn from one seed (areas, people, the roster); the history is
drawn in :mod:`.history`. No database, so it is cheap to compare for determinism."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared import protocol as p
from shared.grid_code import make_grid_code

from .. import district
from .words import (CARE_NOTES, CARE_NOTES_ALONE, CARE_NOTES_TOGETHER, CHILD_FEMALE,
                    CHILD_MALE, DEFAULT_RANDOM_SEED, DISTRICT_CODE, DISTRICT_NAME,
                    ELDER_FEMALE, ELDER_MALE, NAMED_COMPOUNDS, STREETS, SURNAMES,
                    WORKER_FEMALE, WORKER_MALE)

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
