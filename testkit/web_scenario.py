"""A small district with known answers, for the web view's tests, browser tests and screenshots.

Two streets; 长庆路街道 has 昆吾社区 and 绿城社区, 中原路街道 has 濮上社区; two grids each.
What the 昆吾社区 supervisor should see is written down in :class:`Expected`.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator

from sqlalchemy.orm import Session

from testkit.factories import PASSWORD, assign, make_area, make_person, make_resident
from server.models import Area, Conflict, Device, Person, Resident
from server.sync.batch import ChangeBatch
from shared import protocol as p
from shared.clock import isoformat, utcnow


@dataclass
class Expected:
    """What the 昆吾社区 supervisor's dashboard must show."""

    active: int = 5
    covered: int = 3
    overdue: int = 1
    follow_ups: int = 1
    health_flags: int = 1
    open_conflicts: int = 1
    stale_tablets: int = 1
    visits_30_days: int = 5


@dataclass
class Scenario:
    streets: dict[str, Area] = field(default_factory=dict)
    communities: dict[str, Area] = field(default_factory=dict)
    grids: dict[str, Area] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    residents: dict[str, Resident] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    conflict: Conflict | None = None
    expected: Expected = field(default_factory=Expected)
    password: str = PASSWORD


def add_visit(session: Session, resident: Resident, author: Person, when: datetime,
              outcome: str = p.MET, **details) -> str:
    """A visit as the sync code would record it: through the change batch, so the resident's
    derived facts (last met, follow-up) and the change log stay right."""
    batch = ChangeBatch(session)
    visit_id = str(uuid.uuid4())
    batch.add_visit({"id": visit_id, "resident_id": resident.id, "grid_id": resident.grid_id,
                     "author_id": author.id, "device_id": None, "visited_at": when,
                     "device_time": when, "recorded_at": when, "outcome": outcome,
                     "details": details, "corrects_id": None, "correction": None},
                    author.display_name, resident)
    batch.flush()
    return visit_id


def build_scenario(session: Session, now: datetime | None = None) -> Scenario:
    now = now or utcnow()
    s = Scenario()
    district = make_area(session, p.DISTRICT, "华龙区")
    s.streets["changqing"] = make_area(session, p.STREET, "长庆路街道", district)
    s.streets["zhongyuan"] = make_area(session, p.STREET, "中原路街道", district)
    for key, name, street in (("kunwu", "昆吾社区", "changqing"), ("lvcheng", "绿城社区", "changqing"),
                              ("pushang", "濮上社区", "zhongyuan")):
        community = make_area(session, p.COMMUNITY, name, s.streets[street])
        s.communities[key] = community
        for number in (1, 2):
            s.grids[f"{key}{number}"] = make_area(session, p.GRID, f"{name}第{number}网格",
                                                  community)

    s.people["admin"] = make_person(session, "admin", p.ADMIN, display_name="区管理员")
    s.people["kunwu_sup"] = make_person(session, "kunwu_sup", p.SUPERVISOR,
                                        [s.communities["kunwu"]], display_name="李高远")
    s.people["street_sup"] = make_person(session, "street_sup", p.SUPERVISOR,
                                         [s.streets["changqing"]], display_name="魏建涛")
    s.people["pushang_sup"] = make_person(session, "pushang_sup", p.SUPERVISOR,
                                          [s.communities["pushang"]], display_name="张松涛")
    s.people["vol_a"] = make_person(session, "vol_a", p.VOLUNTEER, [s.grids["kunwu1"]],
                                    display_name="王建国")
    s.people["vol_b"] = make_person(session, "vol_b", p.GRID_WORKER, [s.grids["kunwu1"]],
                                    display_name="刘芳")
    s.people["vol_c"] = make_person(session, "vol_c", p.REPRESENTATIVE, [s.grids["pushang1"]],
                                    display_name="侯胜涛")
    assign(session, s.people["vol_a"], s.grids["kunwu2"])

    def resident(key, grid, **fields):
        s.residents[key] = make_resident(session, s.grids[grid], **fields)
        return s.residents[key]

    zhang = resident("zhang", "kunwu1", name="张利霞", birth_year=1941, phone="13800000001",
                     address="长庆路12号院3号楼2单元401", care_categories=[p.ALONE])
    wang = resident("wang", "kunwu1", name="王秀英", birth_year=1944,
                    address="长庆路12号院5号楼1单元102", care_categories=[p.ALONE])
    li = resident("li", "kunwu1", name="李桂兰", birth_year=1950, sex="F",
                  address="昆吾路8号2单元301", care_categories=[p.EMPTY_NEST])
    resident("chen", "kunwu1", name="陈玉珍", birth_year=1946, address="昆吾路8号1单元202",
             care_categories=[p.ALONE])  # never visited, joined today: due today
    liu = resident("liu", "kunwu2", name="刘德华", sex="M", birth_year=1939,
                   address="绿城路3号院1号楼101", care_categories=[])
    moved = resident("moved", "kunwu2", name="杨淑芬", birth_year=1940, address="绿城路3号院2号楼",
                     care_categories=[p.ALONE])
    moved.status = "moved"  # not active: counted nowhere
    sun = resident("sun", "lvcheng1", name="孙玉兰", birth_year=1943, address="绿城路9号",
                   care_categories=[p.ALONE])
    zhao = resident("zhao", "pushang1", name="赵桂芳", birth_year=1945, address="濮上路1号",
                    care_categories=[p.ALONE], phone="13700000009")
    session.flush()

    vol_a, vol_b, vol_c = s.people["vol_a"], s.people["vol_b"], s.people["vol_c"]
    day = timedelta(days=1)
    add_visit(session, wang, vol_a, now - 10 * day, p.MET)
    add_visit(session, li, vol_b, now - 10 * day, p.MET, mood="good")
    add_visit(session, liu, vol_a, now - 3 * day, p.MET, readings={"systolic": 150,
                                                                    "diastolic": 90})
    add_visit(session, zhang, vol_a, now - 2 * day, p.MET, readings={
        "systolic": 185, "diastolic": 100, "pulse": 82}, needs=["medicine"],
        services=["health_check"], note="血压偏高，已提醒按时服药。")
    add_visit(session, wang, vol_b, now - 1 * day, p.NO_ANSWER, note="敲门无人应答")
    add_visit(session, sun, vol_a, now - 20 * day, p.MET)
    add_visit(session, zhao, vol_c, now - 1 * day, p.MET, readings={"systolic": 200,
                                                                    "diastolic": 120})

    for key, person, synced in (("tablet_a", vol_a, now - timedelta(hours=1)),
                                ("tablet_b", vol_b, now - 5 * day),
                                ("tablet_c", vol_c, now - 6 * day)):
        device = Device(id=str(uuid.uuid4()), person_id=person.id, name=f"平板-{person.username}",
                        token_hash=uuid.uuid4().hex, created_at=now - 30 * day,
                        last_push_at=synced, last_pull_at=synced, app_version="1.0.0",
                        protocol_version=2, clock_skew_seconds=0.0)
        session.add(device)
        s.devices[key] = device

    stamp = {"person_id": vol_a.id, "person_name": vol_a.display_name,
             "device_id": None, "op_id": str(uuid.uuid4())}
    s.conflict = Conflict(
        id=str(uuid.uuid4()), grid_id=zhang.grid_id, resident_id=zhang.id, field="phone",
        kept_value="13800000001", lost_value="13900000002",
        kept_by={**stamp, "device_time": isoformat(now - 2 * day),
                 "server_time": isoformat(now - 2 * day)},
        lost_by={**stamp, "person_id": vol_b.id, "person_name": vol_b.display_name,
                 "device_time": isoformat(now - 2 * day - timedelta(hours=3)),
                 "server_time": isoformat(now - day)},
        detected_at=now - day, status="open")
    session.add(s.conflict)
    session.flush()
    return s


def today_local() -> date:
    from testkit.clock import today_in_china
    return today_in_china()


def add_note(session: Session, resident: Resident, author: Person, when: datetime,
             text: str) -> str:
    batch = ChangeBatch(session)
    note_id = str(uuid.uuid4())
    batch.add_note({"id": note_id, "resident_id": resident.id, "grid_id": resident.grid_id,
                    "author_id": author.id, "device_id": None, "written_at": when,
                    "device_time": when, "recorded_at": when, "text": text, "corrects_id": None,
                    "correction": None}, author.display_name)
    batch.flush()
    return note_id


@contextmanager
def scenario_at(session: Session, now: str) -> Iterator[Scenario]:
    """The scenario built and committed with the clock frozen at ``now`` (held while used)."""
    import time_machine
    with time_machine.travel(now, tick=False):
        built = build_scenario(session)
        session.commit()
        yield built
